/** Terminal formatting shared by the demo and the benchmark. */

export const integer = (value: number): string => Math.round(value).toLocaleString('en-US');

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

export const perSecond = (count: number, ms: number): string =>
  ms > 0 ? `${integer((count * 1000) / ms)} rows/s` : '–';

export const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** Text styles, applied only when the output is a terminal. */
export interface Styles {
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
}

export function styles(enabled: boolean): Styles {
  const wrap = (open: number, close: number) => (text: string) =>
    enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    green: wrap(32, 39),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
  };
}

/** Visible width of a string without ANSI escapes. */
export const visibleLength = (text: string): number =>
  // eslint-disable-next-line no-control-regex
  text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').length;
