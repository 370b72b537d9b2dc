import { randomBytes } from 'node:crypto';
import { DigestList } from '../../shared/suppressions/digestList';

const digestAt = (bytes: Buffer, i: number, width = 16) => bytes.subarray(i * width, (i + 1) * width);

function isSortedUnique(list: DigestList): boolean {
  for (let i = 1; i < list.size; i++) {
    if (
      Buffer.compare(
        digestAt(list.bytes, i - 1, list.digestBytes),
        digestAt(list.bytes, i, list.digestBytes),
      ) >= 0
    )
      return false;
  }
  return true;
}

it.each([16, 32])('sorts and de-duplicates %i-byte digests and finds exactly those', (width) => {
  const unique = randomBytes(20_000 * width);
  const packed = Buffer.concat([unique, unique.subarray(0, 500 * width)]);
  const list = DigestList.build(packed, 20_500, width);
  expect(list.size).toBe(20_000);
  expect(isSortedUnique(list)).toBe(true);
  for (let i = 0; i < 20_000; i += 7) expect(list.has(digestAt(unique, i, width))).toBe(true);
  for (let i = 0; i < 2_000; i++) expect(list.has(randomBytes(width))).toBe(false);
  // its stored form reads back as the same set
  const loaded = DigestList.fromSorted(Buffer.from(list.bytes), width);
  expect(loaded.has(digestAt(unique, 19_999, width))).toBe(true);
});

it('sorts digests sharing one prefix (a crafted list) and neighbours that differ in the last byte only', () => {
  const packed = Buffer.alloc(3_000 * 16);
  for (let i = 0; i < 3_000; i++) packed.writeUInt32BE((i * 2654435761) >>> 0, i * 16 + 12);
  const list = DigestList.build(Buffer.from(packed), 3_000, 16);
  expect(isSortedUnique(list)).toBe(true);
  for (let i = 0; i < 3_000; i++) expect(list.has(digestAt(packed, i))).toBe(true);
  const absent = Buffer.alloc(16);
  absent.writeUInt32BE(7, 12);
  expect(list.has(absent)).toBe(Array.from({ length: 3_000 }, (_, i) => (i * 2654435761) >>> 0).includes(7));
});

it('an empty list holds nothing', () => {
  expect(DigestList.empty(16).has(randomBytes(16))).toBe(false);
  expect(() => DigestList.fromSorted(Buffer.alloc(17), 16)).toThrow(/multiple/);
});
