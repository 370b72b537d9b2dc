export interface SegmentInfo {
  /** Folder name of the segment in the segments container. */
  name: string;
  /** Row count from the manifest or a cached count; null when not known yet. */
  rowCount: number | null;
  fields: string[];
  lastModified: string | null;
}

export type SegmentItem =
  | { kind: 'record'; blob: string; row: number; fields: Record<string, string> }
  | { kind: 'invalid'; blob: string; row: number; reason: string };

export type SegmentErrorCode =
  | 'SEGMENT_NOT_FOUND'
  | 'SEGMENT_EMPTY'
  | 'EMAIL_FIELD_MISSING'
  | 'MODEL_JSON_INVALID'
  | 'SEGMENT_FORMAT_UNSUPPORTED'
  | 'SEGMENT_READ_FAILED';

export class SegmentSourceError extends Error {
  constructor(
    readonly code: SegmentErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SegmentSourceError';
  }
}

/** Reads segment folders from Blob Storage as streams. */
export interface SegmentSource {
  list(): Promise<SegmentInfo[]>;
  /** One segment's description; counts rows (cached by ETags) when `count` and no manifest says. */
  describe(name: string, options?: { count?: boolean }): Promise<SegmentInfo>;
  /** The segment's rows in partition order, with back-pressure. Throws SegmentSourceError. */
  read(name: string, options?: { signal?: AbortSignal; requiredField?: string }): AsyncIterable<SegmentItem>;
}
