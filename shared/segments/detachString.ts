/**
 * A copy of `value` that does not share memory with the (much larger) text it was sliced from.
 * V8 keeps slices of 13+ characters as views on their parent string.
 */
export function detachString(value: string): string {
  return value.length < 13 ? value : (' ' + value).slice(1);
}
