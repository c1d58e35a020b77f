// What every update server page does first: the signed-in user's session and the configured update server, or the
// page's notice that none is configured (not an error: a console may run without one). Also the refusal and
// unreachable notices, in the update server's own words.
import { redirect } from 'next/navigation';
import { Alert } from '../client/ui/alert.tsx';
import { consoleConfig, type UpdateServer } from './config.ts';
import { currentSession } from './request-session.ts';
import type { Session } from './session.ts';

export type UpdateServerPageContext =
  | { readonly configured: true; readonly session: Session; readonly server: UpdateServer }
  | { readonly configured: false; readonly session: Session };

export async function updateServerPageContext(): Promise<UpdateServerPageContext> {
  const session = await currentSession();
  if (session === undefined) redirect('/login');
  const server = consoleConfig().updateServer;
  return server === undefined ? { configured: false, session } : { configured: true, session, server };
}

export function NotConfigured() {
  return (
    <Alert data-testid="update-server-not-configured">
      The update server is not configured for this console: set <code>STRATA_CONSOLE_UPDATE_SERVER_URL</code> (and{' '}
      <code>STRATA_CONSOLE_UPDATE_SERVER_CA_FILE</code>) to show its channels, groups and machines.
    </Alert>
  );
}

/** The update server's refusal (401, 403, 404, ...) or why it could not be reached, as it said it. */
export function Refusal({ status, message }: { readonly status: number | undefined; readonly message: string }) {
  return (
    <Alert variant="destructive" role="alert" data-testid="update-server-refusal">
      {status === undefined ? 'The update server could not be asked' : `The update server answered ${status}`}:{' '}
      {message}
    </Alert>
  );
}
