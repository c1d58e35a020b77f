import { notFound, redirect } from 'next/navigation';
import { CustomResourceTable } from '../../../../../src/client/resources/custom-resource-table.tsx';
import { consoleConfig } from '../../../../../src/server/config.ts';
import { findCrd, listCustomRows } from '../../../../../src/server/custom-resources.ts';
import { currentSession, signInPath } from '../../../../../src/server/request-session.ts';
import { userKubeConfig } from '../../../../../src/server/user-client.ts';
import { parseCrdSegments } from '../../../../../src/shared/custom-resources.ts';
import { Alert } from '../../../../../src/client/ui/alert.tsx';

export const dynamic = 'force-dynamic';

/**
 * The objects of one served CRD, with its printer columns: listed when the page is rendered, then live from the
 * tab's stream (its `customresources` kind, for this CRD only; ADR 0067).
 */
export default async function CustomResourceListPage({
  params,
}: {
  readonly params: Promise<{ group: string; plural: string }>;
}) {
  const segments = parseCrdSegments(await params);
  if (typeof segments === 'string') notFound();
  const session = await currentSession();
  if (session === undefined) redirect(await signInPath());
  const kubeConfig = userKubeConfig(consoleConfig().apiServer, session.token);
  const refused = (error: unknown) => (
    // Refused (403) or failed: the API server's words (a KubernetesApiError's), not an error page.
    <>
      <h1 id="resources-heading">
        {segments.plural}.{segments.group}
      </h1>
      <Alert variant="destructive" role="alert">
        {error instanceof Error ? error.message : String(error)}
      </Alert>
    </>
  );
  let crd;
  try {
    crd = await findCrd(kubeConfig, segments.group, segments.plural);
  } catch (error) {
    return refused(error);
  }
  if (crd === undefined) notFound();
  let rows;
  try {
    rows = await listCustomRows(kubeConfig, crd);
  } catch (error) {
    return refused(error);
  }
  return (
    <>
      <h1 id="resources-heading">
        {crd.kind} ({crd.plural}.{crd.group}/{crd.version})
      </h1>
      <CustomResourceTable crd={crd} initial={rows} />
    </>
  );
}
