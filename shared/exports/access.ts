import type { Connection } from '../model/connection';
import type { Principal, Role } from '../model/identity';

const has = (principal: Principal, role: Role) => principal.roles.includes(role);

export const isAdmin = (principal: Principal) => has(principal, 'Exports.Admin');

/** Whether the caller may configure exports on this connection. */
export function mayUseConnection(principal: Principal, connection: Connection | null): boolean {
  if (isAdmin(principal)) return true;
  return (
    has(principal, 'Exports.Contributor') &&
    connection !== null &&
    connection.access === 'adminsAndContributors'
  );
}

/** Whether the caller may start or cancel runs of an export on this connection. */
export function mayRun(principal: Principal, connection: Connection | null): boolean {
  return isAdmin(principal) || has(principal, 'Exports.Runner') || mayUseConnection(principal, connection);
}
