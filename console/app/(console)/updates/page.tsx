import Link from 'next/link';
import { redirect } from 'next/navigation';
import { UPDATE_POLICY } from '@strata/api';
import { UpdatesView } from '../../../src/client/updates-view.tsx';
import { mayI } from '../../../src/server/access.ts';
import { consoleConfig } from '../../../src/server/config.ts';
import { currentSession, signInPath } from '../../../src/server/request-session.ts';
import { userKubeConfig } from '../../../src/server/user-client.ts';

export const dynamic = 'force-dynamic';

export default async function UpdatesPage() {
  const session = await currentSession();
  if (session === undefined) redirect(await signInPath());
  const kubeConfig = userKubeConfig(consoleConfig().apiServer, session.token);
  const may = (verb: string) => mayI(kubeConfig, { verb, group: UPDATE_POLICY.group, resource: UPDATE_POLICY.plural });
  const [create, patch, remove] = await Promise.all([may('create'), may('patch'), may('delete')]);
  return (
    <>
      <h1 id="updates-heading">OS updates</h1>
      <p>
        What the update server offers each group of machines, each machine&apos;s timeline and promoting a release:{' '}
        <Link href="/updates/server">Update server</Link>.
      </p>
      <UpdatesView rights={{ create, patch, delete: remove }} />
    </>
  );
}
