import { render } from 'preact';
import './styles.css';
import { App } from './app/App';
import { restoreLocalSession } from './auth/localSession';
import { LocalSignIn } from './auth/LocalSignIn';
import { pageSignIn, type Session } from './auth/session';

const root = document.getElementById('app')!;
root.textContent = ''; // the <noscript> note
const start = (session: Session) => render(<App session={session} />, root);

function unavailable(message: string) {
  render(
    <main id="main" class="sign-in">
      <h1>Sign-in unavailable</h1>
      <p role="alert">{message}</p>
    </main>,
    root,
  );
}

async function boot(): Promise<void> {
  const signIn = pageSignIn();
  if (signIn.mode === 'unavailable') return unavailable(signIn.message);
  if (signIn.mode === 'local') {
    const restored = restoreLocalSession();
    if (restored) return start(restored);
    render(<LocalSignIn tokenUrl={signIn.tokenUrl} onSignedIn={start} />, root);
    return;
  }
  const { entraSession } = await import('./auth/entraSession');
  start(await entraSession(signIn));
}

boot().catch((error: unknown) =>
  unavailable(`Sign-in failed: ${error instanceof Error ? error.message : String(error)}`),
);
