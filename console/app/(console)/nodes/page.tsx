import { redirect } from 'next/navigation';
import { NodesTable } from '../../../src/client/nodes-table.tsx';
import { mayI } from '../../../src/server/access.ts';
import { consoleConfig } from '../../../src/server/config.ts';
import { currentSession, signInPath } from '../../../src/server/request-session.ts';
import { userKubeConfig } from '../../../src/server/user-client.ts';

export const dynamic = 'force-dynamic';

export default async function NodesPage() {
  const session = await currentSession();
  if (session === undefined) redirect(await signInPath());
  const kubeConfig = userKubeConfig(consoleConfig().apiServer, session.token);
  const [canPatch, canEvict] = await Promise.all([
    mayI(kubeConfig, { verb: 'patch', resource: 'nodes' }),
    mayI(kubeConfig, { verb: 'create', resource: 'pods', subresource: 'eviction' }),
  ]);
  return (
    <>
      <h1 id="nodes-heading">Nodes</h1>
      <NodesTable canPatch={canPatch} canDrain={canPatch && canEvict} />
    </>
  );
}
