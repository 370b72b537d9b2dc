import type { Run } from '../api/types';
import { count, duration, statusText, when } from '../ui/format';

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 56, right: 56, top: 16, bottom: 34 };
const SERIES = [
  { key: 'sent', label: 'Sent' },
  { key: 'added', label: 'Added' },
  { key: 'removed', label: 'Removed' },
] as const;

type Totals = Record<(typeof SERIES)[number]['key'], number>;

const totalsOf = (run: Run): Totals =>
  Object.fromEntries(
    SERIES.map(({ key }) => [key, run.segments.reduce((sum, segment) => sum + segment.counts[key], 0)]),
  ) as Totals;

const durationOf = (run: Run) =>
  run.startedAt && run.finishedAt ? Date.parse(run.finishedAt) - Date.parse(run.startedAt) : null;

/** Members sent, added and removed per run as bars, the duration as a line, the status as the bar base's colour. */
export function HistoryChart({ runs }: { runs: Run[] }) {
  const shown = runs.slice(0, 30).reverse();
  if (shown.length === 0) return <p>No runs yet.</p>;
  const totals = shown.map(totalsOf);
  const durations = shown.map(durationOf);
  const maxMembers = Math.max(1, ...totals.flatMap((t) => SERIES.map(({ key }) => t[key])));
  const maxDuration = Math.max(1, ...durations.map((ms) => ms ?? 0));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / shown.length;
  const bar = Math.max(2, Math.min(14, (slot - 6) / SERIES.length));
  const y = (value: number) => PAD.top + plotHeight - (value / maxMembers) * plotHeight;
  const yDuration = (ms: number) => PAD.top + plotHeight - (ms / maxDuration) * plotHeight;
  const x = (index: number) => PAD.left + slot * index + slot / 2;
  const line = durations
    .map((ms, index) => (ms === null ? null : `${x(index).toFixed(1)},${yDuration(ms).toFixed(1)}`))
    .filter(Boolean)
    .join(' ');
  const latest = totals[totals.length - 1];
  const summary = `Last ${shown.length} runs. Latest: ${statusText(shown[shown.length - 1].status).toLowerCase()}, ${count(latest.sent)} sent, ${count(latest.added)} added, ${count(latest.removed)} removed.`;

  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary}>
        {[0, 0.5, 1].map((share) => (
          <g key={share} class="grid">
            <line
              x1={PAD.left}
              x2={WIDTH - PAD.right}
              y1={y(maxMembers * share)}
              y2={y(maxMembers * share)}
            />
            <text x={PAD.left - 6} y={y(maxMembers * share) + 4} text-anchor="end">
              {count(Math.round(maxMembers * share))}
            </text>
            <text x={WIDTH - PAD.right + 6} y={yDuration(maxDuration * share) + 4}>
              {duration(Math.round(maxDuration * share))}
            </text>
          </g>
        ))}
        {shown.map((run, index) => (
          <g key={run.id}>
            <title>{`${when(run.createdAt)}: ${statusText(run.status)}, ${count(totals[index].sent)} sent, ${count(totals[index].added)} added, ${count(totals[index].removed)} removed, ${duration(durations[index])}`}</title>
            {SERIES.map(({ key }, s) => (
              <rect
                key={key}
                class={`bar bar-${key}`}
                x={x(index) - (bar * SERIES.length) / 2 + s * bar}
                y={y(totals[index][key])}
                width={bar - 1}
                height={Math.max(0, PAD.top + plotHeight - y(totals[index][key]))}
              />
            ))}
            <rect
              class={`run-status status-${run.status}`}
              x={x(index) - (bar * SERIES.length) / 2}
              y={PAD.top + plotHeight + 4}
              width={bar * SERIES.length - 1}
              height={8}
            />
          </g>
        ))}
        {line && <polyline class="duration" points={line} />}
        {durations.map((ms, index) =>
          ms === null ? null : (
            <circle key={index} class="duration-point" cx={x(index)} cy={yDuration(ms)} r={3} />
          ),
        )}
        <text class="axis-title" x={PAD.left} y={HEIGHT - 4}>
          Oldest
        </text>
        <text class="axis-title" x={WIDTH - PAD.right} y={HEIGHT - 4} text-anchor="end">
          Latest
        </text>
      </svg>
      <figcaption>
        <ul class="legend">
          {SERIES.map(({ key, label }) => (
            <li key={key}>
              <span class={`swatch bar-${key}`} aria-hidden="true" /> {label} members (left axis)
            </li>
          ))}
          <li>
            <span class="swatch duration" aria-hidden="true" /> Duration (right axis)
          </li>
          <li>
            <span class="swatch status-succeeded" aria-hidden="true" /> Succeeded
            <span class="swatch status-failed" aria-hidden="true" /> Failed
            <span class="swatch status-running" aria-hidden="true" /> In progress or other
          </li>
        </ul>
      </figcaption>
    </figure>
  );
}
