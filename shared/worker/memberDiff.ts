/** Counts of members added and removed between two sorted lists (same order as `Array.prototype.sort`). */
export function diffSorted(
  previous: readonly string[],
  current: readonly string[],
): { added: number; removed: number } {
  let i = 0;
  let j = 0;
  let added = 0;
  let removed = 0;
  while (i < previous.length && j < current.length) {
    const a = previous[i];
    const b = current[j];
    if (a === b) {
      i += 1;
      j += 1;
    } else if (a < b) {
      removed += 1;
      i += 1;
    } else {
      added += 1;
      j += 1;
    }
  }
  return { added: added + (current.length - j), removed: removed + (previous.length - i) };
}
