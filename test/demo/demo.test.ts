import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { ContainerClient } from '@azure/storage-blob';
import { runDemoCli } from '../../dev/demo/cli';
import { bufferOutput } from '../../dev/demo/output';
import type { AfterRunContext } from '../../dev/demo/runDemo';
import type { SegmentRunState } from '../../shared/model/run';

jest.setTimeout(240_000);

const md5 = (value: string) => createHash('md5').update(value).digest('hex');

/** A quoted-field aware split of one CSV line (the generated segments have no multi-line fields). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

const PLAIN_EMAIL = /^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$/;

/**
 * What RollWorks must hold for a segment, worked out here from the blobs themselves: the unique
 * trimmed, lower-cased, well-formed emails, MD5-hashed.
 */
async function expectedAudience(container: ContainerClient, segment: string): Promise<Set<string>> {
  const members = new Set<string>();
  for await (const blob of container.listBlobsFlat({ prefix: `${segment}/` })) {
    if (!/\/part-\d+\.(csv|jsonl)(\.gz)?$/.test(blob.name)) continue;
    let body = await container.getBlobClient(blob.name).downloadToBuffer();
    if (blob.name.endsWith('.gz')) body = gunzipSync(body);
    const lines = body.toString('utf8').split('\n').filter(Boolean);
    let emails: string[];
    if (blob.name.includes('.jsonl')) {
      emails = lines.map((line) => (JSON.parse(line) as { Email: string }).Email);
    } else {
      const column = csvFields(lines[0]).indexOf('Email');
      emails = lines.slice(1).map((line) => csvFields(line)[column]);
    }
    for (const email of emails) {
      const normalized = email.trim().toLowerCase();
      if (PLAIN_EMAIL.test(normalized)) members.add(md5(normalized));
    }
  }
  return members;
}

interface Snapshot {
  round: 1 | 2;
  segments: {
    state: SegmentRunState;
    expected: Set<string>;
    held: string[];
    liveWithName: number;
  }[];
}

async function snapshot(context: AfterRunContext): Promise<Snapshot> {
  const simulatorUrl = context.stack.simulator!.url;
  const state = (await (await fetch(`${simulatorUrl}/__admin/state?members=false`)).json()) as {
    audiences: { id: string; name: string; deleted: boolean }[];
  };
  const segments = [];
  for (const segmentState of context.run.segments) {
    const audience = segmentState.audience!;
    const stored = (await (
      await fetch(`${simulatorUrl}/__admin/audiences/${audience.id}/members`)
    ).json()) as {
      members: string[];
    };
    segments.push({
      state: segmentState,
      expected: await expectedAudience(context.segmentsContainer, segmentState.segment),
      held: stored.members,
      liveWithName: state.audiences.filter((a) => a.name === audience.name && !a.deleted).length,
    });
  }
  return { round: context.round, segments };
}

describe('npm run demo (small segments, free ports)', () => {
  const snapshots: Snapshot[] = [];
  const output = bufferOutput();
  const errors: string[] = [];
  let exitCode: number;

  beforeAll(async () => {
    exitCode = await runDemoCli(
      {
        DEMO_BIG_SEGMENT_SIZE: '2000',
        DEMO_NEWSLETTER_SEGMENT_SIZE: '300',
        DEMO_VIP_SEGMENT_SIZE: '60',
        DEMO_FREE_PORTS: '1',
      },
      output,
      { afterRun: async (context) => void snapshots.push(await snapshot(context)) },
      (text) => errors.push(text),
    );
  });

  it('exits 0 after both runs', () => {
    expect({ exitCode, errors }).toEqual({ exitCode: 0, errors: [] });
    expect(snapshots.map((s) => s.round)).toEqual([1, 2]);
    expect(output.text()).toMatch(/Demo finished in/);
  });

  it('shows a verified webhook delivery and, with the clock moved forward, a match report', () => {
    expect(output.text()).toMatch(/rollworks\.export\.run\.succeeded \S+ for export \S+: signature verified/);
    expect(output.text()).toMatch(
      /2 audience\(s\) reported in one User Lists request; rollworks\.export\.match\.reported delivered and verified/,
    );
  });

  it('shows the 60-profile export refused with the fewer-than-100 reason from the API', () => {
    expect(output.text()).toMatch(
      /refused as expected: 422 .*\n.*"vip-preview" has 60 profiles, fewer than the minimum of 100/,
    );
  });

  it('leaves each audience holding exactly the segment’s unique valid emails, in one audience per segment', () => {
    for (const { segments } of snapshots) {
      expect(segments.map((s) => s.state.segment).sort()).toEqual([
        'high-value-customers',
        'newsletter-subscribers',
      ]);
      for (const segment of segments) {
        expect(segment.state.status).toBe('succeeded');
        expect(segment.liveWithName).toBe(1);
        expect(segment.expected.size).toBeGreaterThan(100);
        expect([...segment.held].sort()).toEqual([...segment.expected].sort());
        expect(segment.state.counts.valid).toBe(segment.expected.size);
      }
    }
  });

  it('reports the change of the big segment as added/removed and leaves the unchanged one alone', () => {
    const [first, second] = snapshots;
    const before = new Set(first.segments.find((s) => s.state.segment === 'high-value-customers')!.held);
    const big = second.segments.find((s) => s.state.segment === 'high-value-customers')!;
    const after = big.expected;
    const added = [...after].filter((m) => !before.has(m)).length;
    const removed = [...before].filter((m) => !after.has(m)).length;
    expect(added).toBeGreaterThan(0);
    expect(removed).toBeGreaterThan(0);
    expect(big.state.counts).toMatchObject({ added, removed, sent: after.size });

    const newsletter = second.segments.find((s) => s.state.segment === 'newsletter-subscribers')!;
    expect(newsletter.state).toMatchObject({
      reason: 'unchanged',
      counts: { sent: 0, added: 0, removed: 0 },
    });
    const secondRun = output.text().slice(output.text().indexOf('Run 2:'));
    const row = secondRun.split('\n').find((line) => /^\s+high-value-customers\s+succeeded\s/.test(line))!;
    // segment status read invalid duplicates valid sent added removed audience time
    const cells = row.trim().split(/\s+/);
    expect(cells.slice(7, 9)).toEqual([added.toLocaleString('en-US'), removed.toLocaleString('en-US')]);
  });

  it('prints no email address and no MD5 digest', () => {
    expect(output.text()).not.toMatch(/[^\s@"]+@[^\s@"]+\.[a-z]{2,}/i);
    expect(output.text()).not.toMatch(/\b[0-9a-f]{32}\b/i);
  });
});
