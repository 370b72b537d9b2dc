import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { useConsole } from './context';
import { Link } from './Link';
import { ErrorAlert, Loading } from '../ui/fields';

const ROLE_NAMES: Record<string, string> = {
  'Exports.Admin': 'Administrator',
  'Exports.Contributor': 'Contributor',
  'Exports.Viewer': 'Viewer',
  'Exports.Runner': 'Runner',
};

/** Header, navigation and the page's heading; sets the document title. */
export function Layout({
  title,
  section,
  children,
}: {
  title: string;
  section: string;
  children: ComponentChildren;
}) {
  const { session, can } = useConsole();
  useEffect(() => {
    document.title = `${title} · RollWorks export`;
  }, [title]);
  const navLink = (to: string, name: string) => (
    <li>
      <Link to={to} class={section === name ? 'current' : undefined}>
        {name}
      </Link>
    </li>
  );
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">RollWorks export</span>
        <nav aria-label="Main">
          <ul>
            {navLink('/exports', 'Exports')}
            {can.seeConnections && navLink('/connections', 'Connections')}
          </ul>
        </nav>
        <div class="user">
          <span>
            {session.user.name} · {session.user.roles.map((role) => ROLE_NAMES[role] ?? role).join(', ')}
          </span>
          <button type="button" class="link" onClick={() => session.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <h1>{title}</h1>
        {children}
      </main>
    </>
  );
}

/** A page whose data is still loading, or failed to. */
export function Pending({ title, section, error }: { title: string; section: string; error: unknown }) {
  return (
    <Layout title={title} section={section}>
      {error ? <ErrorAlert error={error} /> : <Loading />}
    </Layout>
  );
}
