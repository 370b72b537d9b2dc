import { useState } from 'preact/hooks';
import { ROLES } from '../../shared/model/identity';
import { FormError, SelectField, TextField, type FieldMessages } from '../ui/fields';
import { LocalSignInError, localSignIn } from './localSession';
import type { Session } from './session';

/** The local stack's sign-in: a name and a role, for a token from the local issuer. */
export function LocalSignIn({
  tokenUrl,
  onSignedIn,
}: {
  tokenUrl: string;
  onSignedIn: (session: Session) => void;
}) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<string>('Exports.Admin');
  const [messages, setMessages] = useState<FieldMessages>(new Map());
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    try {
      onSignedIn(await localSignIn(tokenUrl, name, role));
    } catch (error) {
      const field = error instanceof LocalSignInError && error.field ? error.field : '';
      setMessages(new Map([[field, [(error as Error).message]]]));
      setBusy(false);
    }
  }

  return (
    <main id="main" class="sign-in">
      <h1>Sign in to RollWorks export</h1>
      <p>
        Local stack: type any name and pick a role. The token comes from the same local issuer as{' '}
        <code>npm run token</code>; an app in Azure signs in with Microsoft Entra ID instead.
      </p>
      <form onSubmit={submit} noValidate>
        <FormError messages={messages} />
        <TextField
          id="sign-in-name"
          label="Name"
          field="name"
          value={name}
          messages={messages}
          onInput={setName}
        />
        <SelectField
          id="sign-in-role"
          label="Role"
          field="role"
          value={role}
          messages={messages}
          options={ROLES.map((value) => ({ value, label: value }))}
          onChange={setRole}
        />
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
