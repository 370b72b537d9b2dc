import type { DestinationAccount } from '../destinations/destination';
import { describeError } from '../errors/describeError';
import type { LogFields, Logger } from '../logging/logger';
import { audienceCountMismatch, type SegmentError } from '../runs/segmentExplanation';

/**
 * Reads back what the destination holds after a write that could reveal a replace that appends (the
 * first write, or one that removed members). A warning when it holds more than was sent; a failed
 * read only goes to the log: the write itself succeeded.
 */
export async function checkAudienceCount(
  account: DestinationAccount,
  audienceId: string,
  sent: number,
  context: { destination: string; logger: Logger; ids: LogFields },
): Promise<SegmentError | null> {
  try {
    const held = (await account.readAudience(audienceId)).memberCount;
    if (held <= sent) return null;
    context.logger.warn('audience holds more members than were sent', { ...context.ids, held, sent });
    return audienceCountMismatch(context.destination, held, sent);
  } catch (error) {
    context.logger.warn('could not read the audience back after the write', {
      ...context.ids,
      error: describeError(error),
    });
    return null;
  }
}
