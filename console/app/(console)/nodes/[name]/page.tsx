import { notFound, redirect } from 'next/navigation';
import { NodeDetail } from '../../../../src/client/node-detail.tsx';
import { mayI } from '../../../../src/server/access.ts';
import { consoleConfig } from '../../../../src/server/config.ts';
import { currentSession, signInPath } from '../../../../src/server/request-session.ts';
import { userKubeConfig } from '../../../../src/server/user-client.ts';
import { nodeNameSchema } from '../../../../src/shared/node-detail.ts';

export const dynamic = 'force-dynamic';

export default async function NodePage({ params }: { readonly params: Promise<{ name: string }> }) {
  const session = await currentSession();
  if (session === undefined) redirect(await signInPath());
  const name = nodeNameSchema.safeParse((await params).name);
  if (!name.success) notFound();
  const kubeConfig = userKubeConfig(consoleConfig().apiServer, session.token);
  const [canPatch, canEvict] = await Promise.all([
    mayI(kubeConfig, { verb: 'patch', resource: 'nodes', name: name.data }),
    mayI(kubeConfig, { verb: 'create', resource: 'pods', subresource: 'eviction' }),
  ]);
  return (
    <>
      <h1>Node {name.data}</h1>
      {/* Keyed by name: another node's page starts from its own, empty, live rows. */}
      <NodeDetail key={name.data} name={name.data} canPatch={canPatch} canDrain={canPatch && canEvict} />
    </>
  );
}
