import { isNotFound, kubernetesApiError } from '@strata/kube';
import { notFound, redirect } from 'next/navigation';
import { ObjectView } from '../../../../../../../src/client/object-view.tsx';
import { mayI } from '../../../../../../../src/server/access.ts';
import { consoleConfig } from '../../../../../../../src/server/config.ts';
import { customTarget, findCrd } from '../../../../../../../src/server/custom-resources.ts';
import { currentSession, signInPath } from '../../../../../../../src/server/request-session.ts';
import { userKubeConfig } from '../../../../../../../src/server/user-client.ts';
import { callOf, objectYaml, readObject } from '../../../../../../../src/server/workload-object.ts';
import { customObjectPath, parseCrdSegments } from '../../../../../../../src/shared/custom-resources.ts';
import { Alert } from '../../../../../../../src/client/ui/alert.tsx';

export const dynamic = 'force-dynamic';

/** One custom object: its YAML read as the user, and the edit and delete SelfSubjectAccessReviews allow. */
export default async function CustomObjectPage({
  params,
}: {
  readonly params: Promise<{ group: string; plural: string; namespace: string; name: string }>;
}) {
  const segments = await params;
  const crdSegments = parseCrdSegments(segments);
  if (typeof crdSegments === 'string') notFound();
  const session = await currentSession();
  if (session === undefined) redirect(await signInPath());
  const kubeConfig = userKubeConfig(consoleConfig().apiServer, session.token);
  let crd;
  try {
    crd = await findCrd(kubeConfig, crdSegments.group, crdSegments.plural);
  } catch (error) {
    return (
      <Alert variant="destructive" role="alert">
        {error instanceof Error ? error.message : String(error)}
      </Alert>
    );
  }
  if (crd === undefined) notFound();
  const target = customTarget(crd, segments.namespace, segments.name);
  if (typeof target === 'string') notFound();
  let object;
  try {
    object = await readObject(kubeConfig, target);
  } catch (error) {
    if (isNotFound(error)) notFound();
    return (
      <Alert variant="destructive" role="alert">
        {kubernetesApiError(callOf('get', target), error).message}
      </Alert>
    );
  }
  const attributes = {
    group: crd.group,
    resource: crd.plural,
    name: target.name,
    ...(target.namespace === '' ? {} : { namespace: target.namespace }),
  };
  const [canEdit, canDelete] = await Promise.all([
    mayI(kubeConfig, { ...attributes, verb: 'update' }),
    mayI(kubeConfig, { ...attributes, verb: 'delete' }),
  ]);
  const who = `${crd.kind} ${target.namespace === '' ? '' : `${target.namespace}/`}${target.name}`;
  return (
    <>
      <h1 id="object-heading">{who}</h1>
      <ObjectView
        api={`/api/resources/${customObjectPath(crd, target.namespace, target.name)}`}
        who={who}
        name={target.name}
        initial={{ yaml: objectYaml(object), resourceVersion: object.metadata?.resourceVersion ?? '' }}
        canEdit={canEdit}
        canDelete={canDelete}
        canScale={false}
        replicas={undefined}
      />
    </>
  );
}
