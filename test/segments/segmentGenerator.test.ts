import { generateSegment, mutateSegment } from '../../dev/segmentGenerator';
import { createSegmentSource } from '../../shared/segments/blobSegmentSource';
import type { SegmentSource } from '../../shared/segments/segmentSource';
import { readRows, startSegmentTestEnv, type SegmentTestEnv } from './support';

let env: SegmentTestEnv;
let source: SegmentSource;

beforeAll(async () => {
  env = await startSegmentTestEnv();
  source = createSegmentSource(env.config, env.storage);
});

afterAll(async () => {
  await env?.azurite.stop();
});

const isValid = (email: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim().toLowerCase());

/** What an exporter finds: unique valid normalized emails, invalid rows and repeats. */
async function emailsOf(name: string, field = 'Email') {
  const unique = new Set<string>();
  let invalid = 0;
  let duplicates = 0;
  for (const item of await readRows(source, name, [field])) {
    if (item.kind !== 'record' || !isValid(item.fields[field])) {
      invalid++;
      continue;
    }
    const email = item.fields[field].trim().toLowerCase();
    if (unique.has(email)) duplicates++;
    else unique.add(email);
  }
  return { unique, invalid, duplicates };
}

describe('segment generator', () => {
  it('returns the exact unique, invalid and duplicate counts a reader finds, deterministically', async () => {
    const options = {
      seed: 42,
      emailField: 'EmailAddress',
      invalidEmailShare: 0.05,
      duplicateShare: 0.04,
      partitions: 2,
      collectEmails: true,
      writeManifest: true,
    };
    const generated = await generateSegment(env.container, 'gen-a', 3000, options);
    const found = await emailsOf('gen-a', 'EmailAddress');
    expect(found.unique).toEqual(generated.emails);
    expect(found.unique.size).toBe(generated.uniqueEmails);
    expect(found.invalid).toBe(generated.invalidEmails);
    expect(found.duplicates).toBe(generated.duplicateEmails);
    expect(generated.invalidEmails).toBeGreaterThan(100);
    expect(generated.duplicateEmails).toBeGreaterThan(60);
    expect(await source.describe('gen-a')).toMatchObject({ rowCount: 3000, fields: generated.fields });

    const again = await generateSegment(env.container, 'gen-b', 3000, options);
    expect(again.emails).toEqual(generated.emails);
    const otherSeed = await generateSegment(env.container, 'gen-c', 3000, { ...options, seed: 43 });
    expect(otherSeed.emails).not.toEqual(generated.emails);
  });

  it.each(['csv', 'jsonl', 'cdm'] as const)(
    'mutates a %s segment by a deterministic share and reports what was added and removed',
    async (format) => {
      const name = `mutated-${format}`;
      const base = await generateSegment(env.container, name, 2000, {
        format,
        gzip: format !== 'csv',
        seed: 7,
        collectEmails: true,
      });
      const mutated = await mutateSegment(env.container, name, { share: 0.06, seed: 2, collectEmails: true });
      const found = await emailsOf(name);
      expect(found.unique).toEqual(mutated.emails);
      const added = [...mutated.emails!].filter((email) => !base.emails!.has(email)).length;
      const removed = [...base.emails!].filter((email) => !mutated.emails!.has(email)).length;
      expect({ added: mutated.added, removed: mutated.removed }).toEqual({ added, removed });
      expect(added).toBeGreaterThan(40);
      expect(removed).toBeGreaterThan(40);
      expect(mutated.uniqueEmails).toBe(mutated.emails!.size);
      const same = await mutateSegment(env.container, name, { share: 0.06, seed: 2, collectEmails: true });
      expect(same.emails).toEqual(mutated.emails);
    },
  );
});
