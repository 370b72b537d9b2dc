import type { Connection } from '../model/connection';
import type { Principal, Role } from '../model/identity';

const has = (principal: Principal, role: Role) => principal.roles.includes(role);

export const isAdmin = (principal: Principal) => has(principal, 'Exports.Admin');

/** Whether the caller may configure exports on this connection (and see it, in summary). */
export function mayUseConnection(
  principal: Principal,
  connection: Pick<Connection, 'access'> | null,
): boolean {
  if (isAdmin(principal)) return true;
  return (
    has(principal, 'Exports.Contributor') &&
    connection !== null &&
    connection.access === 'adminsAndContributors'
  );
}
