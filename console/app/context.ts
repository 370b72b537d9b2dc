import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from '../api/client';
import type { Session } from '../auth/session';
import { permissionsOf, type Permissions } from './permissions';

export interface ConsoleContext {
  session: Session;
  api: Api;
  can: Permissions;
}

export const Console = createContext<ConsoleContext | null>(null);

export function useConsole(): ConsoleContext {
  const context = useContext(Console);
  if (!context) throw new Error('useConsole outside the console');
  return context;
}

export const contextFor = (session: Session, api: Api): ConsoleContext => ({
  session,
  api,
  can: permissionsOf(session.user.roles),
});
