import type { SimulatorFaults } from './options';

export type InjectedFault = 'drop' | '429' | '500';

/** mulberry32: a tiny seeded PRNG so fault shares are repeatable in tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Independent draws in a fixed order: drop, then 429, then 500. */
export function drawFault(faults: SimulatorFaults, random: () => number): InjectedFault | undefined {
  if (faults.dropRate && random() < faults.dropRate) return 'drop';
  if (faults.rate429 && random() < faults.rate429) return '429';
  if (faults.rate500 && random() < faults.rate500) return '500';
  return undefined;
}

/** Validates a faults object from the admin endpoint; returns an error message or the faults. */
export function parseFaults(input: unknown): SimulatorFaults | string {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    return 'faults must be a JSON object';
  const source = input as Record<string, unknown>;
  const faults: SimulatorFaults = {};
  for (const key of ['rate429', 'rate500', 'dropRate'] as const) {
    const value = source[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value >= 0 && value <= 1))
      return `${key} must be a number from 0 to 1`;
    faults[key] = value;
  }
  for (const key of ['latencyMs', 'retryAfterSeconds', 'seed'] as const) {
    const value = source[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
      return `${key} must be a non-negative integer`;
    faults[key] = value;
  }
  for (const key of ['auth', 'dropAfterProcessing'] as const) {
    const value = source[key];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') return `${key} must be a boolean`;
    faults[key] = value;
  }
  const known = new Set(Object.keys(faults));
  const unknown = Object.keys(source).filter((key) => !known.has(key));
  if (unknown.length > 0) return `unknown fault setting: ${unknown[0]}`;
  return faults;
}
