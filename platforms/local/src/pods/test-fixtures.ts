// Typed builders for the tests of this directory: each test states only what it is about.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, type V1Container, type V1ObjectMeta, type V1Pod, type V1PodSpec } from '@kubernetes/client-node';
import { waitFor } from '@strata/harness';
import { aPod } from '@strata/kube/testing';
import type { NodeContext, PodRuntimeStatus } from '../node/pod-runtime.ts';
import { ImageMap } from './image-map.ts';
import { PodAddressPool } from './pod-addresses.ts';

/** An image the tests map to the system shell, so that a pod can run any script. */
export const SHELL_IMAGE = 'strata.test/shell:1.0';
export const SHELL = '/bin/sh';

export function testImageMap(): ImageMap {
  return ImageMap.parse({ 'strata.test/shell': { command: [SHELL], executables: { sh: SHELL } } });
}

export function container(overrides: Partial<V1Container> = {}): V1Container {
  return { name: 'main', image: SHELL_IMAGE, command: ['sh', '-c', 'sleep 600'], ...overrides };
}

/** A shell container running `script`. */
export function script(text: string, overrides: Partial<V1Container> = {}): V1Container {
  return container({ command: ['sh', '-c', text], ...overrides });
}

export interface PodOverrides {
  readonly metadata?: Partial<V1ObjectMeta>;
  readonly spec?: Partial<V1PodSpec>;
}

/** A bare pod of one shell container on node-a (the shared builder, with this directory's defaults). */
export function pod(overrides: PodOverrides = {}): V1Pod {
  return aPod({
    name: 'test-pod',
    nodeName: 'node-a',
    controller: undefined,
    containers: [container()],
    spec: { restartPolicy: 'Always', terminationGracePeriodSeconds: 2, ...overrides.spec },
    ...(overrides.metadata === undefined ? {} : { metadata: overrides.metadata }),
  });
}

/** A client configuration for a pod that never talks to an API server. */
export function unusedKubeConfig(): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'none', server: 'https://127.0.0.1:9', skipTLSVerify: true }],
    users: [{ name: 'none' }],
    contexts: [{ name: 'none', cluster: 'none', user: 'none' }],
    currentContext: 'none',
  });
  return config;
}

export interface TestNode {
  readonly context: NodeContext;
  remove(): Promise<void>;
}

export async function testNode(overrides: Partial<NodeContext> = {}): Promise<TestNode> {
  const stateDir = await mkdtemp(join(tmpdir(), 'strata-pods-'));
  return {
    context: { nodeName: 'node-a', nodeIP: '127.0.1.10', kubeConfig: unusedKubeConfig(), stateDir, ...overrides },
    remove: () => rm(stateDir, { recursive: true, force: true }),
  };
}

/**
 * A small range of its own for each test file: test files run in parallel
 * processes, and two of them handing out the same loopback address would
 * fight over its ports.
 */
export function privateAddressPool(): PodAddressPool {
  const block = 64 + Math.floor(Math.random() * 64);
  const quarter = Math.floor(Math.random() * 4) * 64;
  return new PodAddressPool(`127.0.${block}.${quarter}/26`);
}

/** Collects what a runtime reports for one pod. */
export class StatusRecorder {
  readonly reports: PodRuntimeStatus[] = [];
  readonly report = (status: PodRuntimeStatus): void => {
    this.reports.push(status);
  };

  get latest(): PodRuntimeStatus | undefined {
    return this.reports.at(-1);
  }

  /** The first report, from now on or already made, that satisfies `accept`. */
  async until(
    what: string,
    accept: (status: PodRuntimeStatus) => boolean,
    timeoutMs = 15_000,
  ): Promise<PodRuntimeStatus> {
    return waitFor(what, () => this.reports.find(accept), timeoutMs);
  }

  /** Waits until the latest report satisfies `accept`. */
  async latestUntil(
    what: string,
    accept: (status: PodRuntimeStatus) => boolean,
    timeoutMs = 15_000,
  ): Promise<PodRuntimeStatus> {
    return waitFor(what, () => (this.latest !== undefined && accept(this.latest) ? this.latest : undefined), timeoutMs);
  }
}

/** The ids of the living processes (zombies do not count) in a process group, read from /proc. */
export function processGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses, so split after its last ')'.
    const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state !== 'Z' && Number(group) === pgid) members.push(Number(entry));
  }
  return members;
}

/** Whether a process is alive (a zombie is not). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export function containerPid(status: PodRuntimeStatus | undefined, name = 'main'): number {
  const id = status?.containerStatuses?.find((candidate) => candidate.name === name)?.containerID ?? '';
  const pid = Number(id.replace(/^strata:\/\//, ''));
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`container ${name} has no pid in its containerID "${id}"`);
  return pid;
}
