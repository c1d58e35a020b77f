// Wait for the nodes and the operators: every node the topology names Ready,
// and every Deployment of the bootstrap manifests available.
import { AppsV1Api, CoreV1Api, type V1Node } from '@kubernetes/client-node';
import { StrataError } from '@strata/api';
import { isNotFound } from '@strata/kube';
import { waitFor } from '@strata/host';
import { readBootstrapManifests } from './manifests.ts';
import { adminKubeConfig } from './api-client.ts';
import type { DriverContext } from '../platform-driver.ts';
import { expectedMachines, MachineStateReporter, type ObservedMachine } from './machine-states.ts';
import { driverContextOf, type PhaseContext, type PhaseOutcome } from './phase.ts';

export function isReady(node: V1Node): boolean {
  return (
    node.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false
  );
}

/** The node names the cluster should have. */
export function expectedNodes(context: Pick<PhaseContext, 'topology'>): string[] {
  return [...context.topology.controllers, ...context.topology.workers].map((node) => node.name);
}

export interface Readiness {
  readonly readyNodes: string[];
  readonly missingNodes: string[];
  /** The expected nodes whose Node object exists, Ready or not. */
  readonly registeredNodes: string[];
  readonly unavailableDeployments: string[];
}

export async function readiness(context: Pick<PhaseContext, 'topology' | 'directory'>): Promise<Readiness> {
  const kubeConfig = adminKubeConfig(context.directory);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const nodes = (await core.listNode()).items;
  const ready = new Set(nodes.filter(isReady).map((node) => node.metadata?.name ?? ''));
  const registered = new Set(nodes.map((node) => node.metadata?.name ?? ''));
  const expected = expectedNodes(context);
  const deployments = (await readBootstrapManifests(context.directory))
    .flatMap((file) => file.objects)
    .filter((object) => object.kind === 'Deployment');
  const unavailable: string[] = [];
  for (const deployment of deployments) {
    const name = deployment.metadata?.name ?? '';
    const namespace = deployment.metadata?.namespace ?? 'default';
    try {
      const live = await apps.readNamespacedDeployment({ name, namespace });
      const wanted = live.spec?.replicas ?? 1;
      if ((live.status?.availableReplicas ?? 0) < wanted) unavailable.push(`${namespace}/${name}`);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      unavailable.push(`${namespace}/${name} (absent)`);
    }
  }
  return {
    readyNodes: expected.filter((name) => ready.has(name)),
    missingNodes: expected.filter((name) => !ready.has(name)),
    registeredNodes: expected.filter((name) => registered.has(name)),
    unavailableDeployments: unavailable,
  };
}

export async function waitNodes(context: PhaseContext): Promise<PhaseOutcome> {
  const total = expectedNodes(context).length;
  let reported = '';
  const machines = new MachineStateReporter(context.events, context.phase, expectedMachines(context.topology));
  const driverContext: DriverContext = driverContextOf(context);
  let observationProblem = '';
  /** The platform's own record; when it cannot be read the Nodes still say enough to finish, so it is reported, not fatal. */
  const platformObservations = async (): Promise<ReadonlyMap<string, ObservedMachine> | undefined> => {
    if (context.driver.observeMachines === undefined) return undefined;
    try {
      const observed = await context.driver.observeMachines(driverContext);
      observationProblem = '';
      return observed;
    } catch (error) {
      // A refusal or an unreachable record (typed errors) is reported; anything else is a bug and ends the phase.
      if (!(error instanceof StrataError)) throw error;
      const problem = `the platform's record of the machines cannot be read (the Node objects still are): ${error.message}`;
      if (problem !== observationProblem) context.progress(problem);
      observationProblem = problem;
      return undefined;
    }
  };
  await waitFor(
    `every node Ready and every operator Deployment available`,
    async () => {
      if (context.signal.aborted) throw context.signal.reason;
      const state = await readiness(context);
      const nodes = { registered: new Set(state.registeredNodes), ready: new Set(state.readyNodes) };
      // The platform is asked only while some machine has no Node: once all have one, the Nodes say more.
      const platform = state.registeredNodes.length < total ? await platformObservations() : undefined;
      machines.report(nodes, platform);
      const line = `${state.readyNodes.length}/${total} nodes Ready${state.missingNodes.length > 0 ? ` (waiting for ${state.missingNodes.join(', ')})` : ''}${state.unavailableDeployments.length > 0 ? `; not yet available: ${state.unavailableDeployments.join(', ')}` : ''}`;
      if (line !== reported) {
        reported = line;
        context.progress(line, { done: state.readyNodes.length, total });
      }
      return state.missingNodes.length === 0 && state.unavailableDeployments.length === 0 ? true : undefined;
    },
    { timeoutMs: context.timeoutMs, intervalMs: 1_000, retryErrors: true },
  );
  return { changed: false };
}
