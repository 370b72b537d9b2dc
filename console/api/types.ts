import type { z } from 'zod';
import type { connectionSchema, connectionSummarySchema } from '../../shared/connections/schemas';
import type { exportRequestSchema, exportResponseSchema } from '../../shared/exports/schemas';
import type { RunResponse, SegmentRunResponse } from '../../shared/runs/schemas';
import type { segmentInfoSchema } from '../../shared/segments/segmentSchemas';
import type { advertiserListSchema } from '../../shared/connections/advertiserSchemas';
import type { discontinuedResponseSchema } from '../../shared/discontinue/schemas';
import type { suppressionInfoSchema, suppressionReplacedSchema } from '../../shared/suppressions/schemas';

/** The API's shapes, from the zod schemas that validate and describe them (types only: no zod in the bundle). */
export type Connection = z.infer<typeof connectionSchema>;
export type ConnectionSummary = z.infer<typeof connectionSummarySchema>;
/** What GET /api/connections returns to the caller's role: admins the whole connection. */
export type ConnectionView = ConnectionSummary & Partial<Connection>;
export type ExportView = z.infer<typeof exportResponseSchema>;
export type ExportRequest = z.input<typeof exportRequestSchema>;
export type Segment = z.infer<typeof segmentInfoSchema>;
export type AdvertiserList = z.infer<typeof advertiserListSchema>;
export type Run = RunResponse;
export type SegmentRun = SegmentRunResponse;
export type SuppressionList = z.infer<typeof suppressionInfoSchema>;
export type SuppressionUpload = z.infer<typeof suppressionReplacedSchema>;
export type Discontinued = z.infer<typeof discontinuedResponseSchema>;
