import { useEffect, useState } from 'preact/hooks';
import { CONSOLE_PATH } from '../../shared/console/signInSettings';

/** The console's paths live under the path the function serves it at; the page routes itself. */
export const BASE = CONSOLE_PATH.replace(/\/$/, '');

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((listener) => listener());
addEventListener('popstate', notify);

/** The current path inside the console, e.g. `/exports/exp_1`, and its query. */
export function currentRoute(): { path: string; query: URLSearchParams } {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '/';
  // The console opens on the exports list.
  return { path: path.replace(/\/+$/, '') || '/exports', query: new URLSearchParams(location.search) };
}

export function navigate(to: string, { replace = false } = {}): void {
  history[replace ? 'replaceState' : 'pushState'](null, '', `${BASE}${to}`);
  scrollTo(0, 0);
  notify();
}

export function useRoute() {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return route;
}

/** `/exports/:id` against `/exports/exp_1` → { id: 'exp_1' }. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const names: string[] = [];
  const regex = new RegExp(
    `^${pattern.replace(/:(\w+)/g, (_, name: string) => (names.push(name), '([^/]+)'))}$`,
  );
  const found = regex.exec(path);
  return found
    ? Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1])]))
    : undefined;
}

/** Click handler for in-console links: no page load. */
export function onLinkClick(event: MouseEvent): void {
  const link = (event.currentTarget as HTMLAnchorElement | null)?.getAttribute('href');
  if (!link?.startsWith(BASE) || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0)
    return;
  event.preventDefault();
  navigate(link.slice(BASE.length));
}
