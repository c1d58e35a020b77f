import { dnsLabelSchema } from '@strata/api';
import { notFound, redirect } from 'next/navigation';
import { EtcdClusterDetail } from '../../../../../src/client/etcd/etcd-cluster-detail.tsx';
import { mayI } from '../../../../../src/server/access.ts';
import { consoleConfig } from '../../../../../src/server/config.ts';
import { currentSession, signInPath } from '../../../../../src/server/request-session.ts';
import { userKubeConfig } from '../../../../../src/server/user-client.ts';

export const dynamic = 'force-dynamic';

export default async function EtcdClusterPage({
  params,
}: {
  readonly params: Promise<{ namespace: string; name: string }>;
}) {
  const session = await currentSession();
  if (session === undefined) redirect(await signInPath());
  const asked = await params;
  const namespace = dnsLabelSchema.safeParse(asked.namespace);
  const name = dnsLabelSchema.safeParse(asked.name);
  if (!namespace.success || !name.success) notFound();
  const kubeConfig = userKubeConfig(consoleConfig().apiServer, session.token);
  const [canScale, canBackUp, canRestore] = await Promise.all([
    mayI(kubeConfig, {
      verb: 'patch',
      group: 'etcd.strata.dev',
      resource: 'etcdclusters',
      namespace: namespace.data,
      name: name.data,
    }),
    mayI(kubeConfig, { verb: 'create', group: 'etcd.strata.dev', resource: 'etcdbackups', namespace: namespace.data }),
    mayI(kubeConfig, { verb: 'create', group: 'etcd.strata.dev', resource: 'etcdrestores', namespace: namespace.data }),
  ]);
  return (
    <>
      <h1>
        etcd cluster {namespace.data}/{name.data}
      </h1>
      <EtcdClusterDetail
        namespace={namespace.data}
        name={name.data}
        canScale={canScale}
        canBackUp={canBackUp}
        canRestore={canRestore}
      />
    </>
  );
}
