import { useState } from 'preact/hooks';
import type { Connection, ExportView } from '../api/types';
import { useConsole } from '../app/context';
import { Layout } from '../app/Layout';
import { navigate } from '../app/router';
import { ErrorAlert, Loading } from '../ui/fields';
import { useAction } from '../ui/useAction';
import { useLoad } from '../ui/useLoad';

type Choice = 'remove' | 'detach';

/**
 * Remove a connection: lists the exports that use it, each to be removed or kept without a
 * connection (Detach connection), then deletes the connection and its RollWorks tokens.
 */
export function RemoveConnection({ id }: { id: string }) {
  const { api } = useConsole();
  const { data, error } = useLoad(
    async () => ({
      connection: await api.get<Connection>(`/connections/${id}`),
      exports: (await api.get<{ exports: ExportView[] }>('/exports')).exports.filter(
        (e) => e.connectionId === id,
      ),
    }),
    [id],
  );
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const { error: failure, busy, run } = useAction();
  const choiceOf = (exportId: string): Choice => choices[exportId] ?? 'detach';

  const remove = (exports: ExportView[]) =>
    run(async () => {
      for (const item of exports) {
        if (choiceOf(item.id) === 'remove') await api.send('DELETE', `/exports/${item.id}`);
      }
      const detached = exports.some((item) => choiceOf(item.id) === 'detach');
      await api.send('DELETE', `/connections/${id}${detached ? '?exports=detach' : ''}`);
      navigate('/connections');
    });

  return (
    <Layout title="Remove connection" section="Connections">
      <ErrorAlert error={error ?? failure} />
      {!data && !error && <Loading />}
      {data && (
        <>
          <p>
            Removing <strong>{data.connection.displayName}</strong> deletes its RollWorks sign-in. Audiences
            already in RollWorks stay there.
          </p>
          {data.exports.length === 0 ? (
            <p>No export uses this connection.</p>
          ) : (
            <>
              <p>
                These exports use it. Choose for each whether to remove it or keep it without a connection:
              </p>
              <ul class="choices">
                {data.exports.map((item) => (
                  <li key={item.id}>
                    <fieldset>
                      <legend>{item.displayName}</legend>
                      {(['remove', 'detach'] as const).map((choice) => (
                        <label class="choice" key={choice}>
                          <input
                            type="radio"
                            name={`choice-${item.id}`}
                            checked={choiceOf(item.id) === choice}
                            onChange={() => setChoices({ ...choices, [item.id]: choice })}
                          />
                          {choice === 'remove' ? 'Remove' : 'Detach connection'}
                        </label>
                      ))}
                    </fieldset>
                  </li>
                ))}
              </ul>
            </>
          )}
          <p class="actions">
            <button type="button" class="danger" disabled={busy} onClick={() => void remove(data.exports)}>
              Remove connection
            </button>
            <button type="button" onClick={() => navigate('/connections')}>
              Keep it
            </button>
          </p>
        </>
      )}
    </Layout>
  );
}
