import type { Readable } from 'node:stream';
import type { StorageClients } from '../storage/clients';
import { hasStatus } from '../storage/tables';
import { rejectionBlobName } from '../worker/rejectionReport';
import { isFinalSegmentStatus, type Run, type SegmentRunState } from '../model/run';
import { NotFoundError } from '../errors/domainErrors';
import type { Services } from '../services';

/** The rejection report of one segment of a run; NotFoundError naming the run, the segment or the report. */
export async function openSegmentRejections(
  services: Pick<Services, 'runs' | 'storage' | 'config'>,
  runId: string,
  segment: string,
): Promise<{ fileName: string; report: Readable }> {
  const run = await services.runs.view(runId);
  const state = findRunSegment(run, segment);
  if (!state) {
    throw new NotFoundError(`Run "${run.id}" has no segment "${segment}".`, {
      code: 'SEGMENT_NOT_IN_RUN',
      field: 'segment',
    });
  }
  const report = await openRejectionReport(services.storage, run.id, state.segment);
  if (!report && state.rejectionsUrl) {
    throw new NotFoundError(
      `The rejection report of segment "${state.segment}" of run "${run.id}" was deleted: reports are kept for ${services.config.REJECTION_RETENTION_DAYS} days (REJECTION_RETENTION_DAYS), or until their export or segment is removed.`,
      { code: 'REJECTIONS_EXPIRED', field: 'segment' },
    );
  }
  if (!report) {
    throw new NotFoundError(
      `Segment "${state.segment}" of run "${run.id}" has no rejection report: ${noReportReason(state)}.`,
      { code: 'REJECTIONS_NOT_FOUND', field: 'segment' },
    );
  }
  return { fileName: rejectionFileName(run.id, state.segment), report };
}

/** Streams a segment's rejection report from the state container; null when there is none. */
async function openRejectionReport(
  storage: Pick<StorageClients, 'stateContainer'>,
  runId: string,
  segment: string,
): Promise<Readable | null> {
  try {
    const download = await storage
      .stateContainer()
      .getBlobClient(rejectionBlobName(runId, segment))
      .download();
    return (download.readableStreamBody as Readable | undefined) ?? null;
  } catch (error) {
    if (hasStatus(error, 404)) return null;
    throw error;
  }
}

/** `attachment` with an ASCII file name and the exact UTF-8 one (RFC 6266 / 8187). */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^A-Za-z0-9._-]+/g, '_');
  const utf8 = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

const rejectionFileName = (runId: string, segment: string) => `rejections-${runId}-${segment}.csv`;

/** The run's segment named by the path (as decoded by the host, or still encoded by a proxy). */
function findRunSegment(run: Run, raw: string): SegmentRunState | undefined {
  const exact = run.segments.find((s) => s.segment === raw);
  if (exact) return exact;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  return run.segments.find((s) => s.segment === decoded);
}

/** Why a segment of a run has no rejection report, for the 404. */
function noReportReason(state: SegmentRunState): string {
  if (!isFinalSegmentStatus(state.status) && state.counts.read === 0) {
    return 'the segment has not been read yet; the report appears when reading ends';
  }
  if (state.counts.read === 0) return 'the segment was not read in this run';
  return 'no row was rejected';
}
