import type { AudienceDestination } from './destination';

/** The registered destinations, by `Connection.type`. */
export interface Destinations {
  /** The destination of connections of this type. */
  get(type: string): AudienceDestination;
  /** The destination new connections are made for (the first registered). */
  readonly primary: AudienceDestination;
}

export function createDestinations(
  primary: AudienceDestination,
  ...others: AudienceDestination[]
): Destinations {
  const byType = new Map([primary, ...others].map((destination) => [destination.type, destination]));
  return {
    primary,
    get(type) {
      const destination = byType.get(type);
      if (!destination) throw new Error(`No destination is registered for connections of type "${type}".`);
      return destination;
    },
  };
}
