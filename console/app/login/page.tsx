import { LoginForm } from '../../src/client/login-form.tsx';
import { consoleConfig } from '../../src/server/config.ts';

export const dynamic = 'force-dynamic';

/** Why the browser was sent here, for the reasons the console itself gives; anything else shows nothing. */
const REASONS: Readonly<Record<string, string>> = {
  'session-ended': 'Your session has ended: the identity provider did not renew it. Sign in again.',
  'provider-unavailable': 'The identity provider could not be reached. Try again, or sign in with a token.',
};

export default async function LoginPage({
  searchParams,
}: {
  readonly searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const reason = (await searchParams)['reason'];
  const message = typeof reason === 'string' ? REASONS[reason] : undefined;
  const oidc = consoleConfig().oidc;
  return (
    <main>
      <h1>Sign in to Strata</h1>
      {message === undefined ? null : <p role="alert">{message}</p>}
      {oidc === undefined ? null : (
        <p>
          <a href="/api/oidc/login">Sign in with {new URL(oidc.issuerUrl).host}</a>
        </p>
      )}
      <p>
        {oidc === undefined ? 'Paste' : 'Or paste'} a bearer token the cluster accepts. The console keeps it on its
        server, sealed in your session.
      </p>
      <LoginForm />
    </main>
  );
}
