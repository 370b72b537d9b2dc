import { useEffect, useState } from 'preact/hooks';
import type { Connection } from '../api/types';
import { useConsole } from '../app/context';
import { ErrorAlert } from '../ui/fields';
import { useAction } from '../ui/useAction';

const POLL_MS = 1500;

/**
 * Authenticate with RollWorks (their sign-in opens in a new window; this page watches the connection
 * until it is authorized) and Add yourself as export user.
 */
export function RollWorksSteps({
  connection,
  reload,
}: {
  connection: Connection;
  reload: () => Promise<void>;
}) {
  const { api } = useConsole();
  const [waiting, setWaiting] = useState(false);
  const { error, run } = useAction();
  const signedIn = connection.status === 'authorized' || connection.status === 'ready';

  useEffect(() => {
    if (!waiting || signedIn) {
      if (signedIn) setWaiting(false);
      return;
    }
    const timer = setInterval(() => void reload(), POLL_MS);
    return () => clearInterval(timer);
  }, [waiting, signedIn, reload]);

  const authenticate = () =>
    run(async () => {
      const { authorizeUrl } = await api.send<{ authorizeUrl: string }>(
        'POST',
        `/connections/${connection.id}/authorize`,
      );
      window.open(authorizeUrl, '_blank', 'noopener');
      setWaiting(true);
    });
  const addExportUser = () =>
    run(async () => {
      await api.send('POST', `/connections/${connection.id}/export-user`);
      await reload();
    });

  return (
    <section class="steps" aria-labelledby="rollworks-heading">
      <h2 id="rollworks-heading">RollWorks account</h2>
      <ErrorAlert error={error} />
      {connection.status === 'reauthorizationRequired' && (
        <p class="notice" role="status">
          RollWorks no longer accepts this connection's sign-in. Authenticate with RollWorks again.
        </p>
      )}
      <div class="step">
        <p>
          {connection.rollworks && signedIn ? (
            <>
              Signed in to the RollWorks organization <strong>{connection.rollworks.organizationName}</strong>
              .
            </>
          ) : waiting ? (
            <span role="status">Waiting for the RollWorks sign-in in the other window…</span>
          ) : (
            'Sign in to RollWorks and allow this app to manage audiences.'
          )}
        </p>
        <button type="button" class={signedIn ? '' : 'primary'} onClick={() => void authenticate()}>
          Authenticate with RollWorks
        </button>
      </div>
      <div class="step">
        <p>
          {connection.exportUser
            ? `Export user: ${connection.exportUser.name}.`
            : 'Exports run under the identity of an export user.'}
        </p>
        <button
          type="button"
          class={signedIn && !connection.exportUser ? 'primary' : ''}
          disabled={!signedIn}
          onClick={() => void addExportUser()}
        >
          Add yourself as export user
        </button>
      </div>
    </section>
  );
}
