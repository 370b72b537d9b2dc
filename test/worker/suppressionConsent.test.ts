import { createHash } from 'node:crypto';
import { DigestList } from '../../shared/suppressions/digestList';
import { createSuppressionStore } from '../../shared/suppressions/suppressionStore';
import { makeSegment, md5, type World, useWorlds } from './workerWorld';

const SEGMENT = 'vip customers';
const BY = { id: 'admin-1', name: 'Admin' };

/** Stores a suppression list for the world's connection, as the upload does (MD5 of normalized emails). */
async function suppress(w: World, emails: string[]): Promise<void> {
  const packed = Buffer.concat(emails.map((email) => createHash('md5').update(email).digest()));
  await createSuppressionStore(() => w.services.storage.stateContainer()).replace(
    'conn-1',
    DigestList.build(packed, emails.length, 16),
    'md5',
    BY,
    new Date(),
  );
}

/** A CSV segment with an email and a consent column. */
async function writeConsentSegment(w: World, rows: [string, string][]): Promise<void> {
  const container = w.services.storage.segmentsContainer();
  await container.createIfNotExists();
  const body = `email,MarketingConsent\n${rows.map(([email, consent]) => `${email},${consent}`).join('\n')}\n`;
  await container.getBlockBlobClient(`${SEGMENT}/part-00000.csv`).upload(body, Buffer.byteLength(body));
}

describe('suppression list and consent filter: worker + Azurite + RollWorks simulator', () => {
  const { world } = useWorlds();

  it('never sends a suppressed member, given as email or digest, in any spelling; counts them', async () => {
    const w = world();
    const segment = makeSegment('sup', 200, 10);
    await w.writeSegment(SEGMENT, segment);
    // persons 0..9 suppressed (persons 0..9 also have a re-spelled duplicate row each), 10..14 by digest
    const suppressed = segment.expected.slice(0, 15);
    await suppress(w, [...suppressed.slice(0, 10), 'unrelated@example.com']);
    const packed = Buffer.from(suppressed.slice(10).map(md5).join(''), 'hex');
    const store = createSuppressionStore(() => w.services.storage.stateContainer());
    const both = Buffer.concat([(await store.load('conn-1', 16)).bytes, packed]);
    await store.replace('conn-1', DigestList.build(both, both.length / 16, 16), 'md5', BY, new Date());

    const run = w.startRun();
    await w.deliver(run.message());
    expect(w.runs.segment(run.runId, SEGMENT)).toMatchObject({
      status: 'succeeded',
      counts: { read: 210, invalid: 0, duplicates: 0, suppressed: 25, valid: 185, sent: 185, added: 185 },
    });
    w.expectAudience(segment.expected.slice(15));
  });

  it('checks plain addresses against the list too when the export does not hash', async () => {
    const w = world({ export: { hashEmails: false } });
    const segment = makeSegment('plain', 150);
    await w.writeSegment(SEGMENT, segment);
    await suppress(w, segment.expected.slice(0, 7));
    const run = w.startRun();
    await w.deliver(run.message());
    expect(w.runs.segment(run.runId, SEGMENT).counts).toMatchObject({ suppressed: 7, valid: 143, sent: 143 });
    w.expectAudience(segment.expected.slice(7));
  });

  it('removes a newly suppressed member at the next run of an unchanged segment, past the mass-removal guard', async () => {
    const w = world({ settings: { MASS_REMOVAL_MAX_SHARE: '0.2', MASS_REMOVAL_MIN_COUNT: '100' } });
    const segment = makeSegment('later', 600);
    await w.writeSegment(SEGMENT, segment);
    await w.deliver(w.startRun().message());
    const audienceId = w.expectAudience(segment.expected).id;

    // 200 of 600 (33 %) suppressed afterwards: more than the guard allows for ordinary removals
    await suppress(w, segment.expected.slice(0, 200));
    const run = w.startRun();
    await w.deliver(run.message());
    expect(w.runs.segment(run.runId, SEGMENT)).toMatchObject({
      status: 'succeeded',
      reason: null,
      counts: { suppressed: 200, valid: 400, sent: 400, added: 0, removed: 200 },
    });
    expect(w.expectAudience(segment.expected.slice(200)).id).toBe(audienceId);

    // ordinary removals on top still count: 150 more of the 400 dropped from the segment is blocked
    await w.writeSegment(SEGMENT, makeSegment('later', 450));
    const blocked = w.startRun();
    await w.deliver(blocked.message());
    expect(w.runs.segment(blocked.runId, SEGMENT)).toMatchObject({
      status: 'failed',
      error: { code: 'MASS_REMOVAL_BLOCKED' },
    });
  });

  it('sends only rows whose consent value is accepted (trimmed, any case) and counts the others', async () => {
    const w = world({
      export: { consent: { field: 'MarketingConsent', acceptedValues: ['true', 'Yes', ' 1 '] } },
    });
    const rows: [string, string][] = [];
    const expected: string[] = [];
    for (let i = 0; i < 240; i++) {
      const consent = ['TRUE', ' yes ', '1', 'no', '', 'false'][i % 6];
      rows.push([`c${i}@example.com`, consent]);
      if (i % 6 < 3) expected.push(`c${i}@example.com`);
    }
    rows.push(['not-an-email', 'no']); // not consenting: not judged, so no rejection either
    await writeConsentSegment(w, rows);
    const run = w.startRun();
    await w.deliver(run.message());
    const state = w.runs.segment(run.runId, SEGMENT);
    expect(state).toMatchObject({
      status: 'succeeded',
      counts: { read: 241, invalid: 0, withoutConsent: 121, valid: 120, sent: 120 },
      rejectionsUrl: null,
    });
    w.expectAudience(expected);
  });

  it('fails the segment with CONSENT_FIELD_MISSING when the segment lost the consent field', async () => {
    const w = world({ export: { consent: { field: 'MarketingConsent', acceptedValues: ['yes'] } } });
    await w.writeSegment(SEGMENT, makeSegment('nofield', 150));
    const run = w.startRun();
    await w.deliver(run.message());
    expect(w.runs.segment(run.runId, SEGMENT)).toMatchObject({
      status: 'failed',
      error: { code: 'CONSENT_FIELD_MISSING' },
    });
    expect(w.audiences()).toHaveLength(0);
  });
});
