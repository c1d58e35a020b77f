import Link from 'next/link';
import { redirect } from 'next/navigation';
import { consoleConfig } from '../../../src/server/config.ts';
import { listCrds } from '../../../src/server/custom-resources.ts';
import { currentSession, signInPath } from '../../../src/server/request-session.ts';
import { userKubeConfig } from '../../../src/server/user-client.ts';
import type { CrdInfo } from '../../../src/shared/custom-resources.ts';
import { Alert } from '../../../src/client/ui/alert.tsx';

export const dynamic = 'force-dynamic';

/** The served CRDs the user may list, by API group; a user who may not list them sees the API server's refusal. */
export default async function CustomResourcesPage() {
  const session = await currentSession();
  if (session === undefined) redirect(await signInPath());
  let crds: CrdInfo[];
  try {
    crds = await listCrds(userKubeConfig(consoleConfig().apiServer, session.token));
  } catch (error) {
    return (
      <>
        <h1>Custom resources</h1>
        <Alert variant="destructive" role="alert">
          {error instanceof Error ? error.message : String(error)}
        </Alert>
      </>
    );
  }
  const groups = Map.groupBy(crds, (crd) => crd.group);
  return (
    <>
      <h1>Custom resources</h1>
      <p data-testid="crd-count">{crds.length} CustomResourceDefinitions</p>
      {[...groups].map(([group, members]) => (
        <section key={group} aria-labelledby={`group-${group}`}>
          <h2 id={`group-${group}`}>{group}</h2>
          <ul>
            {members.map((crd) => (
              <li key={crd.plural}>
                <Link href={`/resources/${encodeURIComponent(crd.group)}/${encodeURIComponent(crd.plural)}`}>
                  {crd.kind}
                </Link>{' '}
                ({crd.plural}, {crd.version}, {crd.namespaced ? 'namespaced' : 'cluster-scoped'})
              </li>
            ))}
          </ul>
        </section>
      ))}
    </>
  );
}
