export const ROLES = ['Exports.Admin', 'Exports.Contributor', 'Exports.Viewer', 'Exports.Runner'] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated caller of an API request. */
export interface Principal {
  /** Entra object id (`oid`), or `sub` when absent. */
  id: string;
  name: string;
  roles: Role[];
}

export interface IdentityRef {
  id: string;
  name: string;
}

export const identityOf = (principal: Principal): IdentityRef => ({ id: principal.id, name: principal.name });
