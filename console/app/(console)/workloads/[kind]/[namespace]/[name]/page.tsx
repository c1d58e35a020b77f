import { isNotFound, kubernetesApiError } from '@strata/kube';
import { notFound, redirect } from 'next/navigation';
import { PodLogs } from '../../../../../../src/client/workloads/pod-logs.tsx';
import { WorkloadObject } from '../../../../../../src/client/workloads/workload-object.tsx';
import { WorkloadTabs } from '../../../../../../src/client/workloads/workload-tabs.tsx';
import { mayI } from '../../../../../../src/server/access.ts';
import { consoleConfig } from '../../../../../../src/server/config.ts';
import { currentSession, signInPath } from '../../../../../../src/server/request-session.ts';
import { userKubeConfig } from '../../../../../../src/server/user-client.ts';
import { callOf, objectYaml, parseTarget, readObject } from '../../../../../../src/server/workload-object.ts';
import { WORKLOAD_INFO } from '../../../../../../src/shared/workloads.ts';
import { Alert } from '../../../../../../src/client/ui/alert.tsx';

export const dynamic = 'force-dynamic';

/** One object: its state live, its YAML read as the user, and the actions SelfSubjectAccessReviews allow. */
export default async function WorkloadObjectPage({
  params,
}: {
  readonly params: Promise<{ kind: string; namespace: string; name: string }>;
}) {
  const target = parseTarget(await params);
  if (typeof target === 'string') notFound();
  const session = await currentSession();
  if (session === undefined) redirect(await signInPath());
  const kubeConfig = userKubeConfig(consoleConfig().apiServer, session.token);
  const info = WORKLOAD_INFO[target.kind];
  const attributes = {
    group: info.group,
    resource: target.kind,
    name: target.name,
    ...(target.namespace === '' ? {} : { namespace: target.namespace }),
  };
  let object;
  try {
    object = await readObject(kubeConfig, target);
  } catch (error) {
    if (isNotFound(error)) notFound();
    // Refused (403) or failed: the API server's words, not an error page.
    return (
      <Alert variant="destructive" role="alert">
        {kubernetesApiError(callOf('get', target), error).message}
      </Alert>
    );
  }
  const [canEdit, canDelete, canScale, canReadLogs] = await Promise.all([
    mayI(kubeConfig, { ...attributes, verb: 'update' }),
    mayI(kubeConfig, { ...attributes, verb: 'delete' }),
    info.scalable ? mayI(kubeConfig, { ...attributes, verb: 'patch', subresource: 'scale' }) : false,
    target.kind === 'pods' ? mayI(kubeConfig, { ...attributes, verb: 'get', subresource: 'log' }) : false,
  ]);
  // The first app container is shown first, as kubectl logs does; init containers have logs of their own after them.
  const spec = (object as { spec?: { containers?: { name: string }[]; initContainers?: { name: string }[] } }).spec;
  const containers = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].map((container) => container.name);
  const replicas = (object as { spec?: { replicas?: number } }).spec?.replicas;
  return (
    <>
      <h1 id="object-heading">
        {info.kind} {target.namespace === '' ? '' : `${target.namespace}/`}
        {target.name}
      </h1>
      <WorkloadTabs current={target.kind} />
      <WorkloadObject
        kind={target.kind}
        namespace={target.namespace}
        name={target.name}
        initial={{ yaml: objectYaml(object), resourceVersion: object.metadata?.resourceVersion ?? '' }}
        canEdit={canEdit}
        canDelete={canDelete}
        canScale={canScale}
        replicas={replicas}
      />
      {canReadLogs && containers.length > 0 ? (
        <PodLogs namespace={target.namespace} name={target.name} containers={containers} />
      ) : null}
    </>
  );
}
