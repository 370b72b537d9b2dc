import type { ComponentChildren } from 'preact';

/** A table with a caption for screen readers and a row of column headings; the rows are the children. */
export function DataTable({
  caption,
  columns,
  class: className,
  children,
}: {
  caption: string;
  columns: string[];
  class?: string;
  children: ComponentChildren;
}) {
  return (
    <table class={className}>
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th scope="col" key={column}>
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
