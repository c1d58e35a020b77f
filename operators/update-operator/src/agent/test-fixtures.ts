// Typed builders for the agent's unit tests.
import type { V1Node } from '@kubernetes/client-node';
import type { OsRelease, UpdateEngineStatus } from '@strata/api';
import { ANNOTATIONS, FALSE, LABELS, TRUE } from '@strata/api';

export interface NodeFixture {
  readonly rebootNeeded?: boolean;
  readonly rebootOk?: boolean;
  readonly rebootInProgress?: boolean;
  readonly rebootBootId?: string;
  readonly agentMadeUnschedulable?: boolean;
  readonly unschedulable?: boolean;
  readonly grantedAt?: string;
  readonly drainFailed?: string;
  readonly rebootTargetVersion?: string;
  readonly annotations?: Record<string, string>;
  readonly labels?: Record<string, string>;
}

const flag = (value: boolean | undefined): string | undefined =>
  value === undefined ? undefined : value ? TRUE : FALSE;

export function aNode(fixture: NodeFixture = {}): V1Node {
  const entries: [string, string | undefined][] = [
    [ANNOTATIONS.rebootNeeded, flag(fixture.rebootNeeded)],
    [ANNOTATIONS.rebootOk, flag(fixture.rebootOk)],
    [ANNOTATIONS.rebootInProgress, flag(fixture.rebootInProgress)],
    [ANNOTATIONS.rebootBootId, fixture.rebootBootId],
    [ANNOTATIONS.agentMadeUnschedulable, fixture.agentMadeUnschedulable === true ? TRUE : undefined],
    [ANNOTATIONS.rebootGrantedAt, fixture.grantedAt],
    [ANNOTATIONS.drainFailed, fixture.drainFailed],
    [ANNOTATIONS.rebootTargetVersion, fixture.rebootTargetVersion],
  ];
  const annotations = {
    ...Object.fromEntries(entries.filter((entry): entry is [string, string] => entry[1] !== undefined)),
    ...fixture.annotations,
  };
  return {
    metadata: { name: 'node-1', resourceVersion: '42', annotations, labels: { ...fixture.labels } },
    spec: fixture.unschedulable === true ? { unschedulable: true } : {},
  };
}

export const FLATCAR: OsRelease = {
  id: 'flatcar',
  version: '4230.2.3',
  group: 'stable',
  prettyName: 'Flatcar Container Linux by Kinvolk 4230.2.3 (Oklo)',
  kernelVersion: '6.6.95-flatcar',
};

export const FEDORA_COREOS: OsRelease = {
  id: 'fedora-coreos',
  version: '42.20250901.3.0',
  group: 'stable',
  prettyName: 'Fedora CoreOS 42.20250901.3.0',
  kernelVersion: '6.15.4-200.fc42.x86_64',
};

export function aStatus(overrides: Partial<UpdateEngineStatus> = {}): UpdateEngineStatus {
  return {
    lastCheckedTime: 1_767_225_600,
    progress: 0,
    currentOperation: 'UPDATE_STATUS_IDLE',
    newVersion: '',
    newSize: 0,
    ...overrides,
  };
}

export const NEED_REBOOT = aStatus({
  currentOperation: 'UPDATE_STATUS_UPDATED_NEED_REBOOT',
  newVersion: '4230.2.4',
  newSize: 314_572_800,
});

/** The labels an agent writes for FLATCAR, so a fixture can start from an already-reported node. */
export const FLATCAR_LABELS = { [LABELS.osId]: 'flatcar', [LABELS.version]: '4230.2.3', [LABELS.group]: 'stable' };
