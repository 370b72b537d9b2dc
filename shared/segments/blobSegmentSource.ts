// Placeholder until its issue lands: the real module replaces this file.

export function createSegmentSource(..._args: unknown[]): never {
  throw new Error('createSegmentSource is not implemented yet');
}
