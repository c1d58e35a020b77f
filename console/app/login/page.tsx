import { LoginForm } from '../../src/client/login-form.tsx';
import { Alert } from '../../src/client/ui/alert.tsx';
import { buttonVariants } from '../../src/client/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader } from '../../src/client/ui/card.tsx';
import { Separator } from '../../src/client/ui/separator.tsx';
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
    <main className="mx-auto flex min-h-screen max-w-md flex-col justify-center p-4">
      <Card>
        <CardHeader>
          <h1 data-slot="card-title" className="m-0 text-2xl font-semibold">
            Sign in to Strata
          </h1>
        </CardHeader>
        <CardContent>
          {message === undefined ? null : (
            <Alert variant="destructive" role="alert">
              {message}
            </Alert>
          )}
          {oidc === undefined ? null : (
            <>
              <a href="/api/oidc/login" data-slot="button" className={buttonVariants()}>
                Sign in with {new URL(oidc.issuerUrl).host}
              </a>
              <Separator className="my-2" />
            </>
          )}
          <CardDescription>
            {oidc === undefined ? 'Paste' : 'Or paste'} a bearer token the cluster accepts. The console keeps it on its
            server, sealed in your session.
          </CardDescription>
          <LoginForm />
        </CardContent>
      </Card>
    </main>
  );
}
