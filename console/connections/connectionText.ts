import type { ConnectionView } from '../api/types';

export const ACCESS_TEXT = {
  admins: 'Administrators',
  adminsAndContributors: 'Administrators and contributors',
} as const;

export const STATUS_TEXT: Record<ConnectionView['status'], string> = {
  pendingAuthorization: 'Waiting for RollWorks sign-in',
  authorized: 'Needs an export user',
  ready: 'Ready',
  reauthorizationRequired: 'Needs signing in again',
};

/** Contributors see only connections shared with them, in summary (no `access`). */
export const accessText = (connection: ConnectionView) =>
  ACCESS_TEXT[connection.access ?? 'adminsAndContributors'];
