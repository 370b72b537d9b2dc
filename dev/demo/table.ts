import { visibleLength } from './format';

export interface Column {
  title: string;
  align?: 'left' | 'right';
}

/** A plain text table: header, rule, rows; numbers right-aligned. */
export function renderTable(columns: Column[], rows: string[][], indent = '  '): string {
  const widths = columns.map((column, i) =>
    Math.max(visibleLength(column.title), ...rows.map((row) => visibleLength(row[i] ?? ''))),
  );
  const pad = (text: string, i: number) => {
    const gap = ' '.repeat(widths[i] - visibleLength(text));
    return columns[i].align === 'right' ? gap + text : text + gap;
  };
  const line = (cells: string[]) => `${indent}${cells.map(pad).join('  ').trimEnd()}`;
  return [
    line(columns.map((c) => c.title)),
    `${indent}${widths.map((w) => '─'.repeat(w)).join('  ')}`,
    ...rows.map(line),
  ].join('\n');
}
