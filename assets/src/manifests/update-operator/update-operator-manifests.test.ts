import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type {
  KubernetesObject,
  V1ClusterRole,
  V1DaemonSet,
  V1Deployment,
  V1PolicyRule,
  V1Role,
  V1Secret,
  V1Service,
  V1ValidatingAdmissionPolicy,
  V1ValidatingAdmissionPolicyBinding,
} from '@kubernetes/client-node';
import { z } from 'zod';
import { FLEETLOCK_PORT } from '../../render/catalog/node-files.ts';
import { ManifestInputsError } from '../inputs.ts';
import { renderBootstrapManifests } from '../render.ts';
import { manifestInputs } from '../test-fixtures.ts';
import { UPDATE_AGENT_HOST_USER, updatePolicyCrd } from '@strata/api';
import {
  UPDATE_AGENT_USERNAME,
  UPDATE_OPERATOR_NAMES,
  UPDATE_OPERATOR_NAMESPACE,
  UPDATE_OPERATOR_USERNAME,
} from './names.ts';
import { StructuralSchemaError, structuralSchema, type JsonSchema } from '@strata/api';
import { aWindow } from '@strata/api/testing';
import { LABELS, updatePolicyIssues } from '@strata/api';

/** The default policy's selector: a node labelled LABELS.rebootsPaused is held back (ADR 0062). */
const EVERY_NODE_NOT_PAUSED = { matchExpressions: [{ key: LABELS.rebootsPaused, operator: 'DoesNotExist' }] };

const ADDON_FILES = ['50-update-operator-crd.yaml', '51-update-operator.yaml', '52-update-policy.yaml'];

function objectsOf(inputs = manifestInputs()): KubernetesObject[] {
  return renderBootstrapManifests(inputs)
    .filter((file) => ADDON_FILES.includes(file.fileName))
    .flatMap((file) => file.objects);
}

function find<T extends KubernetesObject>(kind: string, name: string, objects = objectsOf()): T {
  const found = objects.filter((object) => object.kind === kind && object.metadata?.name === name);
  assert.equal(found.length, 1, `exactly one ${kind} ${name}`);
  return found[0] as T;
}

const rulesOf = (kind: 'ClusterRole' | 'Role', name: string): V1PolicyRule[] =>
  find<V1ClusterRole | V1Role>(kind, name).rules ?? [];

/** "group/resource: verbs" lines, so that a rule added or widened shows in the diff. */
const grants = (rules: readonly V1PolicyRule[]) =>
  rules.map((rule) =>
    [
      `${(rule.apiGroups ?? []).join(',')}/${(rule.resources ?? []).join(',')}`,
      rule.resourceNames ? `[${rule.resourceNames.join(',')}]` : '',
      `: ${rule.verbs.join(',')}`,
    ].join(''),
  );

describe('update operator manifests', () => {
  it('puts the CRD alone before the objects that use it, and the default policy last', () => {
    const files = renderBootstrapManifests(manifestInputs()).filter((file) => ADDON_FILES.includes(file.fileName));
    assert.deepEqual(
      files.map((file) => file.fileName),
      ADDON_FILES,
    );
    assert.deepEqual(
      files[0]?.objects.map((object) => object.kind),
      ['CustomResourceDefinition'],
    );
    assert.deepEqual(
      files[2]?.objects.map((object) => object.kind),
      ['UpdatePolicy'],
    );
    const running = files[1]?.objects.map((object) => object.kind) ?? [];
    assert.ok(
      running.indexOf('ValidatingAdmissionPolicyBinding') < running.indexOf('DaemonSet'),
      'the agents start restrained',
    );
  });

  it('grants the operator exactly what it uses', () => {
    assert.deepEqual(grants(rulesOf('ClusterRole', 'strata:update-operator')), [
      '/nodes: get,list,watch,patch',
      '/pods: list,watch',
      '/pods/eviction: create',
      'update.strata.dev/updatepolicies: get,list,watch',
      'update.strata.dev/updatepolicies/status: update,patch',
      ',events.k8s.io/events: create,patch',
    ]);
    assert.deepEqual(grants(rulesOf('Role', 'strata:update-operator-leader-election')), [
      'coordination.k8s.io/leases: create',
      'coordination.k8s.io/leases[update-operator]: get,update',
    ]);
    assert.equal(find<V1Role>('Role', 'strata:update-operator-leader-election').metadata?.namespace, 'strata-system');
  });

  it('grants the agent exactly what it uses, and nothing on UpdatePolicy status', () => {
    assert.deepEqual(grants(rulesOf('ClusterRole', 'strata:update-agent')), [
      '/nodes: get,list,watch,patch',
      '/pods: list,watch',
      '/pods/eviction: create',
      'update.strata.dev/updatepolicies: get,list,watch',
      ',events.k8s.io/events: create',
    ]);
  });

  it('binds each role to its own ServiceAccount only', () => {
    for (const [kind, name, account] of [
      ['ClusterRoleBinding', 'strata:update-operator', 'update-operator'],
      ['RoleBinding', 'strata:update-operator-leader-election', 'update-operator'],
      ['ClusterRoleBinding', 'strata:update-agent', 'update-agent'],
    ] as const) {
      const binding = find<KubernetesObject & { subjects?: unknown[] }>(kind, name);
      assert.deepEqual(
        binding.subjects,
        [{ kind: 'ServiceAccount', name: account, namespace: 'strata-system' }],
        `${kind} ${name}`,
      );
    }
  });

  it('holds the agent to its own Node with an enforced admission policy', () => {
    const policy = find<V1ValidatingAdmissionPolicy>(
      'ValidatingAdmissionPolicy',
      UPDATE_OPERATOR_NAMES.agentNodePolicy,
    );
    assert.equal(policy.spec?.failurePolicy, 'Fail');
    assert.deepEqual(policy.spec?.matchConstraints?.resourceRules?.[0]?.operations, ['UPDATE']);
    assert.match(policy.spec?.matchConditions?.[0]?.expression ?? '', new RegExp(UPDATE_AGENT_USERNAME));
    const binding = find<V1ValidatingAdmissionPolicyBinding>(
      'ValidatingAdmissionPolicyBinding',
      UPDATE_OPERATOR_NAMES.agentNodePolicy,
    );
    assert.deepEqual(binding.spec, { policyName: UPDATE_OPERATOR_NAMES.agentNodePolicy, validationActions: ['Deny'] });
  });

  it('holds the operator to the update keys of Nodes with an enforced admission policy', () => {
    const name = UPDATE_OPERATOR_NAMES.operatorNodePolicy;
    const policy = find<V1ValidatingAdmissionPolicy>('ValidatingAdmissionPolicy', name);
    assert.equal(policy.spec?.failurePolicy, 'Fail');
    assert.deepEqual(policy.spec?.matchConstraints?.resourceRules?.[0]?.resources, ['nodes']);
    assert.deepEqual(policy.spec?.matchConstraints?.resourceRules?.[0]?.operations, ['UPDATE']);
    assert.equal(
      policy.spec?.matchConditions?.[0]?.expression,
      `request.userInfo.username == '${UPDATE_OPERATOR_USERNAME}'`,
    );
    const binding = find<V1ValidatingAdmissionPolicyBinding>('ValidatingAdmissionPolicyBinding', name);
    assert.deepEqual(binding.spec, { policyName: name, validationActions: ['Deny'] });
  });

  it('runs two operator replicas, spread over nodes, unprivileged, probed on /healthz and /readyz', () => {
    const deployment = find<V1Deployment>('Deployment', 'update-operator');
    const pod = deployment.spec?.template.spec;
    const container = pod?.containers[0];
    assert.equal(deployment.spec?.replicas, 2);
    assert.ok(pod?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length);
    assert.equal(
      pod?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
      undefined,
      'a cluster with one controller still runs both, the second elsewhere',
    );
    // Two pods cannot hold one host port on a node: a rollout replaces a replica rather than adding a third.
    assert.deepEqual(deployment.spec?.strategy, {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 0, maxUnavailable: 1 },
    });
    assert.ok(pod?.tolerations?.some((toleration) => toleration.key === 'node-role.kubernetes.io/control-plane'));
    assert.equal(pod?.securityContext?.runAsNonRoot, true);
    assert.equal(container?.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(container?.securityContext?.allowPrivilegeEscalation, false);
    assert.equal(container?.args?.[0], 'operator');
    assert.ok(container?.args?.includes('--lease-name=update-operator'));
    assert.equal(container?.livenessProbe?.httpGet?.path, '/healthz');
    assert.equal(container?.readinessProbe?.httpGet?.path, '/readyz');
    // A slow start is the startup probe's to wait out, for longer than liveness would: minutes, not one.
    const startup = container?.startupProbe;
    assert.equal(startup?.httpGet?.path, '/healthz');
    const liveness = container?.livenessProbe;
    assert.ok(
      (startup?.periodSeconds ?? 0) * (startup?.failureThreshold ?? 0) >=
        4 * (liveness?.periodSeconds ?? 0) * (liveness?.failureThreshold ?? 0),
      'the startup probe waits at least four times as long as liveness would',
    );
    assert.ok(container?.resources?.limits?.['memory']);
    // The leader reboots its own node last (ADR 0075): it must know which node that is.
    assert.deepEqual(container?.env?.find((variable) => variable.name === 'NODE_NAME')?.valueFrom, {
      fieldRef: { fieldPath: 'spec.nodeName' },
    });
    const nodeOptions = container?.env?.find((variable) => variable.name === 'NODE_OPTIONS')?.value ?? '';
    assert.match(nodeOptions, /--max-semi-space-size=\d+/);
    // V8's old generation has a ceiling, and it leaves room within the container's limit for what is outside it.
    const oldSpaceMiB = Number(/--max-old-space-size=(\d+)/.exec(nodeOptions)?.[1]);
    const limitMiB = Number(/^(\d+)Mi$/.exec(String(container?.resources?.limits?.['memory']))?.[1]);
    assert.ok(oldSpaceMiB > 0 && oldSpaceMiB <= limitMiB - 128, `old space ${oldSpaceMiB} MiB, limit ${limitMiB} MiB`);
    assert.equal(container?.env?.find((variable) => variable.name === 'MALLOC_ARENA_MAX')?.value, '2');
  });

  it('runs the agent on every node with its node name and the host paths it reads, read-only', () => {
    const daemonSet = find<V1DaemonSet>('DaemonSet', 'update-agent');
    const pod = daemonSet.spec?.template.spec;
    const container = pod?.containers[0];
    assert.deepEqual(pod?.tolerations, [{ operator: 'Exists' }]);
    assert.deepEqual(pod?.securityContext, {
      runAsNonRoot: true,
      runAsUser: UPDATE_AGENT_HOST_USER.uid,
      runAsGroup: UPDATE_AGENT_HOST_USER.gid,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    assert.equal(container?.securityContext?.capabilities?.add, undefined, 'no added capabilities');
    assert.notEqual(pod?.hostPID, true);
    assert.notEqual(pod?.hostNetwork, true);
    assert.equal(container?.args?.[0], 'agent');
    assert.deepEqual(container?.env?.find((variable) => variable.name === 'NODE_NAME')?.valueFrom, {
      fieldRef: { fieldPath: 'spec.nodeName' },
    });
    const mounts = Object.fromEntries(
      (container?.volumeMounts ?? []).map((mount) => [mount.mountPath, mount.readOnly]),
    );
    assert.deepEqual(mounts, {
      '/run/dbus/system_bus_socket': true,
      '/host/proc/sys/kernel/random/boot_id': true,
      '/host/etc/os-release': true,
      '/host/usr': true,
      '/host/etc/flatcar': true,
    });
    assert.equal(container?.securityContext?.readOnlyRootFilesystem, true);
    assert.deepEqual(container?.securityContext?.capabilities, { drop: ['ALL'] });
  });

  it('serves FleetLock on a host port of the controllers, the port Zincati is configured with, and on no NodePort', () => {
    const services = objectsOf().filter(
      (object): object is V1Service =>
        object.kind === 'Service' && object.metadata?.namespace === UPDATE_OPERATOR_NAMESPACE,
    );
    assert.deepEqual(
      services.map((service) => [service.metadata?.name, service.spec?.type ?? 'ClusterIP']),
      [[UPDATE_OPERATOR_NAMES.metricsService, 'ClusterIP']],
    );
    assert.equal(find<V1Service>('Service', UPDATE_OPERATOR_NAMES.metricsService).spec?.ports?.[0]?.port, 8080);
    const pod = find<V1Deployment>('Deployment', UPDATE_OPERATOR_NAMES.operator).spec?.template.spec;
    assert.notEqual(pod?.hostNetwork, true);
    const port = pod?.containers[0]?.ports?.find((candidate) => candidate.name === 'fleetlock');
    assert.deepEqual(port, { name: 'fleetlock', containerPort: 8081, hostPort: FLEETLOCK_PORT, protocol: 'TCP' });
    assert.deepEqual(
      pod?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0]?.preference.matchExpressions,
      [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }],
    );
  });

  it('serves FleetLock over HTTPS from a kubernetes.io/tls Secret mounted read-only, when given a certificate', () => {
    const fleetLockTls = {
      certPem: '-----BEGIN CERTIFICATE-----\nZmxlZXRsb2Nr\n-----END CERTIFICATE-----\n',
      keyPem: '-----BEGIN PRIVATE KEY-----\nbm90LWEta2V5\n-----END PRIVATE KEY-----\n',
    };
    const objects = objectsOf(manifestInputs({ fleetLockTls }));
    const secret = find<V1Secret>('Secret', UPDATE_OPERATOR_NAMES.fleetLockTlsSecret, objects);
    assert.equal(secret.type, 'kubernetes.io/tls');
    assert.equal(secret.metadata?.namespace, UPDATE_OPERATOR_NAMESPACE);
    assert.deepEqual(secret.data, {
      'tls.crt': Buffer.from(fleetLockTls.certPem).toString('base64'),
      'tls.key': Buffer.from(fleetLockTls.keyPem).toString('base64'),
    });
    const names = objects.map((object) => `${object.kind}/${object.metadata?.name ?? ''}`);
    assert.ok(
      names.indexOf(`Secret/${UPDATE_OPERATOR_NAMES.fleetLockTlsSecret}`) <
        names.indexOf(`Deployment/${UPDATE_OPERATOR_NAMES.operator}`),
      'the Secret is applied before the Deployment that mounts it',
    );
    const pod = find<V1Deployment>('Deployment', UPDATE_OPERATOR_NAMES.operator, objects).spec?.template.spec;
    assert.deepEqual(pod?.volumes, [
      { name: 'fleetlock-tls', secret: { secretName: UPDATE_OPERATOR_NAMES.fleetLockTlsSecret, defaultMode: 0o440 } },
    ]);
    assert.equal(pod?.securityContext?.fsGroup, pod?.securityContext?.runAsUser, 'the nonroot user may read the key');
    const container = pod?.containers[0];
    assert.deepEqual(container?.volumeMounts, [
      { name: 'fleetlock-tls', mountPath: '/etc/strata/fleetlock-tls', readOnly: true },
    ]);
    assert.deepEqual(
      container?.args?.filter((arg) => arg.startsWith('--fleetlock-')),
      [
        '--fleetlock-address=$(POD_IP):8081',
        '--fleetlock-cert-file=/etc/strata/fleetlock-tls/tls.crt',
        '--fleetlock-key-file=/etc/strata/fleetlock-tls/tls.key',
      ],
    );
  });

  it('serves FleetLock over plain HTTP, with no Secret, when given no certificate', () => {
    const objects = objectsOf(manifestInputs());
    assert.deepEqual(
      objects.filter((object) => object.kind === 'Secret' && object.metadata?.namespace === UPDATE_OPERATOR_NAMESPACE),
      [],
    );
    const pod = find<V1Deployment>('Deployment', UPDATE_OPERATOR_NAMES.operator, objects).spec?.template.spec;
    assert.equal(pod?.volumes, undefined);
    assert.deepEqual(
      pod?.containers[0]?.args?.filter((arg) => arg.startsWith('--fleetlock-')),
      ['--fleetlock-address=$(POD_IP):8081'],
    );
  });

  it('refuses a FleetLock certificate that is not PEM, without echoing it', () => {
    assert.throws(
      () => renderBootstrapManifests(manifestInputs({ fleetLockTls: { certPem: 'x', keyPem: 'secret-key-material' } })),
      (error: unknown) =>
        error instanceof ManifestInputsError &&
        error.issues.map((issue) => issue.field).join() === 'fleetLockTls.certPem,fleetLockTls.keyPem' &&
        !error.message.includes('secret-key-material'),
    );
  });

  it('writes a valid default policy for every node whose reboots nobody paused, one at a time, at any hour', () => {
    const policy = find<KubernetesObject & { spec: unknown }>('UpdatePolicy', 'default');
    assert.deepEqual(updatePolicyIssues(policy), []);
    assert.deepEqual(policy.spec, { nodeSelector: EVERY_NODE_NOT_PAUSED, maxUnavailable: 1 });
  });

  it('writes the cluster config’s budget, windows and pause into the default policy', () => {
    const window = aWindow({ timeZone: 'UTC' });
    const inputs = manifestInputs({
      defaultUpdatePolicy: { maxUnavailable: '10%', rebootWindows: [window], paused: true },
    });
    const policy = find<KubernetesObject & { spec: unknown }>('UpdatePolicy', 'default', objectsOf(inputs));
    assert.deepEqual(policy.spec, {
      nodeSelector: EVERY_NODE_NOT_PAUSED,
      maxUnavailable: '10%',
      rebootWindows: [window],
      paused: true,
    });
    assert.deepEqual(updatePolicyIssues(policy), []);
  });

  it('refuses default policy settings the CRD would refuse, naming the field', () => {
    const inputs = manifestInputs({ defaultUpdatePolicy: { rebootWindows: [aWindow({ timeZone: 'Mars/Olympus' })] } });
    assert.throws(
      () => renderBootstrapManifests(inputs),
      (error: unknown) =>
        error instanceof ManifestInputsError && error.field === 'defaultUpdatePolicy.rebootWindows.0.timeZone',
    );
  });
});

describe('the UpdatePolicy CRD schema', () => {
  const schema = updatePolicyCrd().spec.versions[0]?.schema.openAPIV3Schema;
  assert.ok(schema);

  /** Every node of the schema with its path. */
  function* walk(node: JsonSchema, path: string): Generator<[string, JsonSchema]> {
    yield [path, node];
    const properties = node['properties'];
    if (typeof properties === 'object' && properties !== null && !Array.isArray(properties)) {
      for (const [name, child] of Object.entries(properties)) yield* walk(child as JsonSchema, `${path}.${name}`);
    }
    for (const key of ['items', 'additionalProperties']) {
      const child = node[key];
      if (typeof child === 'object' && child !== null && !Array.isArray(child)) yield* walk(child, `${path}[]`);
    }
  }

  it('is structural: every node typed, no additionalProperties: false, anyOf only for int-or-string', () => {
    for (const [path, node] of walk(schema, '')) {
      assert.ok(node['type'] !== undefined || node['x-kubernetes-int-or-string'] === true, `${path} has a type`);
      assert.notEqual(node['additionalProperties'], false, path);
      if (node['anyOf'] !== undefined) assert.equal(node['x-kubernetes-int-or-string'], true, path);
    }
  });

  it('bounds every list and string a CEL rule reads, so the API server can estimate its cost', () => {
    for (const [path, node] of walk(schema, '')) {
      if (node['x-kubernetes-validations'] === undefined) continue;
      if (node['type'] === 'string') assert.ok(typeof node['maxLength'] === 'number', `${path} has maxLength`);
      if (node['type'] === 'object' && node['additionalProperties'] !== undefined)
        assert.ok(typeof node['maxProperties'] === 'number', `${path} has maxProperties`);
    }
  });

  it('shows printer columns that point at fields of the schema', () => {
    const known = new Set([...walk(schema, '')].map(([path]) => path));
    for (const column of updatePolicyCrd().spec.versions[0]?.additionalPrinterColumns ?? []) {
      const path = column.jsonPath.replace(/\[\?.*\]\.status$/, '[].status');
      assert.ok(
        known.has(path) || column.jsonPath === '.metadata.creationTimestamp',
        `${column.name}: ${column.jsonPath}`,
      );
    }
  });

  it('refuses to convert what a structural schema cannot express', () => {
    assert.throws(
      () => structuralSchema(z.strictObject({ either: z.union([z.string(), z.boolean()]) })),
      StructuralSchemaError,
    );
  });
});
