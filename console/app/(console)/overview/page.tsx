import { redirect } from 'next/navigation';
import { NodesReady } from '../../../src/client/nodes-ready.tsx';
import { EtcdClustersHealth } from '../../../src/client/overview/etcd-health.tsx';
import { OsVersions } from '../../../src/client/overview/os-versions.tsx';
import { RolloutProgress } from '../../../src/client/overview/rollout-progress.tsx';
import { WarningEvents } from '../../../src/client/overview/warning-events.tsx';
import { consoleConfig } from '../../../src/server/config.ts';
import { etcdChecks, readyz, type Readyz } from '../../../src/server/readyz.ts';
import { currentSession, signInPath } from '../../../src/server/request-session.ts';

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

/** The control plane's etcd as kube-apiserver sees it: its own etcd checks of /readyz. */
function ControlPlaneEtcd({ health }: { readonly health: Readyz }) {
  const checks = etcdChecks(health);
  if (checks.length === 0) return <p>kube-apiserver reports no etcd check.</p>;
  const ok = checks.every((check) => check.ok);
  return (
    <>
      <p data-testid="control-plane-etcd">
        {ok ? "The control plane's etcd is healthy" : "The control plane's etcd is NOT healthy"}
      </p>
      <ul>
        {checks.map((check) => (
          <li key={check.name} data-etcd-check={check.name}>
            {check.name}: {check.detail}
          </li>
        ))}
      </ul>
    </>
  );
}

export default async function OverviewPage() {
  const session = await currentSession();
  if (session === undefined) redirect(await signInPath());
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
      <section aria-labelledby="os-versions">
        <h2 id="os-versions">OS versions</h2>
        <OsVersions />
      </section>
      <section aria-labelledby="os-rollout">
        <h2 id="os-rollout">OS rollout</h2>
        <RolloutProgress />
      </section>
      <section aria-labelledby="etcd-health">
        <h2 id="etcd-health">etcd</h2>
        {typeof health === 'string' ? null : <ControlPlaneEtcd health={health} />}
        <EtcdClustersHealth />
      </section>
      <section aria-labelledby="warning-events">
        <h2 id="warning-events">Warning events</h2>
        <WarningEvents />
      </section>
      <section aria-labelledby="control-plane">
        <h2 id="control-plane">Control plane</h2>
        {typeof health === 'string' ? <p role="alert">{health}</p> : <ControlPlane health={health} />}
      </section>
    </>
  );
}
