import type { Services } from '../services';

export interface ExportLink {
  id: string;
  displayName: string;
}

/** Exports that use a connection, and what happens to them when it is deleted. */
export function exportLinks(services: Services) {
  return {
    async using(connectionId: string): Promise<ExportLink[]> {
      const exports = await services.exports.listByConnection(connectionId);
      return exports.map((e) => ({ id: e.id, displayName: e.displayName }));
    },
    /** detach: exports kept, inactive and without connection; remove: exports deleted. */
    async release(connectionId: string, mode: 'detach' | 'remove'): Promise<void> {
      if (mode === 'detach') await services.exports.detachConnection(connectionId);
      else await services.exports.removeByConnection(connectionId);
    },
  };
}
