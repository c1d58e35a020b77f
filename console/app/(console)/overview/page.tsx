import { redirect } from 'next/navigation';
import { NodesReady } from '../../../src/client/nodes-ready.tsx';
import { EtcdClustersHealth } from '../../../src/client/overview/etcd-health.tsx';
import { OsVersions } from '../../../src/client/overview/os-versions.tsx';
import { RolloutProgress } from '../../../src/client/overview/rollout-progress.tsx';
import { WarningEvents } from '../../../src/client/overview/warning-events.tsx';
import { consoleConfig } from '../../../src/server/config.ts';
import { etcdChecks, readyz, type Readyz } from '../../../src/server/readyz.ts';
import { currentSession, signInPath } from '../../../src/server/request-session.ts';
import {
  Table,
  TableBody,
  TableCaption,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from '../../../src/client/ui/table.tsx';
import { Card, CardTitle } from '../../../src/client/ui/card.tsx';
import { Alert } from '../../../src/client/ui/alert.tsx';

export const dynamic = 'force-dynamic';

function ControlPlane({ health }: { readonly health: Readyz }) {
  return (
    <>
      <p data-testid="control-plane-ready">
        {health.ready ? 'kube-apiserver is ready' : 'kube-apiserver is NOT ready'}
      </p>
      <Table>
        <TableCaption>kube-apiserver /readyz checks (as of this page load)</TableCaption>
        <TableHeader>
          <TableRow>
            <TableHead>Check</TableHead>
            <TableHead>Result</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {health.checks.map((check) => (
            <TableRow key={check.name} data-check={check.name}>
              <TableCell>{check.name}</TableCell>
              <TableCell>{check.detail}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
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
      <div className="grid gap-x-4 lg:grid-cols-2">
        <Card aria-labelledby="nodes-summary">
          <CardTitle id="nodes-summary">Nodes</CardTitle>
          <NodesReady />
        </Card>
        <Card aria-labelledby="os-versions">
          <CardTitle id="os-versions">OS versions</CardTitle>
          <OsVersions />
        </Card>
        <Card aria-labelledby="os-rollout">
          <CardTitle id="os-rollout">OS rollout</CardTitle>
          <RolloutProgress />
        </Card>
        <Card aria-labelledby="etcd-health">
          <CardTitle id="etcd-health">etcd</CardTitle>
          {typeof health === 'string' ? null : <ControlPlaneEtcd health={health} />}
          <EtcdClustersHealth />
        </Card>
        <Card aria-labelledby="warning-events" className="lg:col-span-2">
          <CardTitle id="warning-events">Warning events</CardTitle>
          <WarningEvents />
        </Card>
        <Card aria-labelledby="control-plane" className="lg:col-span-2">
          <CardTitle id="control-plane">Control plane</CardTitle>
          {typeof health === 'string' ? (
            <Alert variant="destructive" role="alert">
              {health}
            </Alert>
          ) : (
            <ControlPlane health={health} />
          )}
        </Card>
      </div>
    </>
  );
}
