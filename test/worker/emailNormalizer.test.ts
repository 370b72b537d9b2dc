import { createHash } from 'node:crypto';
import { maskEmail, normalizeEmail } from '../../shared/worker/emailNormalizer';
import { diffSorted } from '../../shared/worker/memberDiff';
import { MemberCollector } from '../../shared/worker/memberCollector';
import { RejectionReport } from '../../shared/worker/rejectionReport';
import { sortMembers } from '../../shared/worker/memberSort';

const md5 = (value: string) => createHash('md5').update(value).digest('hex');

describe('email normalization', () => {
  it.each([
    ['trims and lower-cases', '  Jane.Doe@Example.COM \t', 'jane.doe@example.com'],
    [
      'allows the RFC 5322 atext characters',
      "a!#$%&'*+/=?^_`{|}~-z@example.com",
      "a!#$%&'*+/=?^_`{|}~-z@example.com",
    ],
    ['allows inner dots in the local part', 'first.middle.last@example.com', 'first.middle.last@example.com'],
    [
      'allows subdomains and inner hyphens',
      'x@mail-1.eu.example-shop.co.uk',
      'x@mail-1.eu.example-shop.co.uk',
    ],
    ['allows a 64-character local part', `${'a'.repeat(64)}@example.com`, `${'a'.repeat(64)}@example.com`],
    [
      'allows 254 characters in all',
      `a@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(63)}.com`,
      `a@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(63)}.com`,
    ],
  ])('valid: %s', (_rule, input, expected) => {
    expect(normalizeEmail(input, 'md5')).toEqual({ ok: true, value: expected, isDigest: false });
  });

  it.each([
    ['missing field', undefined, 'email missing'],
    ['empty value', '   ', 'email empty'],
    ['no @', 'jane.example.com', 'no @ in email'],
    ['two @', 'jane@doe@example.com', 'more than one @ in email'],
    ['empty local part', '@example.com', 'local part empty'],
    ['65-character local part', `${'a'.repeat(65)}@example.com`, 'local part longer than 64 characters'],
    ['space inside', 'jane doe@example.com', 'local part has a character that is not allowed'],
    ['quoted local part', '"jane"@example.com', 'local part has a character that is not allowed'],
    ['leading dot', '.jane@example.com', 'local part starts or ends with a dot or has two dots in a row'],
    ['trailing dot', 'jane.@example.com', 'local part starts or ends with a dot or has two dots in a row'],
    ['double dot', 'ja..ne@example.com', 'local part starts or ends with a dot or has two dots in a row'],
    ['single-label domain', 'jane@localhost', 'domain is not a valid host name'],
    ['leading hyphen in a label', 'jane@-example.com', 'domain is not a valid host name'],
    ['trailing hyphen in a label', 'jane@example-.com', 'domain is not a valid host name'],
    ['empty label', 'jane@example..com', 'domain is not a valid host name'],
    ['underscore in domain', 'jane@exa_mple.com', 'domain is not a valid host name'],
    ['IP literal', 'jane@[127.0.0.1]', 'domain is not a valid host name'],
    ['numeric top-level label', 'jane@example.123', 'domain has no top-level label of 2 or more letters'],
    ['one-letter top-level label', 'jane@example.c', 'domain has no top-level label of 2 or more letters'],
    [
      'over 254 characters',
      `a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(60)}.com`,
      'email longer than 254 characters',
    ],
  ])('invalid: %s', (_rule, input, reason) => {
    expect(normalizeEmail(input, 'md5')).toEqual({ ok: false, reason });
  });

  it('judges a non-text value (from JSON Lines) as text', () => {
    expect(normalizeEmail(12345 as unknown as string, 'md5')).toEqual({ ok: false, reason: 'no @ in email' });
  });

  it('recognises 32-hex MD5 digests (any case) and keeps them as they are', () => {
    const digest = md5('jane@example.com');
    expect(normalizeEmail(` ${digest.toUpperCase()} `, 'md5')).toEqual({
      ok: true,
      value: digest,
      isDigest: true,
    });
    expect(normalizeEmail(digest.slice(1), 'md5')).toMatchObject({ ok: false });
    // A SHA-256 destination keeps its own digests, and an MD5 one is no email to it.
    const sha256 = createHash('sha256').update('a@example.com').digest('hex');
    expect(normalizeEmail(sha256, 'sha256')).toEqual({ ok: true, value: sha256, isDigest: true });
    expect(normalizeEmail(digest, 'sha256')).toMatchObject({ ok: false });
  });

  it.each([
    ['john@example.com', 'j***@e***.com'],
    ['no-at-sign', 'n***'],
    ['@example.com', '@e***.com'],
    ['jane@localhost', 'j***@l***'],
    ['', ''],
  ])('masks %s as %s', (input, masked) => {
    expect(maskEmail(input)).toBe(masked);
  });
});

describe('member collection', () => {
  const collect = (values: (string | undefined)[], hashEmails: boolean, limit = 1000) => {
    const report = new RejectionReport();
    const collector = new MemberCollector({ hash: 'md5', hashEmails, limit }, report);
    values.forEach((value, i) => collector.addEmail(value, 'part-0.csv', i + 1));
    return { collector, report };
  };

  it('counts read, invalid, duplicates and valid, hashing each address once', () => {
    const { collector, report } = collect(
      ['A@x.io', 'a@x.io ', md5('a@x.io'), 'b@x.io', 'bad', undefined, md5('c@x.io').toUpperCase()],
      true,
    );
    expect(collector.counts()).toEqual({
      read: 7,
      invalid: 2,
      duplicates: 2,
      valid: 3,
      suppressed: 0,
      withoutConsent: 0,
    });
    expect(collector.sortedMembers()).toEqual([md5('a@x.io'), md5('b@x.io'), md5('c@x.io')].sort());
    expect(report.toCsv()).toBe(
      'blob,row,reason,email\npart-0.csv,5,no @ in email,b***\npart-0.csv,6,email missing,\n',
    );
  });

  it('lists a bounded number of rejected rows and says how many more there were', () => {
    const report = new RejectionReport(2);
    const collector = new MemberCollector({ hash: 'md5', hashEmails: true, limit: 1000 }, report);
    ['bad1', 'a@x.io', 'bad2', 'bad3', undefined].forEach((value, i) =>
      collector.addEmail(value, 'part-0.csv', i + 1),
    );
    expect(collector.counts()).toEqual({
      read: 5,
      invalid: 4,
      duplicates: 0,
      valid: 1,
      suppressed: 0,
      withoutConsent: 0,
    });
    expect(report.size).toBe(4);
    expect(report.toCsv()).toBe(
      'blob,row,reason,email\npart-0.csv,1,no @ in email,b***\npart-0.csv,3,no @ in email,b***\n' +
        ',,2 more rejected rows are not listed (a report lists the first 2),\n',
    );
  });

  it('sends normalized plain addresses when hashing is off (digests stay digests)', () => {
    const { collector } = collect([' Jane@X.io', md5('k@x.io')], false);
    expect(collector.sortedMembers()).toEqual([md5('k@x.io'), 'jane@x.io'].sort());
  });

  it('stops holding members one past the limit', () => {
    const { collector } = collect(['a@x.io', 'b@x.io', 'c@x.io'], true, 2);
    expect(collector.overLimit).toBe(true);
    expect(collector.members.size).toBe(3);
  });

  it('sorts digests (bucketed) and plain addresses exactly like Array.prototype.sort', () => {
    const digests = Array.from({ length: 20_000 }, (_, i) => md5(`p${i}@x.io`));
    digests.push('0000' + digests[0].slice(4), '0000' + digests[1].slice(4), 'ffff' + digests[2].slice(4));
    expect(sortMembers([...digests])).toEqual([...digests].sort());
    const mixed = [...digests.slice(0, 3000), 'b@x.io', 'a@x.io'];
    expect(sortMembers([...mixed])).toEqual([...mixed].sort());
  });

  it('diffs sorted lists', () => {
    expect(diffSorted(['a', 'b', 'c'], ['b', 'c', 'd', 'e'])).toEqual({
      added: 2,
      removed: 1,
      removedWhere: 0,
    });
    expect(diffSorted([], ['a'])).toEqual({ added: 1, removed: 0, removedWhere: 0 });
    expect(diffSorted(['a'], ['a'])).toEqual({ added: 0, removed: 0, removedWhere: 0 });
    const isVowel = (member: string) => 'aeiou'.includes(member);
    expect(diffSorted(['a', 'b', 'c', 'e', 'x'], ['b', 'd'], isVowel)).toEqual({
      added: 1,
      removed: 4,
      removedWhere: 2,
    });
  });
});
