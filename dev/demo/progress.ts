import type { Run, SegmentRunState } from '../../shared/model/run';
import { integer, styles, type Styles } from './format';
import type { DemoOutput } from './output';

const BAR_WIDTH = 28;
const PLAIN_INTERVAL_MS = 2_000;

/** Rows per second of a segment so far (server timestamps), or undefined before any progress. */
export function rowsPerSecond(state: SegmentRunState): number | undefined {
  if (!state.startedAt) return undefined;
  const started = Date.parse(state.startedAt);
  if (state.progress) {
    const ms = Date.parse(state.progress.updatedAt) - started;
    return ms > 0 && state.progress.rowsRead > 0 ? (state.progress.rowsRead * 1000) / ms : undefined;
  }
  if (state.finishedAt && state.counts.read > 0) {
    const ms = Date.parse(state.finishedAt) - started;
    return ms > 0 ? (state.counts.read * 1000) / ms : undefined;
  }
  return undefined;
}

/** The worker reports rows read while reading and sets the counts once the whole segment is read. */
const readDone = (state: SegmentRunState) => state.counts.read > 0;

function rowsRead(state: SegmentRunState): number {
  return Math.max(state.progress?.rowsRead ?? 0, state.counts.read);
}

function phase(state: SegmentRunState, style: Styles): string {
  switch (state.status) {
    case 'running':
      return readDone(state) ? style.yellow('checking and sending') : 'reading';
    case 'succeeded':
      return style.green(state.reason ? `succeeded (${state.reason})` : 'succeeded');
    case 'failed':
      return style.red(`failed (${state.error?.code ?? state.reason ?? 'error'})`);
    default:
      return state.reason ? `${state.status} (${state.reason})` : state.status;
  }
}

/**
 * One progress bar per segment with rows per second. On a terminal the bars are redrawn in place;
 * otherwise a plain line per segment is printed when its status changes and every 2 s while running.
 */
export class ProgressDisplay {
  private readonly style: Styles;
  private drawnLines = 0;
  private drawn = '';
  private readonly lastPlain = new Map<string, { at: number; text: string; status: string }>();
  private readonly nameWidth: number;

  constructor(
    private readonly out: DemoOutput,
    private readonly totals: Map<string, number>,
  ) {
    this.style = styles(out.isTTY);
    this.nameWidth = Math.max(...[...totals.keys()].map((name) => name.length));
  }

  line(state: SegmentRunState): string {
    const total = Math.max(1, this.totals.get(state.segment) ?? rowsRead(state));
    const read = rowsRead(state);
    const done = ['succeeded', 'failed', 'skipped', 'canceled'].includes(state.status);
    const share = (done && state.status === 'succeeded') || readDone(state) ? 1 : Math.min(1, read / total);
    const filled = Math.round(share * BAR_WIDTH);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
    const rate = rowsPerSecond(state);
    return [
      state.segment.padEnd(this.nameWidth),
      `[${bar}]`,
      `${Math.round(share * 100)}%`.padStart(4),
      `${integer(read).padStart(integer(total).length)}/${integer(total)} rows`,
      (rate === undefined ? '' : `${integer(rate)} rows/s`).padStart(15),
      ' ',
      phase(state, this.style),
    ].join(' ');
  }

  update(run: Run): void {
    if (this.out.isTTY) {
      const lines = run.segments.map((state) => `  ${this.line(state)}`);
      if (lines.join('\n') === this.drawn) return;
      this.drawn = lines.join('\n');
      const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : '';
      this.out.write(`${up}${lines.map((line) => `\r\x1b[2K${line}\n`).join('')}`);
      this.drawnLines = lines.length;
      return;
    }
    const now = Date.now();
    for (const state of run.segments) {
      const text = this.line(state);
      const last = this.lastPlain.get(state.segment);
      const statusChanged = !last || last.status !== state.status;
      const due = state.status === 'running' && now - (last?.at ?? 0) >= PLAIN_INTERVAL_MS;
      if ((statusChanged || due) && text !== last?.text) {
        this.out.write(`  ${text}\n`);
        this.lastPlain.set(state.segment, { at: now, text, status: state.status });
      }
    }
  }
}
