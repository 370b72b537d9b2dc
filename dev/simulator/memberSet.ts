/** An audience's stored members: read-only (a write replaces the whole set). */
export interface MemberSet extends Iterable<string> {
  readonly size: number;
  has(value: string): boolean;
}

/**
 * Members kept as one strictly ascending array (how our client sends them: sorted, unique):
 * membership by binary search, no hash table of 250,000 strings to build.
 */
export class SortedMemberSet implements MemberSet {
  /** `members` must be strictly ascending (so unique); the array is kept, not copied. */
  constructor(private readonly members: readonly string[]) {}

  get size(): number {
    return this.members.length;
  }

  has(value: string): boolean {
    let low = 0;
    let high = this.members.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const member = this.members[middle];
      if (member === value) return true;
      if (member < value) low = middle + 1;
      else high = middle - 1;
    }
    return false;
  }

  [Symbol.iterator](): Iterator<string> {
    return this.members[Symbol.iterator]();
  }
}

/** The members as a set: the array itself when strictly ascending, otherwise a hash set. */
export function memberSet(members: string[]): MemberSet {
  for (let i = 1; i < members.length; i++) {
    if (!(members[i - 1] < members[i])) return new Set(members);
  }
  return new SortedMemberSet(members);
}

/**
 * Members stored as fixed-width slots of one text (the request body as sent: `{"email":"<32 hex>"},`
 * repeated), strictly ascending: no string per member until one is asked for.
 */
export class PackedMemberSet implements MemberSet {
  constructor(
    private readonly text: string,
    /** Offset of the first member in `text`. */
    private readonly first: number,
    /** Distance between two members. */
    private readonly stride: number,
    /** Length of each member. */
    private readonly width: number,
    readonly size: number,
  ) {}

  has(value: string): boolean {
    if (value.length !== this.width) return false;
    let low = 0;
    let high = this.size - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const order = this.compareAt(middle, value);
      if (order === 0) return true;
      if (order < 0) low = middle + 1;
      else high = middle - 1;
    }
    return false;
  }

  *[Symbol.iterator](): Iterator<string> {
    for (let i = 0; i < this.size; i++) {
      const at = this.first + i * this.stride;
      yield this.text.slice(at, at + this.width);
    }
  }

  /** Sign of (member `index` − `value`) in code-unit order. */
  private compareAt(index: number, value: string): number {
    const at = this.first + index * this.stride;
    for (let k = 0; k < this.width; k++) {
      const difference = this.text.charCodeAt(at + k) - value.charCodeAt(k);
      if (difference !== 0) return difference;
    }
    return 0;
  }
}
