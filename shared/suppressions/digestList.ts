/** Sorting buckets by the first two bytes of a digest. */
const BUCKETS = 65_536;
/** Buckets at most this long are sorted by insertion; longer ones (unusual for hash digests) by index sort. */
const INSERTION_SORT_MAX = 48;

/**
 * A set of digests of one length in one Buffer, sorted by bytes and de-duplicated (16 bytes per MD5
 * digest: 1,000,000 digests are 16 MB), with an index of where each two-byte prefix starts. This is
 * also the stored form of a suppression list, so loading one is a download and one pass.
 */
export class DigestList {
  /**
   * Start (in digests) of each `bits`-bit prefix, the last entry being the count: about one digest
   * per prefix (at most 2^20 prefixes, 4 MB), so a lookup compares one or two digests.
   */
  private readonly starts: Uint32Array;
  private readonly shift: number;
  /**
   * One bit per `bits + 3`-bit prefix, set where a digest has it (2^bits bytes: 1 MB for 1,000,000
   * digests, small enough to stay in cache). Most members are not on the list, and about 7 in 8 of
   * them stop here instead of reading `starts` and `bytes`, two cache misses in 20 MB.
   */
  private readonly present: Uint8Array;
  private readonly presentShift: number;

  private constructor(
    readonly bytes: Buffer,
    readonly digestBytes: number,
  ) {
    const count = bytes.length / digestBytes;
    const bits = Math.min(20, Math.max(8, Math.ceil(Math.log2(Math.max(1, count)))));
    this.shift = 32 - bits;
    this.starts = new Uint32Array((1 << bits) + 1);
    this.presentShift = this.shift - 3;
    this.present = new Uint8Array(1 << bits);
    for (let i = 0; i < count; i++) {
      const first = bytes.readUInt32BE(i * digestBytes);
      this.starts[(first >>> this.shift) + 1] += 1;
      const bit = first >>> this.presentShift;
      this.present[bit >>> 3] |= 1 << (bit & 7);
    }
    for (let b = 1; b < this.starts.length; b++) this.starts[b] += this.starts[b - 1];
  }

  static empty(digestBytes: number): DigestList {
    return new DigestList(Buffer.alloc(0), digestBytes);
  }

  /** A list already in stored form (sorted, unique), e.g. a downloaded blob. */
  static fromSorted(bytes: Buffer, digestBytes: number): DigestList {
    if (bytes.length % digestBytes !== 0)
      throw new Error('digest list length is not a multiple of the digest');
    return new DigestList(bytes, digestBytes);
  }

  /** Sorts and de-duplicates `count` digests packed in `packed` (which it reorders). */
  static build(packed: Buffer, count: number, digestBytes: number): DigestList {
    return new DigestList(sortUnique(packed.subarray(0, count * digestBytes), digestBytes), digestBytes);
  }

  get size(): number {
    return this.bytes.length / this.digestBytes;
  }

  /**
   * Whether the digest in `digest[offset, offset + digestBytes)` is in the list. Compares 32-bit
   * big-endian words (plain JavaScript, which the JIT inlines) instead of calling `Buffer.compare`.
   */
  has(digest: Buffer, offset = 0): boolean {
    const width = this.digestBytes;
    const first = digest.readUInt32BE(offset);
    if (!this.mayHave(first)) return false;
    const bucket = first >>> this.shift;
    let low = this.starts[bucket];
    let high = this.starts[bucket + 1] - 1;
    if (low > high) return false;
    const bytes = this.bytes;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const at = middle * width;
      let order = bytes.readUInt32BE(at) - first;
      for (let k = 4; order === 0 && k < width; k += 4) {
        order = bytes.readUInt32BE(at + k) - digest.readUInt32BE(offset + k);
      }
      if (order === 0) return true;
      if (order > 0) high = middle - 1;
      else low = middle + 1;
    }
    return false;
  }

  private mayHave(first: number): boolean {
    const bit = first >>> this.presentShift;
    return (this.present[bit >>> 3] & (1 << (bit & 7))) !== 0;
  }

  /** `has` for a digest as raw bytes in a latin1 string (`crypto.hash(…, 'binary')`), no copy. */
  hasBinary(digest: string): boolean {
    const width = this.digestBytes;
    const first = wordOf(digest, 0);
    if (!this.mayHave(first)) return false;
    const bucket = first >>> this.shift;
    let low = this.starts[bucket];
    let high = this.starts[bucket + 1] - 1;
    const bytes = this.bytes;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const at = middle * width;
      let order = bytes.readUInt32BE(at) - first;
      for (let k = 4; order === 0 && k < width; k += 4)
        order = bytes.readUInt32BE(at + k) - wordOf(digest, k);
      if (order === 0) return true;
      if (order > 0) high = middle - 1;
      else low = middle + 1;
    }
    return false;
  }
}

/** Big-endian 32-bit word at `at` of a digest given as a latin1 string (one character per byte). */
const wordOf = (text: string, at: number) =>
  ((text.charCodeAt(at) << 24) |
    (text.charCodeAt(at + 1) << 16) |
    (text.charCodeAt(at + 2) << 8) |
    text.charCodeAt(at + 3)) >>>
  0;

function prefixIndex(bytes: Buffer, width: number): Uint32Array {
  const starts = new Uint32Array(BUCKETS + 1);
  const count = bytes.length / width;
  for (let i = 0; i < count; i++) starts[((bytes[i * width] << 8) | bytes[i * width + 1]) + 1] += 1;
  for (let b = 1; b <= BUCKETS; b++) starts[b] += starts[b - 1];
  return starts;
}

/** Counting sort by the two-byte prefix, then each bucket sorted, then equal neighbours dropped. */
function sortUnique(packed: Buffer, width: number): Buffer {
  const count = packed.length / width;
  const starts = prefixIndex(packed, width);
  const next = starts.slice(0, BUCKETS);
  const sorted = Buffer.allocUnsafe(packed.length);
  for (let i = 0; i < count; i++) {
    const bucket = (packed[i * width] << 8) | packed[i * width + 1];
    packed.copy(sorted, next[bucket]++ * width, i * width, i * width + width);
  }
  for (let b = 0; b < BUCKETS; b++) {
    const from = starts[b];
    const to = starts[b + 1];
    if (to - from < 2) continue;
    if (to - from <= INSERTION_SORT_MAX) insertionSort(sorted, from, to, width);
    else indexSort(sorted, from, to, width);
  }
  let kept = 0;
  for (let i = 0; i < count; i++) {
    const at = i * width;
    if (kept > 0 && sorted.compare(sorted, at, at + width, (kept - 1) * width, kept * width) === 0) continue;
    if (kept !== i) sorted.copy(sorted, kept * width, at, at + width);
    kept += 1;
  }
  return sorted.subarray(0, kept * width);
}

function insertionSort(bytes: Buffer, from: number, to: number, width: number): void {
  const held = Buffer.allocUnsafe(width);
  // shifts up every digest greater than the held one (`compare` orders bytes[j] against `held`)
  for (let i = from + 1; i < to; i++) {
    bytes.copy(held, 0, i * width, i * width + width);
    let j = i - 1;
    while (j >= from && bytes.compare(held, 0, width, j * width, j * width + width) > 0) {
      bytes.copy(bytes, (j + 1) * width, j * width, j * width + width);
      j -= 1;
    }
    held.copy(bytes, (j + 1) * width);
  }
}

function indexSort(bytes: Buffer, from: number, to: number, width: number): void {
  const order = Array.from({ length: to - from }, (_, k) => from + k);
  // `x.compare(target, …, source…)` orders the source against the target: b as target gives a − b.
  order.sort((a, b) => bytes.compare(bytes, b * width, b * width + width, a * width, a * width + width));
  const copy = Buffer.allocUnsafe((to - from) * width);
  order.forEach((index, k) => bytes.copy(copy, k * width, index * width, index * width + width));
  copy.copy(bytes, from * width);
}
