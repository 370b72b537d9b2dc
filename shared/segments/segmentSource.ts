export interface SegmentInfo {
  /** Folder name of the segment in the segments container. */
  name: string;
  /** Row count from the manifest or a cached count; null when not known yet. */
  rowCount: number | null;
  fields: string[];
  lastModified: string | null;
  /** Format of the folder (`null` when it holds no data partitions). */
  format?: 'csv' | 'jsonl' | 'cdm' | null;
  /** Set by `list()` instead of failing the whole listing when one folder cannot be described. */
  error?: { code: SegmentErrorCode; message: string };
}

/**
 * The values of one field in a run of rows (one parsed chunk of a partition blob): parallel arrays
 * instead of an object per row.
 */
export interface FieldBatch {
  /** Full blob name, e.g. `vip/part-00001.csv.gz`. */
  blob: string;
  /**
   * Each row's 1-based LINE NUMBER in the (decompressed) blob on which the row starts: for CSV with a
   * header the first data row is line 2; a quoted field spanning lines makes later rows start further
   * down.
   */
  rows: number[];
  /** Each row's value of the field ('' when a JSON object lacks it; '' for an unreadable row). */
  values: string[];
  /**
   * Rows that could not be read (wrong column count, broken quoting, a JSON line that is not an
   * object): index into `rows`, and why. They are never dropped silently. Usually empty.
   */
  unreadable: { index: number; reason: string }[];
  /** With `alsoField`: each row's value of that second field, parallel to `values`. */
  also?: string[];
}

export interface ReadFieldOptions {
  signal?: AbortSignal;
  /** A second field read in the same pass (e.g. an export's consent field), given in `batch.also`. */
  alsoField?: string;
}

export type SegmentErrorCode =
  | 'SEGMENT_NOT_FOUND'
  | 'SEGMENT_EMPTY'
  | 'EMAIL_FIELD_MISSING'
  /** The export's consent field is not among the segment's fields. */
  | 'CONSENT_FIELD_MISSING'
  | 'MODEL_JSON_INVALID'
  | 'SEGMENT_FORMAT_UNSUPPORTED'
  /** Two columns carry the field's name. */
  | 'FIELD_AMBIGUOUS'
  /** A partition's content is broken (bad gzip, truncated, a line or field over the limit): not the store's fault. */
  | 'SEGMENT_DATA_INVALID'
  /** A partition was rewritten, added or removed while the segment was read: read it again later. */
  | 'SEGMENT_CHANGED_DURING_READ'
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

/**
 * What a segment holds right now, from one listing: `key` changes with every new version (the
 * manifest's `generatedAt` where a manifest.json gives one, else the partitions' ETags).
 */
export interface SegmentVersion {
  key: string;
  /** The newest write of any blob in the folder: the version is complete once this is old enough. */
  lastWrite: Date | null;
}

/** Reads segment folders from Blob Storage as streams. */
export interface SegmentSource {
  /** Every segment folder, by name; `count` counts rows not known from a manifest or the cache. */
  list(options?: { count?: boolean }): Promise<SegmentInfo[]>;
  /** One segment's description; counts rows (cached by ETags) when `count` and no manifest says. */
  describe(name: string, options?: { count?: boolean }): Promise<SegmentInfo>;
  /**
   * One field's values of every row, partitions in order, a batch at a time, with back-pressure.
   * Throws SegmentSourceError: before the first batch for a missing folder, a malformed model.json
   * or `field` (or `alsoField`) not among the fields; SEGMENT_EMPTY (after no batch) when the
   * partitions hold no rows; SEGMENT_CHANGED_DURING_READ when a partition changed under the read, or
   * the folder lists other partitions after the last one was read (so a caller never gets a mix of
   * two versions).
   */
  readField(name: string, field: string, options?: ReadFieldOptions): AsyncIterable<FieldBatch>;
  /** The segment's current version (throws SegmentSourceError for a missing or unreadable folder). */
  version(name: string): Promise<SegmentVersion>;
}
