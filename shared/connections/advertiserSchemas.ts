import { z } from 'zod';

/** Answer of `GET /api/connections/{id}/advertisers`: what an export on the connection can target. */
export const advertiserListSchema = z.object({
  advertisers: z
    .array(
      z.object({ id: z.string().describe('RollWorks Advertiser ID (advertisable eid).'), name: z.string() }),
    )
    .describe("The advertisers the connection's RollWorks user can write audiences to."),
  segmentLimits: z
    .object({
      minProfiles: z.number().int().describe('Fewest profiles a segment may have (SEGMENT_MIN_PROFILES).'),
      maxProfiles: z
        .number()
        .int()
        .describe(
          "Most profiles a segment may have: SEGMENT_MAX_PROFILES or the connection's lower contract limit.",
        ),
    })
    .describe('Segments outside these sizes cannot be exported on this connection.'),
});
export type AdvertiserList = z.infer<typeof advertiserListSchema>;
