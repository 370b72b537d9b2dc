import { ROLES, type Role } from '../model/identity';

/** The sets of roles routes allow. */
export const EVERYONE: readonly Role[] = ROLES;
export const ADMINS: readonly Role[] = ['Exports.Admin'];
/** May configure exports (contributors only on connections shared with them). */
export const EDITORS: readonly Role[] = ['Exports.Admin', 'Exports.Contributor'];
/** May start and cancel runs. */
export const RUNNERS: readonly Role[] = ['Exports.Admin', 'Exports.Contributor', 'Exports.Runner'];
/** Rejection reports hold masked emails: not for Runners, which only start runs and read their status. */
export const REPORT_READERS: readonly Role[] = ['Exports.Admin', 'Exports.Contributor', 'Exports.Viewer'];
