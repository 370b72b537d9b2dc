import {
  NotFoundError,
  InvalidError,
  UnavailableError,
  UpstreamError,
  type DomainError,
} from '../errors/domainErrors';
import { SegmentSourceError, type SegmentInfo, type SegmentSource } from './segmentSource';

/** The segments API: what the source lists and describes, its errors naming the segment (`name`). */
export function segmentCatalog(source: SegmentSource) {
  return {
    list: (options: { count: boolean }) => answer(() => source.list(options)),
    describe: (name: string, options: { count: boolean }) => answer(() => source.describe(name, options)),
  };
}

async function answer<T extends SegmentInfo | SegmentInfo[]>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof SegmentSourceError) throw asDomainError(error);
    throw error;
  }
}

function asDomainError(error: SegmentSourceError): DomainError {
  switch (error.code) {
    case 'SEGMENT_NOT_FOUND':
      return new NotFoundError(error.message, { code: error.code, field: 'name' });
    case 'SEGMENT_CHANGED_DURING_READ':
      return new UnavailableError(error.message, {
        code: error.code,
        field: 'name',
        retryAfterSeconds: 30,
        title: 'Segment is being written',
      });
    case 'SEGMENT_READ_FAILED':
      return new UpstreamError(error.message, { code: error.code, title: 'Segment store unavailable' });
    default:
      return new InvalidError(error.message, { code: error.code, field: 'name' });
  }
}
