import { redirect } from 'next/navigation';
import { NodesReady } from '../../../src/client/nodes-ready.tsx';
import { consoleConfig } from '../../../src/server/config.ts';
import { readyz, type Readyz } from '../../../src/server/readyz.ts';
import { currentSession } from '../../../src/server/request-session.ts';

export const dynamic = 'force-dynamic';

function ControlPlane({ health }: { readonly health: Readyz }) {
  return (
    <>
      <p data-testid="control-plane-ready">
        {health.ready ? 'kube-apiserver is ready' : 'kube-apiserver is NOT ready'}
      </p>
      <table>
        <caption>kube-apiserver /readyz checks (as of this page load)</caption>
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          {health.checks.map((check) => (
            <tr key={check.name} data-check={check.name}>
              <td>{check.name}</td>
              <td>{check.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export default async function OverviewPage() {
  const session = await currentSession();
  if (session === undefined) redirect('/login');
  let health: Readyz | string;
  try {
    health = await readyz(consoleConfig().apiServer, session.token);
  } catch (error) {
    health = error instanceof Error ? error.message : String(error);
  }
  return (
    <>
      <h1>Overview</h1>
      <section aria-labelledby="nodes-summary">
        <h2 id="nodes-summary">Nodes</h2>
        <NodesReady />
      </section>
      <section aria-labelledby="control-plane">
        <h2 id="control-plane">Control plane</h2>
        {typeof health === 'string' ? <p role="alert">{health}</p> : <ControlPlane health={health} />}
      </section>
    </>
  );
}
