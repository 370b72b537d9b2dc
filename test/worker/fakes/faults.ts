import type { WorkerPorts } from '../../../shared/worker/workerPorts';

/** Where a worker may die: right after the create, recording its id, the members request or the snapshot. */
export type CrashPoint = 'audienceCreated' | 'audienceRecorded' | 'membersSent' | 'snapshotWritten';

/**
 * Ports that throw `crash()` right after `point` while `armed()` says so, as a worker process dying
 * there would leave things: the step before done, nothing after it.
 */
export function crashAfter(point: CrashPoint, armed: () => boolean, crash: () => Error) {
  /** `call`, crashing before or after it. */
  const crashing =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>, when: 'before' | 'after') =>
    async (...args: A): Promise<R> => {
      if (when === 'before' && armed()) throw crash();
      const result = await call(...args);
      if (when === 'after' && armed()) throw crash();
      return result;
    };
  return (ports: WorkerPorts): WorkerPorts => {
    const { destinations, audiences, snapshots } = ports;
    switch (point) {
      case 'audienceCreated':
        return {
          ...ports,
          destinations: {
            get(type) {
              const destination = destinations.get(type);
              return {
                ...destination,
                forConnection(tokens) {
                  const account = destination.forConnection(tokens);
                  return { ...account, createAudience: crashing(account.createAudience, 'after') };
                },
              };
            },
          },
        };
      case 'audienceRecorded':
        return {
          ...ports,
          audiences: { ...audiences, recordAudience: crashing(audiences.recordAudience, 'after') },
        };
      // The members request was answered; the snapshot was not committed.
      case 'membersSent':
        return { ...ports, snapshots: { ...snapshots, commit: crashing(snapshots.commit, 'before') } };
      case 'snapshotWritten':
        return { ...ports, snapshots: { ...snapshots, commit: crashing(snapshots.commit, 'after') } };
    }
  };
}

/** Ports whose segment source calls `then` once the worker has read the whole segment. */
export function afterRead(then: () => void) {
  return (ports: WorkerPorts): WorkerPorts => ({
    ...ports,
    segments: {
      readField: (...args) => {
        const batches = ports.segments.readField(...args);
        return (async function* () {
          yield* batches;
          then();
        })();
      },
    },
  });
}

/** Ports whose segment source calls `hook` after the first batch of every read (a writer mid-read). */
export function duringRead(hook: () => Promise<void>) {
  return (ports: WorkerPorts): WorkerPorts => ({
    ...ports,
    segments: {
      ...ports.segments,
      readField: (...args) => {
        const batches = ports.segments.readField(...args);
        return (async function* () {
          let first = true;
          for await (const batch of batches) {
            yield batch;
            if (first) await hook();
            first = false;
          }
        })();
      },
    },
  });
}
