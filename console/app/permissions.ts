import type { Role } from '../../shared/model/identity';

/**
 * What the signed-in roles let a person do, as the API's role rules say (README, "Using the API"):
 * the console offers nothing the API would refuse.
 */
export interface Permissions {
  /** Add, change and remove connections. */
  manageConnections: boolean;
  /** See the connections page (contributors: the connections shared with them). */
  seeConnections: boolean;
  /** Add exports (contributors: on shared connections; per export, `canEdit` says). */
  addExports: boolean;
  /** Start and cancel runs (contributors: of the exports they may edit). */
  run: boolean;
  /** Download rejection reports. */
  downloadRejections: boolean;
}

export function permissionsOf(roles: readonly Role[]): Permissions {
  const has = (role: Role) => roles.includes(role);
  const admin = has('Exports.Admin');
  const contributor = has('Exports.Contributor');
  return {
    manageConnections: admin,
    seeConnections: admin || contributor,
    addExports: admin || contributor,
    run: admin || contributor || has('Exports.Runner'),
    downloadRejections: admin || contributor || has('Exports.Viewer'),
  };
}

/** Whether the caller may start runs of this export (a contributor only where it may edit it). */
export const mayRun = (can: Permissions, roles: readonly Role[], canEdit: boolean) =>
  can.run && (roles.includes('Exports.Admin') || roles.includes('Exports.Runner') || canEdit);

/** The "Your permissions" column. */
export function permissionText(can: Permissions, roles: readonly Role[], canEdit: boolean): string {
  const edit = can.addExports && canEdit;
  const run = mayRun(can, roles, canEdit);
  if (edit && run) return 'Edit, run';
  if (edit) return 'Edit';
  if (run) return 'Run';
  return 'View';
}
