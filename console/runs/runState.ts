import type { Run } from '../api/types';

export const FINAL_RUN = ['succeeded', 'partiallySucceeded', 'failed', 'skipped', 'canceled'];

export const runInProgress = (run: Pick<Run, 'status'>) => !FINAL_RUN.includes(run.status);

export const newIdempotencyKey = () => crypto.randomUUID();
