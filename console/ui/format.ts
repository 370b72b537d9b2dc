const numberFormat = new Intl.NumberFormat('en-US');
const dateFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' });

export const count = (value: number | null | undefined) => (value == null ? '—' : numberFormat.format(value));

export const when = (iso: string | null | undefined) => (iso ? dateFormat.format(new Date(iso)) : '—');

export function duration(ms: number | null | undefined): string {
  if (ms == null) return '—';
  if (ms < 1000) return `${ms} ms`;
  const seconds = ms / 1000;
  return seconds < 60
    ? `${seconds.toFixed(1)} s`
    : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** Words for the API's camelCase statuses, e.g. `partiallySucceeded` → "Partially succeeded". */
export function statusText(status: string): string {
  const words = status.replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
