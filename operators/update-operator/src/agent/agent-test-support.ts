// Shared by the agent's integration tests: running agents in-process, playing
// the operator's part of the protocol, and reading a node's protocol state.
import assert from 'node:assert/strict';
import type { CoreV1Api, KubeConfig, V1Node } from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import type { NodeOperatingSystem } from '@strata/api';
import { neverDuring, waitFor } from '@strata/harness';
import { mergePatch } from '../drain/kube-api.ts';
import { ANNOTATIONS, LABELS, TRUE } from '@strata/api';
import { runAgent } from './agent.ts';
import { AGENT_COMPONENT } from './events.ts';

export interface RunningAgent {
  /** Aborts the agent, as a killed pod would be, and waits until it has stopped. */
  stop(): Promise<void>;
  /** Settles when the agent stops; rejects if it failed. */
  readonly done: Promise<void>;
}

/** Logs to stderr when STRATA_TEST_LOG is set (e.g. STRATA_TEST_LOG=debug), silent otherwise. */
export function testLogger(): Logger {
  const level = process.env['STRATA_TEST_LOG'];
  return pino({ level: level === undefined || level === '' ? 'silent' : level }, pino.destination(2));
}

export function startAgent(kubeConfig: KubeConfig, nodeName: string, os: NodeOperatingSystem): RunningAgent {
  const controller = new AbortController();
  const done = runAgent({ kubeConfig, nodeName, os, signal: controller.signal, logger: testLogger() });
  return {
    done,
    stop: async () => {
      controller.abort(new Error(`test stopped the agent of ${nodeName}`));
      await done;
    },
  };
}

export const annotationsOf = (node: V1Node): Record<string, string> => node.metadata?.annotations ?? {};
export const labelsOf = (node: V1Node): Record<string, string> => node.metadata?.labels ?? {};

/** What the operator does to grant a reboot: reboot-ok (with the time and the policy), so the agent may drain and reboot now. */
export async function grantReboot(core: CoreV1Api, nodeName: string, policy?: string): Promise<void> {
  await core.patchNode(
    {
      name: nodeName,
      body: {
        metadata: {
          annotations: {
            [ANNOTATIONS.rebootOk]: TRUE,
            [ANNOTATIONS.rebootGrantedAt]: new Date().toISOString(),
            ...(policy === undefined ? {} : { [ANNOTATIONS.policy]: policy }),
          },
        },
      },
    },
    mergePatch(),
  );
}

/** What the operator does when a node is done or its drain failed: the grant is over. */
export async function revokeReboot(core: CoreV1Api, nodeName: string): Promise<void> {
  await core.patchNode(
    {
      name: nodeName,
      body: {
        metadata: {
          annotations: {
            [ANNOTATIONS.rebootOk]: null,
            [ANNOTATIONS.rebootGrantedAt]: null,
            [ANNOTATIONS.policy]: null,
            [ANNOTATIONS.drainFailed]: null,
          },
        },
      },
    },
    mergePatch(),
  );
}

/** Polls the node until `predicate` holds. */
export function waitForNode(
  core: CoreV1Api,
  nodeName: string,
  what: string,
  predicate: (node: V1Node) => boolean,
  timeoutMs = 60_000,
): Promise<V1Node> {
  return waitFor(
    `${nodeName}: ${what}`,
    async () => {
      const node = await core.readNode({ name: nodeName });
      return predicate(node) ? node : undefined;
    },
    timeoutMs,
  );
}

/**
 * Watches the node for `ms` and fails if it is ever as `forbidden` says it
 * must not be (a message), at the start or after any change, or if it is not
 * there to watch.
 */
export async function nodeNeverDuring(
  kubeConfig: KubeConfig,
  nodeName: string,
  what: string,
  ms: number,
  forbidden: (node: V1Node) => string | undefined,
): Promise<void> {
  const seen = await neverDuring<V1Node>(kubeConfig, {
    what: `${nodeName}: ${what}`,
    path: '/api/v1/nodes',
    name: nodeName,
    ms,
    forbidden: (node, type) => (type === 'DELETED' ? 'the node was deleted' : forbidden(node)),
  });
  if (seen.length === 0) throw new Error(`${nodeName} was not there to watch`);
}

/** The update is staged: update_engine staged `version` and the agent reported reboot-needed. */
export const needsRebootInto = (version: string) => (node: V1Node) =>
  annotationsOf(node)[ANNOTATIONS.rebootNeeded] === TRUE &&
  labelsOf(node)[LABELS.rebootNeeded] === TRUE &&
  annotationsOf(node)[ANNOTATIONS.status] === 'UPDATE_STATUS_UPDATED_NEED_REBOOT' &&
  annotationsOf(node)[ANNOTATIONS.newVersion] === version;

/** The reboot is done: the node runs `version` and the agent reset its state. */
export const rebootedInto = (version: string) => (node: V1Node) => {
  const annotations = annotationsOf(node);
  return (
    labelsOf(node)[LABELS.version] === version &&
    annotations[ANNOTATIONS.rebootInProgress] === 'false' &&
    annotations[ANNOTATIONS.rebootNeeded] === 'false' &&
    labelsOf(node)[LABELS.rebootNeeded] === 'false' &&
    annotations[ANNOTATIONS.rebootBootId] === undefined
  );
};

/** The reasons of the Events recorded on a node, oldest first. */
export async function nodeEventReasons(core: CoreV1Api, nodeName: string, since: Date): Promise<string[]> {
  const { items } = await core.listNamespacedEvent({
    namespace: 'default',
    fieldSelector: `involvedObject.kind=Node,involvedObject.name=${nodeName}`,
  });
  // The agent writes events.k8s.io/v1 Events; read as core/v1, reportingController is reportingComponent.
  const time = (event: (typeof items)[number]): number =>
    new Date(event.eventTime ?? event.firstTimestamp ?? 0).getTime();
  return items
    .filter((event) => event.reportingComponent === AGENT_COMPONENT && time(event) >= since.getTime() - 1000)
    .sort((a, b) => time(a) - time(b))
    .map((event) => event.reason ?? '');
}

/**
 * Checks that the Events on a node since `since` are `expected`, in order. The agent posts an Event after the Node
 * write it goes with, so a test that saw the Node first waits for as many Events as it expects before comparing; an
 * extra or different Event still fails the comparison.
 */
export async function assertNodeEventReasons(
  core: CoreV1Api,
  nodeName: string,
  since: Date,
  expected: readonly string[],
  timeoutMs = 15_000,
): Promise<void> {
  let seen: string[] = [];
  let waited = '';
  try {
    await waitFor(
      `${nodeName}: ${expected.length} Events`,
      async () => {
        seen = await nodeEventReasons(core, nodeName, since);
        return seen.length >= expected.length ? true : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    );
  } catch (error) {
    // The comparison below fails with what was seen; the wait's own message says for how long.
    waited = error instanceof Error ? error.message : String(error);
  }
  assert.deepEqual(seen, expected, waited === '' ? undefined : waited);
}

/** Every boot of a machine from now on, by boot id. */
export function countBoots(os: NodeOperatingSystem): { readonly bootIds: readonly string[]; stop(): void } {
  const bootIds: string[] = [];
  const stop = os.onBoot(() => {
    bootIds.push(os.bootId());
    return Promise.resolve();
  });
  return { bootIds, stop };
}
