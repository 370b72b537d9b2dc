import type { MemberStore } from './memberCollector';

const INITIAL_CAPACITY = 4096;
/** Buckets above this size are sorted with Array.prototype.sort instead of insertion sort. */
const INSERTION_SORT_MAX = 32;
/** Hex digit values by character code; -1 for anything else. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[0x30 + i] = i;
for (let i = 0; i < 6; i++) HEX_VALUE[0x61 + i] = 10 + i;

/**
 * A set of digests of one length (16 bytes for MD5, 32 for SHA-256) kept as 32-bit words in one typed
 * array, with an open-addressing index over them. A JavaScript Set of 250,000 hex strings costs a
 * string object per member that outlives several garbage collections and a hash table that grows by
 * rehashing strings; this costs the digest's bytes twice over per member and no garbage. Members go
 * in as lower-case hex (`add`) or as the raw bytes of `crypto.hash(…, 'binary')` (`addBinary`, no hex
 * round trip); `sorted()` gives them back as hex in code-unit order, the order `Array.prototype.sort`
 * gives their hex strings.
 */
export class DigestSet implements MemberStore {
  /** 32-bit words per digest. */
  private readonly wordCount: number;
  private readonly hexLength: number;
  /** Big-endian words, so unsigned word order is byte order. */
  private words: Int32Array;
  /**
   * Open addressing, two numbers per slot: member index + 1 (0 for an empty slot) and the member's
   * first word; at most half the slots are used.
   */
  private slots = new Int32Array(INITIAL_CAPACITY * 4);
  private count = 0;

  constructor(private readonly digestBytes: number) {
    if (!Number.isInteger(digestBytes / 4) || digestBytes < 16) {
      throw new Error('DigestSet holds digests of 16 bytes or more, a multiple of 4');
    }
    this.wordCount = digestBytes / 4;
    this.hexLength = digestBytes * 2;
    this.words = new Int32Array(INITIAL_CAPACITY * this.wordCount);
  }

  get size(): number {
    return this.count;
  }

  /** Adds a digest given as lower-case hex; false when it was already there. */
  add(hex: string): boolean {
    if (hex.length !== this.hexLength) throw this.notHex();
    const words = this.reserve();
    const w = this.count * this.wordCount;
    for (let k = 0; k < this.wordCount; k++) {
      let word = 0;
      for (let j = k * 8; j < k * 8 + 8; j++) {
        const code = hex.charCodeAt(j);
        const value = code < 128 ? HEX_VALUE[code] : -1;
        if (value < 0) throw this.notHex();
        word = (word << 4) | value;
      }
      words[w + k] = word;
    }
    return this.insertLast();
  }

  /** Adds a digest given as characters of codes 0-255 (`crypto.hash(…, 'binary')`, i.e. latin1). */
  addBinary(bytes: string): boolean {
    if (bytes.length !== this.digestBytes) {
      throw new Error(`DigestSet.addBinary expects ${this.digestBytes} bytes`);
    }
    const words = this.reserve();
    const w = this.count * this.wordCount;
    for (let k = 0; k < this.wordCount; k++) {
      const o = k * 4;
      words[w + k] =
        (bytes.charCodeAt(o) << 24) |
        (bytes.charCodeAt(o + 1) << 16) |
        (bytes.charCodeAt(o + 2) << 8) |
        bytes.charCodeAt(o + 3);
    }
    return this.insertLast();
  }

  has(hex: string): boolean {
    if (hex.length !== this.hexLength || !/^[0-9a-f]*$/.test(hex)) return false;
    const probe = Int32Array.from({ length: this.wordCount }, (_, k) =>
      parseInt(hex.slice(k * 8, k * 8 + 8), 16),
    );
    return this.find(probe) >= 0;
  }

  /** Every member as hex, sorted (bucketed by the first 16 bits, then each small bucket sorted). */
  sorted(): string[] {
    const count = this.count;
    const words = this.words;
    const size = this.wordCount;
    const starts = new Uint32Array(65_537);
    for (let i = 0; i < count; i++) starts[(words[i * size] >>> 16) + 1] += 1;
    for (let k = 1; k < starts.length; k++) starts[k] += starts[k - 1];
    const next = starts.slice(0, 65_536);
    const order = new Uint32Array(count);
    for (let i = 0; i < count; i++) order[next[words[i * size] >>> 16]++] = i;
    for (let k = 0; k < 65_536; k++) {
      const from = starts[k];
      const to = starts[k + 1];
      if (to - from <= 1) continue;
      if (to - from <= INSERTION_SORT_MAX) this.insertionSort(order, from, to);
      else
        order.set(
          Array.from(order.subarray(from, to)).sort((x, y) => this.compare(x, y)),
          from,
        );
    }
    // The sorted records as one hex string (bytes in memory order), cut into members that share it.
    const sortedWords = new Int32Array(count * size);
    for (let i = 0; i < count; i++) {
      const from = order[i] * size;
      const to = i * size;
      sortedWords[to] = words[from];
      sortedWords[to + 1] = words[from + 1];
      sortedWords[to + 2] = words[from + 2];
      sortedWords[to + 3] = words[from + 3];
      for (let k = 4; k < size; k++) sortedWords[to + k] = words[from + k];
    }
    const bytes = Buffer.from(sortedWords.buffer);
    if (new Uint8Array(new Uint32Array([1]).buffer)[0] === 1) bytes.swap32(); // little-endian host
    const hex = bytes.toString('hex');
    const length = this.hexLength;
    const members = new Array<string>(count);
    for (let i = 0; i < count; i++) members[i] = hex.slice(i * length, i * length + length);
    return members;
  }

  /** Releases the memory (the set is empty afterwards). */
  clear(): void {
    this.words = new Int32Array(INITIAL_CAPACITY * this.wordCount);
    this.slots = new Int32Array(INITIAL_CAPACITY * 4);
    this.count = 0;
  }

  private notHex(): Error {
    return new Error(`DigestSet.add expects ${this.hexLength} hex characters`);
  }

  /** The words, with room for one more member. */
  private reserve(): Int32Array {
    if ((this.count + 1) * this.wordCount > this.words.length) {
      const words = new Int32Array(this.words.length * 2);
      words.set(this.words);
      this.words = words;
    }
    return this.words;
  }

  /** Indexes the member written just past the last one, unless it is already there. */
  private insertLast(): boolean {
    const words = this.words;
    const size = this.wordCount;
    const index = this.count;
    const w = index * size;
    const a = words[w];
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    const b = words[w + 1];
    const c = words[w + 2];
    const d = words[w + 3];
    for (let slot = mix(a, b, c, d) & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot * 2];
      if (entry === 0) {
        slots[slot * 2] = index + 1;
        slots[slot * 2 + 1] = a;
        this.count = index + 1;
        // More than half the slots used: twice as many (slots.length is twice the slot count).
        if (this.count * 4 > slots.length) this.rehash(slots.length);
        return true;
      }
      // The slot keeps the first word: most other members are told apart without reading theirs.
      if (slots[slot * 2 + 1] !== a) continue;
      const e = (entry - 1) * size;
      if (words[e + 1] === b && words[e + 2] === c && words[e + 3] === d && sameRest(words, e, w, size)) {
        return false;
      }
    }
  }

  private find(probe: Int32Array): number {
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    for (let slot = mix(probe[0], probe[1], probe[2], probe[3]) & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot * 2];
      if (entry === 0) return -1;
      const e = (entry - 1) * this.wordCount;
      if (probe.every((word, k) => this.words[e + k] === word)) return entry - 1;
    }
  }

  /** Unsigned order of two members' words (the first 16 bits are their bucket's). */
  private compare(x: number, y: number): number {
    const words = this.words;
    const size = this.wordCount;
    for (let k = 0; k < size; k++) {
      const p = words[x * size + k] >>> 0;
      const q = words[y * size + k] >>> 0;
      if (p !== q) return p < q ? -1 : 1;
    }
    return 0;
  }

  private insertionSort(order: Uint32Array, from: number, to: number): void {
    for (let i = from + 1; i < to; i++) {
      const item = order[i];
      let j = i - 1;
      while (j >= from && this.compare(order[j], item) > 0) {
        order[j + 1] = order[j];
        j -= 1;
      }
      order[j + 1] = item;
    }
  }

  /** `slotCount` slots (a power of two), every member indexed again. */
  private rehash(slotCount: number): void {
    const slots = new Int32Array(slotCount * 2);
    const mask = slotCount - 1;
    const words = this.words;
    const size = this.wordCount;
    for (let index = 0; index < this.count; index++) {
      const w = index * size;
      let slot = mix(words[w], words[w + 1], words[w + 2], words[w + 3]) & mask;
      while (slots[slot * 2] !== 0) slot = (slot + 1) & mask;
      slots[slot * 2] = index + 1;
      slots[slot * 2 + 1] = words[w];
    }
    this.slots = slots;
  }
}

/** Spreads a digest's first 128 bits over the slot index (digests given as input need not be uniform). */
function mix(a: number, b: number, c: number, d: number): number {
  let h =
    Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b) ^ Math.imul(c, 0xc2b2ae35) ^ Math.imul(d, 0x27d4eb2f);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 13);
}

/** Words 4 and on of two digests at `x` and `y` are the same (none for MD5). */
function sameRest(words: Int32Array, x: number, y: number, size: number): boolean {
  for (let k = 4; k < size; k++) if (words[x + k] !== words[y + k]) return false;
  return true;
}
