import { useEffect, useState } from 'preact/hooks';
import { messagesByField } from '../api/problem';
import type { Connection } from '../api/types';
import { useConsole } from '../app/context';
import { Layout, Pending } from '../app/Layout';
import { BASE, navigate } from '../app/router';
import { FieldError, FormError, TextField, errorProps, type FieldMessages } from '../ui/fields';
import { when } from '../ui/format';
import { useAction } from '../ui/useAction';
import { useLoad } from '../ui/useLoad';
import { ACCESS_TEXT } from './connectionText';
import { RollWorksSteps } from './RollWorksSteps';
import { SuppressionList } from './SuppressionList';

const FIELDS = ['displayName', 'access', 'dataPrivacyConsent'] as const;
type Access = keyof typeof ACCESS_TEXT;

/** Add connection (no id) and Edit: the settings, consent, RollWorks sign-in, export user, Save. */
export function ConnectionSetup({ id }: { id?: string }) {
  const { api } = useConsole();
  const [connectionId, setConnectionId] = useState(id);
  const loaded = useLoad(
    () => (connectionId ? api.get<Connection>(`/connections/${connectionId}`) : Promise.resolve(undefined)),
    [connectionId],
  );
  const connection = loaded.data;
  const [displayName, setDisplayName] = useState('');
  const [access, setAccess] = useState<Access>('admins');
  const [agreed, setAgreed] = useState(false);
  const { error, busy, run: act } = useAction();
  const messages: FieldMessages = messagesByField(error, FIELDS);

  useEffect(() => {
    if (!connection) return;
    setDisplayName(connection.displayName);
    setAccess(connection.access);
  }, [connection?.id]);

  const connect = () =>
    act(async () => {
      const created = await api.send<Connection>('POST', '/connections', {
        displayName,
        access,
        dataPrivacyConsent: agreed,
      });
      history.replaceState(null, '', `${BASE}/connections/${created.id}`);
      setConnectionId(created.id);
    });
  const save = () =>
    act(async () => {
      if (connection && (displayName !== connection.displayName || access !== connection.access)) {
        await api.send('PATCH', `/connections/${connection.id}`, { displayName, access });
      }
      navigate('/connections');
    });

  const title = id ? 'Edit connection' : 'Add connection';
  if (connectionId && !connection)
    return <Pending title={title} section="Connections" error={loaded.error} />;
  return (
    <Layout title={title} section="Connections">
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void (connection ? save() : connect());
        }}
      >
        <FormError messages={messages} />
        <TextField
          id="connection-name"
          label="Display name"
          field="displayName"
          value={displayName}
          messages={messages}
          onInput={setDisplayName}
        />
        <fieldset {...errorProps('connection-access', messages, 'access')}>
          <legend>Who can use this connection</legend>
          {(Object.keys(ACCESS_TEXT) as Access[]).map((value) => (
            <label class="choice" key={value}>
              <input
                type="radio"
                name="access"
                value={value}
                checked={access === value}
                onChange={() => setAccess(value)}
              />
              {ACCESS_TEXT[value]}
            </label>
          ))}
          <FieldError id="connection-access" messages={messages} field="access" />
        </fieldset>
        <section class="consent" aria-labelledby="consent-heading">
          <h2 id="consent-heading">Data privacy and compliance</h2>
          <p>
            Exporting to RollWorks sends data, including personal data such as email addresses or their
            hashes, outside the compliance boundary of this tenant, to a service that may store and process it
            under its own terms. You are responsible for having the right to share this data and for meeting
            your data protection obligations.
          </p>
          {connection ? (
            <p>
              Agreed by {connection.consent.by.name} on {when(connection.consent.at)}.
            </p>
          ) : (
            <label class="choice">
              <input
                type="checkbox"
                checked={agreed}
                onChange={(event) => setAgreed((event.currentTarget as HTMLInputElement).checked)}
                {...errorProps('connection-consent', messages, 'dataPrivacyConsent')}
              />
              I agree
            </label>
          )}
          <FieldError id="connection-consent" messages={messages} field="dataPrivacyConsent" />
        </section>
        {!connection && (
          <button type="submit" class="primary" disabled={busy}>
            Connect
          </button>
        )}
      </form>
      {connection && (
        <>
          <RollWorksSteps connection={connection} reload={loaded.reload} />
          <SuppressionList connectionId={connection.id} />
          <p class="actions">
            <button type="button" class="primary" disabled={busy} onClick={() => void save()}>
              Save
            </button>
          </p>
        </>
      )}
    </Layout>
  );
}
