/** Buckets above this size are sorted with Array.prototype.sort instead of insertion sort. */
const INSERTION_SORT_MAX = 32;

/**
 * Sorts members in code-unit order (the order of `Array.prototype.sort`). Lists of MD5 digests (the
 * usual case) are bucketed by their first four hex digits, then each small bucket sorted: linear
 * time, several times faster than a comparison sort of 250,000 strings. Any list whose members do
 * not all start with four lower-case hex digits is sorted the ordinary way.
 */
export function sortMembers(members: string[]): string[] {
  if (members.length < 1024) return members.sort();
  const keys = new Uint16Array(members.length);
  const starts = new Uint32Array(65_537);
  for (let i = 0; i < members.length; i++) {
    const key = hexPrefixKey(members[i]);
    if (key < 0) return members.sort();
    keys[i] = key;
    starts[key + 1] += 1;
  }
  for (let k = 1; k < starts.length; k++) starts[k] += starts[k - 1];
  const next = starts.slice(0, 65_536);
  const sorted = new Array<string>(members.length);
  for (let i = 0; i < members.length; i++) sorted[next[keys[i]]++] = members[i];
  for (let k = 0; k < 65_536; k++) {
    const from = starts[k];
    const to = starts[k + 1];
    if (to - from <= 1) continue;
    if (to - from <= INSERTION_SORT_MAX) insertionSort(sorted, from, to);
    else {
      const bucket = sorted.slice(from, to).sort();
      for (let j = 0; j < bucket.length; j++) sorted[from + j] = bucket[j];
    }
  }
  return sorted;
}

/** The first four characters as a 16-bit number when they are lower-case hex digits, else -1. */
function hexPrefixKey(text: string): number {
  if (text.length < 4) return -1;
  let key = 0;
  for (let i = 0; i < 4; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) key = (key << 4) | (code - 48);
    else if (code >= 97 && code <= 102) key = (key << 4) | (code - 87);
    else return -1;
  }
  return key;
}

function insertionSort(items: string[], from: number, to: number): void {
  for (let i = from + 1; i < to; i++) {
    const item = items[i];
    let j = i - 1;
    while (j >= from && items[j] > item) {
      items[j + 1] = items[j];
      j -= 1;
    }
    items[j + 1] = item;
  }
}
