import type { WorkerPorts } from '../../../shared/worker/workerPorts';

/** Where a worker may die: right after the create, recording its id, the members request or the snapshot. */
export type CrashPoint = 'audienceCreated' | 'audienceRecorded' | 'membersSent' | 'snapshotWritten';

/**
 * Ports that throw `crash()` right after `point` while `armed()` says so, as a worker process dying
 * there would leave things: the step before done, nothing after it.
 */
export function crashAfter(point: CrashPoint, armed: () => boolean, crash: () => Error) {
  const maybeCrash = () => {
    if (armed()) throw crash();
  };
  return (ports: WorkerPorts): WorkerPorts => {
    switch (point) {
      case 'audienceCreated':
        return {
          ...ports,
          destinations: {
            get(type) {
              const destination = ports.destinations.get(type);
              return {
                ...destination,
                forConnection(tokens) {
                  const account = destination.forConnection(tokens);
                  return {
                    ...account,
                    async createAudience(...args) {
                      const created = await account.createAudience(...args);
                      maybeCrash();
                      return created;
                    },
                  };
                },
              };
            },
          },
        };
      case 'audienceRecorded':
        return {
          ...ports,
          audiences: {
            ...ports.audiences,
            async recordAudience(...args) {
              await ports.audiences.recordAudience(...args);
              maybeCrash();
            },
          },
        };
      case 'membersSent':
        return {
          ...ports,
          snapshots: {
            ...ports.snapshots,
            async commit(...args) {
              maybeCrash();
              await ports.snapshots.commit(...args);
            },
          },
        };
      case 'snapshotWritten':
        return {
          ...ports,
          snapshots: {
            ...ports.snapshots,
            async commit(...args) {
              await ports.snapshots.commit(...args);
              maybeCrash();
            },
          },
        };
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
