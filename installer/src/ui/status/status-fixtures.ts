// Typed builders of what the status view's tests watch: Nodes as the API
// server returns them (with the update agent's labels and annotations) and
// UpdatePolicies parsed by their own schema.
import type { V1Node } from '@kubernetes/client-node';
import { ANNOTATIONS, LABELS, TRUE, UPDATE_POLICY, updatePolicySchema, type UpdatePolicy } from '@strata/api';
import { nodeStatus, policyStatus, type ClusterStatus } from './cluster-status.ts';

export const NOW = Date.parse('2026-12-04T12:00:00.000Z');

export interface NodeSpec {
  readonly name: string;
  readonly controller?: boolean;
  readonly ready?: boolean;
  readonly cordoned?: boolean;
  readonly version?: string;
  readonly rebootNeeded?: boolean;
  readonly newVersion?: string;
}

export function aNode(spec: NodeSpec): V1Node {
  return {
    metadata: {
      name: spec.name,
      labels: {
        ...(spec.controller === true ? { 'node.kubernetes.io/controller': 'true' } : {}),
        [LABELS.osId]: 'flatcar',
        [LABELS.version]: spec.version ?? '4152.2.0',
      },
      annotations: {
        ...(spec.rebootNeeded === true ? { [ANNOTATIONS.rebootNeeded]: TRUE } : {}),
        ...(spec.newVersion === undefined ? {} : { [ANNOTATIONS.newVersion]: spec.newVersion }),
      },
    },
    spec: spec.cordoned === true ? { unschedulable: true } : {},
    status: {
      conditions: [{ type: 'Ready', status: spec.ready === false ? 'False' : 'True' }],
      nodeInfo: {
        osImage: 'Flatcar Container Linux',
        architecture: 'amd64',
        bootID: '',
        containerRuntimeVersion: '',
        kernelVersion: '',
        kubeProxyVersion: '',
        kubeletVersion: 'v1.36.3',
        machineID: '',
        operatingSystem: 'linux',
        systemUUID: '',
      },
    },
  };
}

export function aPolicy(
  name: string,
  status: { total: number; upToDate: number; inProgress?: readonly string[]; blocked?: string },
): UpdatePolicy {
  return updatePolicySchema.parse({
    apiVersion: UPDATE_POLICY.apiVersion,
    kind: UPDATE_POLICY.kind,
    metadata: { name },
    spec: {},
    status: {
      nodes: {
        total: status.total,
        upToDate: status.upToDate,
        idle: status.total,
        rebootNeeded: 0,
        waiting: 0,
        approved: 0,
        draining: 0,
        rebooting: 0,
        afterReboot: 0,
        failed: 0,
      },
      inProgress: [...(status.inProgress ?? [])],
      conditions:
        status.blocked === undefined
          ? []
          : [
              {
                type: 'Blocked',
                status: 'True',
                reason: status.blocked,
                message: 'outside every reboot window',
                lastTransitionTime: new Date(NOW).toISOString(),
              },
            ],
    },
  });
}

/** A healthy cluster with these nodes and policies, probed a second before NOW. */
export function aClusterStatus(nodes: readonly V1Node[], policies: readonly UpdatePolicy[] = []): ClusterStatus {
  return {
    cluster: 'dev',
    platform: 'local',
    apiServerUrl: 'https://127.0.0.2:6443',
    api: { healthy: true, detail: '/readyz answers 200: all 40 checks pass', checkedAt: NOW - 1_000 },
    etcd: { healthy: true, detail: 'answering: dev-controller-0', checkedAt: NOW - 1_000 },
    nodes: nodes.map(nodeStatus),
    policies: policies.map(policyStatus),
    watchProblems: {},
  };
}
