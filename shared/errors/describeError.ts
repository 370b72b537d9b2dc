/** `Name: message` of a thrown value for logs and stored errors; `fallback` when it is not an Error. */
export function describeError(error: unknown, fallback = 'unknown'): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : fallback;
}
