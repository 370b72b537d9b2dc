import type { Services } from '../services';
import type { Connection } from '../model/connection';
import { InvalidError, type FieldError } from '../errors/domainErrors';
import { SegmentSourceError, type SegmentInfo } from '../segments/segmentSource';
import type { ExportRequest } from './schemas';

const SEGMENT_CHECK_CONCURRENCY = 4;

/**
 * The rules on an export's segments: each exists, has the email field (and the consent field, when
 * there is one) and a size within the limits.
 */
export async function checkSegments(
  services: Pick<Services, 'config' | 'segments'>,
  connection: Connection,
  request: ExportRequest,
): Promise<void> {
  const { SEGMENT_MIN_PROFILES: min, SEGMENT_MAX_PROFILES: systemMax } = services.config;
  const max = Math.min(systemMax, connection.profileLimit ?? systemMax);
  const problems: (FieldError & { code: string })[] = [];
  const infos = await mapLimited(request.segments, SEGMENT_CHECK_CONCURRENCY, async (name) => {
    try {
      return await services.segments.describe(name, { count: true });
    } catch (error) {
      if (error instanceof SegmentSourceError) return error;
      throw error;
    }
  });
  infos.forEach((info: SegmentInfo | SegmentSourceError, index) => {
    const field = `segments.${index}`;
    const name = request.segments[index];
    if (info instanceof SegmentSourceError) {
      const message =
        info.code === 'SEGMENT_NOT_FOUND'
          ? `Segment "${name}" does not exist in the segment store.`
          : `Segment "${name}" cannot be read: ${info.message}`;
      problems.push({ field, message, code: info.code });
      return;
    }
    if (!info.fields.includes(request.emailField)) {
      problems.push({
        field: 'emailField',
        code: 'EMAIL_FIELD_MISSING',
        message: `Segment "${info.name}" has no field "${request.emailField}" (its fields: ${info.fields.join(', ') || 'none'}).`,
      });
    }
    const consentField = request.consent?.field;
    if (consentField !== undefined && !info.fields.includes(consentField)) {
      problems.push({
        field: 'consent.field',
        code: 'CONSENT_FIELD_MISSING',
        message: `Segment "${info.name}" has no field "${consentField}" (its fields: ${info.fields.join(', ') || 'none'}).`,
      });
    }
    if (info.rowCount !== null && info.rowCount < min) {
      problems.push({
        field,
        code: 'SEGMENT_TOO_SMALL',
        message: `Segment "${info.name}" has ${info.rowCount} profiles, fewer than the minimum of ${min}.`,
      });
    } else if (info.rowCount !== null && info.rowCount > max) {
      const whose = max < systemMax ? "the connection's contract limit" : 'the limit';
      problems.push({
        field,
        code: 'SEGMENT_TOO_LARGE',
        message: `Segment "${info.name}" has ${info.rowCount} profiles, more than ${whose} of ${max}.`,
      });
    }
  });
  if (problems.length > 0) {
    throw new InvalidError(problems.map((p) => p.message).join(' '), {
      code: problems[0].code,
      field: problems[0].field,
      errors: problems.map(({ field, message }) => ({ field, message })),
      details: { codes: problems.map((p) => p.code) },
    });
  }
}

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  });
  await Promise.all(workers);
  return results;
}
