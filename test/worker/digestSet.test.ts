import { createHash, hash } from 'node:crypto';
import { DigestSet } from '../../shared/worker/digestSet';
import { sortMembers } from '../../shared/worker/memberSort';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

describe('DigestSet', () => {
  it('holds the same members as a Set of hex strings, sorted like Array.prototype.sort', () => {
    const set = new DigestSet(16);
    const reference = new Set<string>();
    let duplicates = 0;
    for (let i = 0; i < 30_000; i++) {
      const text = `p${i % 25_000}@x.io`;
      // Half go in as raw bytes (the worker's hashing path), half as hex (values that already are digests).
      const added = i % 2 === 0 ? set.addBinary(hash('md5', text, 'binary')) : set.add(md5(text));
      expect(added).toBe(!reference.has(md5(text)));
      if (!added) duplicates += 1;
      reference.add(md5(text));
    }
    expect(duplicates).toBe(5_000);
    expect(set.size).toBe(25_000);
    expect(set.sorted()).toEqual([...reference].sort());
    expect(set.has(md5('p7@x.io'))).toBe(true);
    expect(set.has(md5('nobody@x.io'))).toBe(false);
    expect(set.has('not hex')).toBe(false);
  });

  it('sorts digests sharing long prefixes (large buckets) and extreme values', () => {
    const digests = Array.from({ length: 3_000 }, (_, i) => `0000${md5(`q${i}`).slice(4)}`);
    digests.push('f'.repeat(32), '0'.repeat(32), `0000${'f'.repeat(28)}`, `ffff${'0'.repeat(28)}`);
    const set = new DigestSet(16);
    for (const digest of digests) set.add(digest);
    expect(set.sorted()).toEqual([...digests].sort());
    expect(sortMembers([...digests])).toEqual([...digests].sort());
  });

  it('holds SHA-256 digests (32 bytes) the same way', () => {
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    const set = new DigestSet(32);
    const reference = new Set<string>();
    for (let i = 0; i < 12_000; i++) {
      const text = `s${i % 10_000}@x.io`;
      const added = i % 2 === 0 ? set.addBinary(hash('sha256', text, 'binary')) : set.add(sha256(text));
      expect(added).toBe(!reference.has(sha256(text)));
      reference.add(sha256(text));
    }
    expect(set.size).toBe(10_000);
    expect(set.sorted()).toEqual([...reference].sort());
    expect(set.has(sha256('s7@x.io'))).toBe(true);
    expect(set.has(md5('s7@x.io'))).toBe(false);
    expect(() => set.add(md5('a'))).toThrow();
    expect(() => set.addBinary(hash('md5', 'a', 'binary'))).toThrow();
  });

  it('refuses values that are not digests and empties on clear', () => {
    const set = new DigestSet(16);
    expect(() => set.add('xyz')).toThrow();
    expect(() => set.add('g'.repeat(32))).toThrow();
    expect(() => set.addBinary('short')).toThrow();
    set.add(md5('a'));
    set.clear();
    expect(set.size).toBe(0);
    expect(set.sorted()).toEqual([]);
  });
});

describe('sortMembers', () => {
  it('sorts addresses that start with four hex digits exactly like Array.prototype.sort', () => {
    const addresses = Array.from(
      { length: 5_000 },
      (_, i) => `${md5(`r${i}`).slice(0, 4)}${i % 7 ? '.x' : ''}@x.io`,
    );
    addresses.push(...Array.from({ length: 100 }, (_, i) => `beef${i}@x.io`));
    expect(sortMembers([...addresses])).toEqual([...addresses].sort());
  });
});
