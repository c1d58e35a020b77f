import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type {
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1DaemonSet,
  V1Deployment,
  V1Namespace,
  V1Secret,
  V1Service,
} from '@kubernetes/client-node';
import { ETCD_MEMBER_CLUSTER_ROLE, ETCD_MEMBER_SIGNER, POD_ANNOTATIONS } from '@strata/api';
import { parse, parseAllDocuments } from 'yaml';
import {
  COREDNS_IMAGE,
  FLANNEL_CNI_PLUGIN_IMAGE,
  FLANNEL_IMAGE,
  ManifestInputsError,
  UPDATE_OPERATOR_IMAGE,
  ETCD_OPERATOR_IMAGE,
  manifestFileToYaml,
  renderBootstrapManifests,
  type ManifestFile,
  type ManifestInputs,
} from './index.ts';
import { canonicalObject } from './yaml.ts';
import { bootstrapTokenInput, configData, find, manifestInputs } from './test-fixtures.ts';

function env(daemonSet: V1DaemonSet, container: string): Record<string, string | undefined> {
  const found = daemonSet.spec?.template.spec?.containers.find((candidate) => candidate.name === container);
  assert.ok(found, `container ${container}`);
  return Object.fromEntries((found.env ?? []).map((variable) => [variable.name, variable.value]));
}

const allYaml = (files: readonly ManifestFile[]): string =>
  files.map((file) => `# ${file.fileName}\n${manifestFileToYaml(file)}`).join('');

describe('renderBootstrapManifests', () => {
  it('names its files in apply order', () => {
    const names = renderBootstrapManifests(manifestInputs()).map((file) => file.fileName);
    assert.deepEqual(names, [
      '00-namespaces.yaml',
      '10-node-bootstrap.yaml',
      '11-join-approver.yaml',
      '20-flannel.yaml',
      '30-kube-proxy.yaml',
      '40-coredns.yaml',
      '50-update-operator-crd.yaml',
      '51-update-operator.yaml',
      '52-update-policy.yaml',
      '55-etcd-operator-crds.yaml',
      '56-etcd-operator.yaml',
      '57-update-server-crds.yaml',
    ]);
    assert.deepEqual([...names].sort(), names, 'lexical order is apply order');
  });

  it('renders byte-identical YAML for the same inputs, however their keys are ordered', () => {
    const inputs = manifestInputs({ mtu: 1450, images: { coredns: 'mirror.example/coredns:v1.14.2' } });
    const reordered = Object.fromEntries(Object.entries(inputs).reverse()) as unknown as ManifestInputs;
    const first = allYaml(renderBootstrapManifests(inputs));
    assert.equal(allYaml(renderBootstrapManifests(inputs)), first);
    assert.equal(allYaml(renderBootstrapManifests(reordered)), first);
  });

  it('writes YAML that parses back to exactly the objects', () => {
    for (const file of renderBootstrapManifests(manifestInputs())) {
      const documents = parseAllDocuments(manifestFileToYaml(file));
      assert.ok(Array.isArray(documents));
      for (const document of documents) assert.deepEqual(document.errors, []);
      assert.deepEqual(
        documents.map((document) => document.toJS() as unknown),
        file.objects.map((object) => canonicalObject(object)),
        file.fileName,
      );
    }
  });

  it('puts namespaced objects in a namespace and cluster-scoped ones in none', () => {
    const clusterScoped = new Set([
      'Namespace',
      'ClusterRole',
      'ClusterRoleBinding',
      'CustomResourceDefinition',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
      'UpdatePolicy',
    ]);
    for (const object of renderBootstrapManifests(manifestInputs()).flatMap((file) => file.objects)) {
      assert.ok(object.apiVersion && object.kind && object.metadata?.name, JSON.stringify(object.metadata));
      const kind = object.kind;
      assert.equal(object.metadata.namespace === undefined, clusterScoped.has(kind), `${kind} ${object.metadata.name}`);
    }
  });

  it('labels the add-on namespaces for Pod Security Admission at the cluster minor version', () => {
    const files = renderBootstrapManifests(manifestInputs({ kubernetesVersion: 'v1.36.3' }));
    const system = find<V1Namespace>(files, 'Namespace', 'strata-system').metadata?.labels;
    const console = find<V1Namespace>(files, 'Namespace', 'strata-console').metadata?.labels;
    assert.equal(system?.['pod-security.kubernetes.io/enforce'], 'privileged');
    assert.equal(system?.['strata.dev/component'], 'system');
    assert.equal(console?.['pod-security.kubernetes.io/enforce'], 'restricted');
    assert.equal(console?.['pod-security.kubernetes.io/enforce-version'], 'v1.36');
    assert.equal(console?.['strata.dev/component'], 'console');
  });

  it('writes one bootstrap token Secret per machine, bound to it and expiring, as the token authenticator expects', () => {
    const files = renderBootstrapManifests(
      manifestInputs({
        bootstrapTokens: [
          bootstrapTokenInput({ id: 'k3y1d0', secret: 'abcdefghij012345', expiration: '2031-02-03T04:05:06Z' }),
          bootstrapTokenInput({ id: 'p00l01', target: { kind: 'pool', name: 'gpu' } }),
        ],
      }),
    );
    const pool = find<V1Secret>(files, 'Secret', 'bootstrap-token-p00l01');
    assert.equal(
      Buffer.from(pool.data?.['auth-extra-groups'] ?? '', 'base64').toString('utf8'),
      'system:bootstrappers:strata:pool:gpu',
    );
    const secret = find<V1Secret>(files, 'Secret', 'bootstrap-token-k3y1d0');
    assert.equal(secret.metadata?.namespace, 'kube-system');
    assert.equal(secret.type, 'bootstrap.kubernetes.io/token');
    const decoded = Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]),
    );
    assert.equal(decoded['token-id'], 'k3y1d0');
    assert.equal(decoded['token-secret'], 'abcdefghij012345');
    assert.equal(decoded['usage-bootstrap-authentication'], 'true');
    assert.equal(decoded['usage-bootstrap-signing'], 'true');
    assert.equal(decoded['auth-extra-groups'], 'system:bootstrappers:strata:node:test-cluster-worker-0');
    assert.equal(decoded['expiration'], '2031-02-03T04:05:06Z');
  });

  it('binds bootstrappers and nodes to the CSR roles and nothing broader', () => {
    const bindings = renderBootstrapManifests(manifestInputs())
      .flatMap((file) => file.objects)
      .filter((object): object is V1ClusterRoleBinding => object.kind === 'ClusterRoleBinding')
      .filter((binding) => binding.subjects?.some((subject) => subject.kind === 'Group'));
    assert.deepEqual(
      bindings.map((binding) => [
        binding.roleRef.name,
        binding.subjects?.map((subject) => `${subject.kind}/${subject.name}`),
      ]),
      [
        ['system:node-bootstrapper', ['Group/system:bootstrappers']],
        ['system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', ['Group/system:nodes']],
      ],
    );
  });

  it('gives flannel the pod network, and the MTU only when one is set', () => {
    const detected = renderBootstrapManifests(manifestInputs({ podCidr: '10.244.0.0/16' }));
    const netConf = JSON.parse(configData(detected, 'kube-flannel-cfg', 'net-conf.json')) as Record<string, unknown>;
    assert.deepEqual(netConf, { Network: '10.244.0.0/16', EnableNFTables: false, Backend: { Type: 'vxlan' } });

    const fixed = renderBootstrapManifests(manifestInputs({ mtu: 1450 }));
    const fixedConf = JSON.parse(configData(fixed, 'kube-flannel-cfg', 'net-conf.json')) as { Backend: unknown };
    assert.deepEqual(fixedConf.Backend, { Type: 'vxlan', MTU: 1450 });

    const cniConf = JSON.parse(configData(fixed, 'kube-flannel-cfg', 'cni-conf.json')) as {
      plugins: { type: string }[];
    };
    assert.deepEqual(
      cniConf.plugins.map((plugin) => plugin.type),
      ['flannel', 'portmap'],
    );
  });

  it('points flannel and kube-proxy at the API server directly', () => {
    const files = renderBootstrapManifests(manifestInputs({ apiServer: { host: 'api.example.com', port: 443 } }));
    for (const [name, container] of [
      ['kube-flannel', 'kube-flannel'],
      ['kube-proxy', 'kube-proxy'],
    ] as const) {
      const variables = env(find<V1DaemonSet>(files, 'DaemonSet', name), container);
      assert.equal(variables['KUBERNETES_SERVICE_HOST'], 'api.example.com', name);
      assert.equal(variables['KUBERNETES_SERVICE_PORT'], '443', name);
    }
  });

  it('gives kube-proxy the cluster CIDR and an image of the cluster version', () => {
    const files = renderBootstrapManifests(manifestInputs({ podCidr: '10.20.0.0/16', kubernetesVersion: 'v1.36.3' }));
    const config = parse(configData(files, 'kube-proxy', 'config.conf')) as Record<string, unknown>;
    assert.equal(config['apiVersion'], 'kubeproxy.config.k8s.io/v1alpha1');
    assert.equal(config['kind'], 'KubeProxyConfiguration');
    assert.equal(config['clusterCIDR'], '10.20.0.0/16');
    assert.equal(config['mode'], 'iptables');
    assert.equal(config['metricsBindAddress'], '0.0.0.0:10249');
    const image = find<V1DaemonSet>(files, 'DaemonSet', 'kube-proxy').spec?.template.spec?.containers[0]?.image;
    assert.equal(image, 'registry.k8s.io/kube-proxy:v1.36.3');
  });

  it('serves DNS for the cluster domain at the requested Service IP', () => {
    const files = renderBootstrapManifests(
      manifestInputs({ clusterDomain: 'strata.internal', serviceCidr: '10.96.0.0/12', dnsServiceIp: '10.96.0.10' }),
    );
    const corefile = configData(files, 'coredns', 'Corefile');
    assert.match(corefile, /^ {4}kubernetes strata\.internal in-addr\.arpa ip6\.arpa \{$/m);
    assert.doesNotMatch(corefile, /cluster\.local/);
    const service = find<V1Service>(files, 'Service', 'kube-dns');
    assert.equal(service.spec?.clusterIP, '10.96.0.10');
    assert.deepEqual(
      service.spec?.ports?.map((port) => `${port.port}/${port.protocol}`),
      ['53/UDP', '53/TCP', '9153/TCP'],
    );
    const deployment = find<V1Deployment>(files, 'Deployment', 'coredns');
    assert.equal(deployment.spec?.replicas, 2);
    assert.deepEqual(deployment.spec?.selector.matchLabels, service.spec?.selector);
  });

  it('uses the pinned images unless told otherwise', () => {
    const images = (files: readonly ManifestFile[]) =>
      files
        .flatMap((file) => file.objects)
        .filter(
          (object): object is V1DaemonSet | V1Deployment => object.kind === 'DaemonSet' || object.kind === 'Deployment',
        )
        .flatMap((workload) => [
          ...(workload.spec?.template.spec?.initContainers ?? []),
          ...(workload.spec?.template.spec?.containers ?? []),
        ])
        .map((container) => container.image);
    assert.deepEqual(images(renderBootstrapManifests(manifestInputs())), [
      FLANNEL_CNI_PLUGIN_IMAGE,
      FLANNEL_IMAGE,
      FLANNEL_IMAGE,
      'registry.k8s.io/kube-proxy:v1.36.3',
      COREDNS_IMAGE,
      UPDATE_OPERATOR_IMAGE,
      UPDATE_OPERATOR_IMAGE,
      ETCD_OPERATOR_IMAGE,
    ]);
    const mirrored = manifestInputs({
      images: {
        flannel: 'mirror.example/flannel:v0.28.9',
        flannelCniPlugin: 'mirror.example/flannel-cni-plugin:v1.9.1-flannel3',
        coredns: 'mirror.example/coredns@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
        kubeProxy: 'mirror.example/kube-proxy:v1.36.3',
        updateOperator: 'mirror.example/update-operator:v0.1.0',
        etcdOperator: 'mirror.example/etcd-operator:v0.1.0',
      },
    });
    assert.deepEqual(images(renderBootstrapManifests(mirrored)), [
      'mirror.example/flannel-cni-plugin:v1.9.1-flannel3',
      'mirror.example/flannel:v0.28.9',
      'mirror.example/flannel:v0.28.9',
      'mirror.example/kube-proxy:v1.36.3',
      'mirror.example/coredns@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      'mirror.example/update-operator:v0.1.0',
      'mirror.example/update-operator:v0.1.0',
      'mirror.example/etcd-operator:v0.1.0',
    ]);
  });
});

describe('invalid manifest inputs', () => {
  const cases: { readonly name: string; readonly inputs: ManifestInputs; readonly field: string }[] = [
    { name: 'a pod CIDR that is no CIDR', inputs: manifestInputs({ podCidr: '10.2.0.0' }), field: 'podCidr' },
    { name: 'a pod CIDR with host bits', inputs: manifestInputs({ podCidr: '10.2.0.1/16' }), field: 'podCidr' },
    {
      name: 'a service CIDR prefix over 32',
      inputs: manifestInputs({ serviceCidr: '10.3.0.0/33' }),
      field: 'serviceCidr',
    },
    { name: 'overlapping pod and service CIDRs', inputs: manifestInputs({ podCidr: '10.0.0.0/8' }), field: 'podCidr' },
    { name: 'a DNS IP that is no IP', inputs: manifestInputs({ dnsServiceIp: '10.3.0.300' }), field: 'dnsServiceIp' },
    {
      name: 'a DNS IP outside the service CIDR',
      inputs: manifestInputs({ dnsServiceIp: '10.4.0.10' }),
      field: 'dnsServiceIp',
    },
    {
      name: "the kubernetes Service's IP as DNS IP",
      inputs: manifestInputs({ dnsServiceIp: '10.3.0.1' }),
      field: 'dnsServiceIp',
    },
    {
      name: 'an upper-case token id',
      inputs: manifestInputs({ bootstrapTokens: [bootstrapTokenInput({ id: 'ABCDEF' })] }),
      field: 'bootstrapTokens.0.id',
    },
    {
      name: 'a short token secret',
      inputs: manifestInputs({ bootstrapTokens: [bootstrapTokenInput({ secret: '0123' })] }),
      field: 'bootstrapTokens.0.secret',
    },
    {
      name: 'a token without an RFC 3339 expiration',
      inputs: manifestInputs({ bootstrapTokens: [bootstrapTokenInput({ expiration: 'tomorrow' })] }),
      field: 'bootstrapTokens.0.expiration',
    },
    {
      name: 'a token for a name no bootstrap group can carry',
      inputs: manifestInputs({ bootstrapTokens: [bootstrapTokenInput({ target: { kind: 'node', name: 'Node_1' } })] }),
      field: 'bootstrapTokens.0.target',
    },
    {
      name: 'two tokens with one id',
      inputs: manifestInputs({ bootstrapTokens: [bootstrapTokenInput(), bootstrapTokenInput()] }),
      field: 'bootstrapTokens',
    },
    {
      name: 'API server port 0',
      inputs: manifestInputs({ apiServer: { host: '192.0.2.10', port: 0 } }),
      field: 'apiServer.port',
    },
    {
      name: 'an API server host with a space',
      inputs: manifestInputs({ apiServer: { host: 'api server', port: 6443 } }),
      field: 'apiServer.host',
    },
    { name: 'a tiny MTU', inputs: manifestInputs({ mtu: 500 }), field: 'mtu' },
    { name: 'a fractional MTU', inputs: manifestInputs({ mtu: 1450.5 }), field: 'mtu' },
    {
      name: 'an upper-case cluster domain',
      inputs: manifestInputs({ clusterDomain: 'Cluster.Local' }),
      field: 'clusterDomain',
    },
    {
      name: 'a version without v',
      inputs: manifestInputs({ kubernetesVersion: '1.36.3' }),
      field: 'kubernetesVersion',
    },
    { name: 'a cluster name with _', inputs: manifestInputs({ clusterName: 'my_cluster' }), field: 'clusterName' },
    {
      name: 'an image with spaces',
      inputs: manifestInputs({ images: { flannel: 'flannel latest' } }),
      field: 'images.flannel',
    },
    { name: 'a misspelt key', inputs: Object.assign(manifestInputs(), { podCIDR: '10.2.0.0/16' }), field: 'podCIDR' },
    {
      name: 'a misspelt nested key',
      inputs: manifestInputs({ apiServer: Object.assign({ host: '192.0.2.10', port: 6443 }, { Port: 443 }) }),
      field: 'apiServer.Port',
    },
  ];

  for (const { name, inputs, field } of cases) {
    it(`rejects ${name}, naming ${field}`, () => {
      assert.throws(
        () => renderBootstrapManifests(inputs),
        (error: unknown) => {
          assert.ok(error instanceof ManifestInputsError, String(error));
          assert.equal(error.field, field);
          assert.ok(error.message.includes(`${field}: `), error.message);
          assert.equal(error.context['field'], field);
          return true;
        },
      );
    });
  }

  it('reports every invalid field at once', () => {
    assert.throws(
      () => renderBootstrapManifests(manifestInputs({ podCidr: 'x', clusterDomain: 'X' })),
      (error: unknown) => {
        assert.ok(error instanceof ManifestInputsError);
        assert.deepEqual(error.issues.map((issue) => issue.field).sort(), ['clusterDomain', 'podCidr']);
        return true;
      },
    );
  });
});

describe('the etcd operator manifests', () => {
  const files = renderBootstrapManifests(manifestInputs());
  const operatorFile = files.find((file) => file.fileName === '56-etcd-operator.yaml');

  it('installs the three etcd.strata.dev CRDs before the operator', () => {
    const crds = files.find((file) => file.fileName === '55-etcd-operator-crds.yaml');
    assert.deepEqual(
      crds?.objects.map((object) => object.metadata?.name),
      ['etcdclusters.etcd.strata.dev', 'etcdbackups.etcd.strata.dev', 'etcdrestores.etcd.strata.dev'],
    );
  });

  it('gives the operator its own image for joining members, and the rights backups, restores and upgrades need', () => {
    const deployment = operatorFile?.objects.find((object): object is V1Deployment => object.kind === 'Deployment');
    const args = deployment?.spec?.template.spec?.containers[0]?.args ?? [];
    assert.ok(args.includes(`--image=${ETCD_OPERATOR_IMAGE}`), args.join(' '));
    assert.equal(deployment?.spec?.replicas, 2);
    const role = operatorFile?.objects.find(
      (object): object is V1ClusterRole =>
        object.kind === 'ClusterRole' && object.metadata?.name === 'strata:etcd-operator',
    );
    const resources = (role?.rules ?? []).flatMap((rule) => rule.resources ?? []);
    assert.ok(resources.includes('etcdclusters/status'));
    const verbsOn = (resource: string): string[] =>
      (role?.rules ?? []).filter((rule) => rule.resources?.includes(resource)).flatMap((rule) => rule.verbs);
    assert.deepEqual(
      verbsOn('etcdbackups'),
      ['get', 'list', 'watch', 'create', 'delete'],
      'a pre-upgrade snapshot creates one, its retention deletes older ones; none updates',
    );
    assert.deepEqual(verbsOn('etcdbackups/status'), ['patch']);
    assert.deepEqual(verbsOn('etcdrestores'), ['get', 'list', 'watch']);
    assert.deepEqual(verbsOn('etcdrestores/status'), ['patch']);
    assert.deepEqual(
      verbsOn('etcdclusters'),
      ['get', 'list', 'watch', 'create', 'patch'],
      'a restore creates and unpauses; none deletes',
    );
    assert.deepEqual(
      verbsOn('secrets'),
      ['get', 'create', 'update'],
      "Secrets are read by name, created (a TLS cluster's CA and client Secrets) and updated (the client Secret's renewal), never listed, watched or deleted",
    );
    // Member TLS: approve and sign for its own signer only; one binding updated by name, one role bound by name.
    const signers = (role?.rules ?? []).filter((rule) => rule.resources?.includes('signers'));
    assert.deepEqual(signers, [
      {
        apiGroups: ['certificates.k8s.io'],
        resources: ['signers'],
        resourceNames: [ETCD_MEMBER_SIGNER],
        verbs: ['approve', 'sign'],
      },
    ]);
    for (const resource of ['clusterrolebindings', 'clusterroles']) {
      const rules = (role?.rules ?? []).filter((rule) => rule.resources?.includes(resource));
      assert.ok(rules.length > 0 && rules.every((rule) => rule.resourceNames?.join() === ETCD_MEMBER_CLUSTER_ROLE));
    }
    const memberRole = operatorFile?.objects.find(
      (object): object is V1ClusterRole =>
        object.kind === 'ClusterRole' && object.metadata?.name === ETCD_MEMBER_CLUSTER_ROLE,
    );
    assert.deepEqual(memberRole?.rules, [
      { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create', 'get'] },
    ]);
    const memberBinding = operatorFile?.objects.find(
      (object) => object.kind === 'ClusterRoleBinding' && object.metadata?.name === ETCD_MEMBER_CLUSTER_ROLE,
    );
    assert.ok(memberBinding !== undefined && !('subjects' in memberBinding), 'rendered without subjects');
    const container = deployment?.spec?.template.spec?.containers[0];
    const scratch = container?.volumeMounts?.find((mount) => mount.name === 'backup-scratch');
    assert.ok(args.includes(`--backup-scratch-dir=${scratch?.mountPath ?? '(unmounted)'}`), args.join(' '));
  });
});

describe('the bootstrap manifests and the update operator’s drain', () => {
  it('declare every emptyDir of a pod a drain evicts as scratch, so that no node’s drain is refused by its own pods', () => {
    const tls = {
      certPem: '-----BEGIN CERTIFICATE-----\nY2VydA==\n-----END CERTIFICATE-----\n',
      keyPem: '-----BEGIN PRIVATE KEY-----\na2V5\n-----END PRIVATE KEY-----\n',
    };
    const files = renderBootstrapManifests(
      manifestInputs({
        updateServer: { nodeName: 'controller-0', tls },
        console: { nodeName: 'controller-0', tls, sessionSecret: 's'.repeat(43) },
      }),
    );
    const templates = files
      .flatMap((file) => file.objects)
      // A DaemonSet's pods stay on a drained node; every other controller's pods are evicted.
      .filter((object) => object.kind === 'Deployment' || object.kind === 'StatefulSet')
      .map((object) => ({
        name: `${object.kind}/${object.metadata?.name}`,
        template: (object as V1Deployment).spec?.template,
      }));
    assert.ok(
      templates.some(({ name }) => name === 'Deployment/console'),
      'the console is among them',
    );
    for (const { name, template } of templates) {
      const emptyDirs = (template?.spec?.volumes ?? []).filter((volume) => volume.emptyDir !== undefined);
      const declared = (template?.metadata?.annotations?.[POD_ANNOTATIONS.scratchVolumes] ?? '')
        .split(',')
        .map((volume) => volume.trim());
      for (const volume of emptyDirs)
        assert.ok(declared.includes(volume.name), `${name}: emptyDir ${volume.name} is not declared scratch`);
    }
  });
});
