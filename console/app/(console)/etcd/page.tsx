import { redirect } from 'next/navigation';
import { EtcdClusters } from '../../../src/client/etcd/etcd-clusters.tsx';
import { mayI } from '../../../src/server/access.ts';
import { consoleConfig } from '../../../src/server/config.ts';
import { currentSession, signInPath } from '../../../src/server/request-session.ts';
import { userKubeConfig } from '../../../src/server/user-client.ts';

export const dynamic = 'force-dynamic';

export default async function EtcdPage() {
  const session = await currentSession();
  if (session === undefined) redirect(await signInPath());
  // Without a namespace the review asks about every namespace: the form (where any namespace may be typed) is
  // offered to those who may create EtcdClusters anywhere; the API server decides for the namespace typed.
  const canCreate = await mayI(userKubeConfig(consoleConfig().apiServer, session.token), {
    verb: 'create',
    group: 'etcd.strata.dev',
    resource: 'etcdclusters',
  });
  return (
    <>
      <h1>etcd clusters</h1>
      <EtcdClusters canCreate={canCreate} />
    </>
  );
}
