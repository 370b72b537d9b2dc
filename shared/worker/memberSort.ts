const HEX32 = /^[0-9a-f]{32}$/;

/**
 * Sorts members in code-unit order (the order of `Array.prototype.sort`). Lists of MD5 digests (the
 * usual case) are bucketed by their first 16 bits, then each small bucket sorted: linear time,
 * several times faster than a comparison sort of 250,000 strings.
 */
export function sortMembers(members: string[]): string[] {
  if (members.length < 1024 || !members.every((m) => m.length === 32 && HEX32.test(m))) return members.sort();
  const keys = new Uint16Array(members.length);
  const starts = new Uint32Array(65_537);
  for (let i = 0; i < members.length; i++) {
    const m = members[i];
    const key = (hex(m, 0) << 12) | (hex(m, 1) << 8) | (hex(m, 2) << 4) | hex(m, 3);
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
    if (to - from > 1) insertionSort(sorted, from, to);
  }
  return sorted;
}

function hex(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code <= 57 ? code - 48 : code - 87;
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
