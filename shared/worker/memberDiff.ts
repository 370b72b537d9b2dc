/**
 * Counts of members added and removed between two sorted lists (same order as
 * `Array.prototype.sort`); with `removedWhere`, also how many of the removed ones it holds for.
 */
export function diffSorted(
  previous: readonly string[],
  current: readonly string[],
  removedWhere?: (member: string) => boolean,
): { added: number; removed: number; removedWhere: number } {
  let i = 0;
  let j = 0;
  let added = 0;
  let removed = 0;
  let matching = 0;
  const isRemoved = (member: string) => {
    removed += 1;
    if (removedWhere?.(member)) matching += 1;
  };
  while (i < previous.length && j < current.length) {
    const a = previous[i];
    const b = current[j];
    if (a === b) {
      i += 1;
      j += 1;
    } else if (a < b) {
      isRemoved(a);
      i += 1;
    } else {
      added += 1;
      j += 1;
    }
  }
  for (; i < previous.length; i++) isRemoved(previous[i]);
  return { added: added + (current.length - j), removed, removedWhere: matching };
}
