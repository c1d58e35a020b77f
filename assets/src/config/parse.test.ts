import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterConfigError } from './errors.ts';
import {
  clusterConfigYaml,
  issuesOf,
  minimalLocalConfig,
  parseForTest,
  positionOf,
  TEST_SSH_KEYS,
  validConfig,
} from './fixtures.ts';
import type { ConfigIssue } from './issue.ts';
import { loadClusterConfig, parseClusterConfig, validateClusterConfig, type ParseOptions } from './parse.ts';
import type { ClusterConfig } from './schema.ts';

function expectIssues(text: string, expected: ConfigIssue[], options: ParseOptions = {}): void {
  assert.deepEqual(issuesOf(text, options), expected);
}

function parsedConfig(text: string, options: ParseOptions = {}): ClusterConfig {
  const result = parseForTest(text, options);
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result.config;
}

describe('cluster config: YAML', () => {
  it('reports malformed YAML where the mistake is, and where the parser noticed it', () => {
    const text = clusterConfigYaml(validConfig()).replace('baseDomain: example.com', 'baseDomain: [example.com');
    const noticed = positionOf(text, 'platform:');
    expectIssues(text, [
      {
        path: '',
        message: `invalid YAML: this [ is never closed; the parser noticed at line ${noticed.line}, column ${noticed.column}: Flow sequence in block collection must be sufficiently indented and end with a ]`,
        hint: 'close it with ] on this line, or check the quotes and brackets after it',
        ...positionOf(text, '[example.com'),
      },
    ]);
  });

  it('rejects a key given twice', () => {
    const text = `${clusterConfigYaml(validConfig())}name: other\n`;
    expectIssues(text, [
      {
        path: '',
        message: 'invalid YAML: the key "name" appears more than once in this mapping',
        hint: 'each key may appear once per mapping: delete one of them or merge them',
        ...positionOf(text, 'name: other'),
      },
    ]);
  });

  it('rejects a file of several documents', () => {
    const text = `${clusterConfigYaml(validConfig())}---\n${clusterConfigYaml(validConfig())}`;
    expectIssues(text, [
      {
        path: '',
        message: 'holds more than one YAML document',
        hint: 'a cluster config is a single document: remove the "---" separator and what follows it',
        ...positionOf(text, '---'),
      },
    ]);
  });

  it('rejects an empty file', () => {
    expectIssues('# nothing yet\n', [
      {
        path: '',
        message: 'is empty',
        hint: 'a cluster config needs at least apiVersion, kind, name, baseDomain and platform',
      },
    ]);
  });

  it('rejects a document that is not a mapping', () => {
    expectIssues('- a\n- b\n', [{ path: '', message: 'must be a mapping, not a list', value: ['a', 'b'] }]);
  });
});

describe('cluster config: defaults', () => {
  it('fills every default for a minimal local config', () => {
    const config = parsedConfig(clusterConfigYaml(minimalLocalConfig()));
    const expected: ClusterConfig = {
      apiVersion: 'strata.dev/v1alpha1',
      kind: 'Cluster',
      name: 'demo',
      baseDomain: 'example.com',
      apiDnsName: 'api.demo.example.com',
      platform: 'local',
      local: { apiServerPort: 6443 },
      controllers: { count: 1, snippets: [] },
      workerPools: [{ name: 'worker', count: 1, labels: {}, taints: [], snippets: [] }],
      os: { name: 'flatcar', channel: 'stable' },
      kubernetesVersion: 'v1.36.3',
      networking: {
        cni: 'flannel',
        podCidr: '10.2.0.0/16',
        serviceCidr: '10.3.0.0/16',
        clusterDomain: 'cluster.local',
      },
      kubernetesSysext: {},
      allowUnverifiedDownloads: false,
      sshAuthorizedKeys: [],
      etcd: { quotaBackendBytes: 2 * 1024 ** 3 },
      updates: {
        rebootStrategy: 'operator',
        maxUnavailable: 1,
        windows: [],
        group: 'stable',
        fleetLock: { allowPlainHttp: false },
      },
      trustedCaCertificates: [],
      registryMirrors: [],
      certificates: { caValidityDays: 3650, validityDays: 365 },
      join: { tokenTtlHours: 24 },
      console: { enabled: true },
    };
    assert.deepEqual(config, expected);
  });

  it('takes the update group from the OS channel and keeps an explicit API name', () => {
    const config = parsedConfig(
      clusterConfigYaml(validConfig(), { 'os.channel': 'beta', apiDnsName: 'k8s.example.com' }),
    );
    assert.equal(config.updates.group, 'beta');
    assert.equal(config.apiDnsName, 'k8s.example.com');
  });

  it("takes an https update server ending in /, and a pool's own update group", () => {
    const config = parsedConfig(
      clusterConfigYaml(validConfig(), {
        'updates.server': 'https://updates.example.com/v1/update/',
        workerPools: [{ name: 'worker', updateGroup: 'canary' }],
      }),
    );
    assert.equal(config.updates.server, 'https://updates.example.com/v1/update/');
    assert.equal(config.workerPools[0]?.updateGroup, 'canary');
  });

  it('refuses an update server over plain HTTP, one not ending in /, and a group update_engine would send broken', () => {
    const messages = (overrides: Record<string, unknown>) =>
      issuesOf(clusterConfigYaml(validConfig(), overrides)).map((issue) => `${issue.path}: ${issue.message}`);
    assert.match(
      messages({ 'updates.server': 'http://updates.example.com/v1/update/' }).join('\n'),
      /^updates\.server: must be an https URL, not http/,
    );
    assert.match(
      messages({ 'updates.server': 'https://updates.example.com/v1/update' }).join('\n'),
      /^updates\.server: must end in '\/'/,
    );
    assert.match(
      messages({ workerPools: [{ name: 'worker', updateGroup: 'team "blue"' }] }).join('\n'),
      /^workerPools\[0\]\.updateGroup: must be letters/,
    );
  });

  it('refuses an update server and pool update groups on Fedora CoreOS, where Zincati reads neither', () => {
    const issues = issuesOf(
      clusterConfigYaml(validConfig(), {
        'os.name': 'fedora-coreos',
        'updates.server': 'https://updates.example.com/v1/update/',
        workerPools: [{ name: 'worker', updateGroup: 'canary' }],
      }),
    ).map((issue) => `${issue.path}: ${issue.message}`);
    assert.deepEqual(issues, [
      "updates.server: has no effect with os.name fedora-coreos: Zincati follows Fedora's update graph, not an Omaha server",
      'workerPools[0].updateGroup: has no effect with os.name fedora-coreos: Zincati has no update groups',
    ]);
  });

  it('derives the worker pools of bare metal from the machines', () => {
    const text = clusterConfigYaml(validConfig('bare-metal'), {
      workerPools: undefined,
      'bareMetal.machines[2].pool': 'gpu',
    });
    assert.deepEqual(parsedConfig(text).workerPools, [
      { name: 'worker', count: 1, labels: {}, taints: [], snippets: [] },
      { name: 'gpu', count: 1, labels: {}, taints: [], snippets: [] },
    ]);
  });

  it('counts the machines of a bare-metal pool whose count is left out', () => {
    const text = clusterConfigYaml(validConfig('bare-metal'), { 'workerPools[0].count': undefined });
    assert.equal(parsedConfig(text).workerPools[0]?.count, 2);
  });
});

describe('cluster config: fields', () => {
  it('names an unknown field and suggests the one meant', () => {
    const text = clusterConfigYaml(validConfig(), { 'networking.podCIDR': '10.2.0.0/16' });
    expectIssues(text, [
      {
        path: 'networking.podCIDR',
        message: 'is not a known field',
        value: '10.2.0.0/16',
        hint: 'did you mean "podCidr"?',
        ...positionOf(text, 'podCIDR'),
      },
    ]);
  });

  it('says where a field in the wrong place belongs', () => {
    const text = clusterConfigYaml(validConfig(), { serviceCidr: '10.3.0.0/16' });
    expectIssues(text, [
      {
        path: 'serviceCidr',
        message: 'is not a known field',
        value: '10.3.0.0/16',
        hint: '"serviceCidr" belongs under networking',
        ...positionOf(text, 'serviceCidr'),
      },
    ]);
  });

  it('takes console.enabled: false, and refuses anything but a boolean there with what false means', () => {
    assert.equal(parsedConfig(clusterConfigYaml(validConfig(), { 'console.enabled': false })).console.enabled, false);
    const text = clusterConfigYaml(validConfig(), { 'console.enabled': 'no' });
    expectIssues(text, [
      {
        path: 'console.enabled',
        message: 'must be true or false (false: the console is not deployed in the cluster)',
        value: 'no',
        ...positionOf(text, 'no', 'enabled:'),
      },
    ]);
  });

  it('lists the allowed fields when nothing is close', () => {
    const text = clusterConfigYaml(validConfig(), { 'controllers.flavor': 'big' });
    expectIssues(text, [
      {
        path: 'controllers.flavor',
        message: 'is not a known field',
        value: 'big',
        hint: 'fields of controllers: count, snippets',
        ...positionOf(text, 'flavor'),
      },
    ]);
  });

  it('refuses an empty snippet path and one listed twice, at the entry', () => {
    const text = clusterConfigYaml(validConfig(), {
      'controllers.snippets': ['snippets/a.yaml', 'snippets/a.yaml'],
      workerPools: [{ name: 'worker', snippets: [''] }],
    });
    const issues = issuesOf(text);
    assert.deepEqual(
      issues.map((issue) => [issue.path, issue.message]),
      [
        ['controllers.snippets[1]', 'repeats entry [0] (snippets/a.yaml)'],
        ['workerPools[0].snippets[0]', 'must not be empty'],
      ],
    );
  });

  it('reports a missing field at the section that lacks it, with an example', () => {
    const text = clusterConfigYaml(validConfig('aws'), { 'aws.region': undefined, 'aws.zones': ['us-east-1a'] });
    expectIssues(text, [
      {
        path: 'aws.region',
        message: 'is required',
        hint: 'add it, e.g. region: us-east-1',
        ...positionOf(text, 'aws:'),
      },
    ]);
  });

  it('asks to quote a number where text belongs', () => {
    const text = clusterConfigYaml(validConfig(), { name: 123 });
    expectIssues(text, [
      {
        path: 'name',
        message: 'must be text, not a whole number',
        value: 123,
        hint: 'quote it: "123"',
        ...positionOf(text, '123'),
      },
    ]);
  });

  it('suggests the enum value a misspelling means', () => {
    const text = clusterConfigYaml(validConfig(), {
      'workerPools[0]': { name: 'gpu', taints: [{ key: 'dedicated', value: 'gpu', effect: 'noschedule' }] },
    });
    expectIssues(text, [
      {
        path: 'workerPools[0].taints[0].effect',
        message: 'must be one of "NoSchedule", "PreferNoSchedule" or "NoExecute"',
        value: 'noschedule',
        hint: 'did you mean "NoSchedule"?',
        ...positionOf(text, 'noschedule'),
      },
    ]);
  });

  it('rejects a name that is not a DNS label and proposes one', () => {
    const text = clusterConfigYaml(validConfig(), { name: 'My_Cluster' });
    expectIssues(text, [
      {
        path: 'name',
        message: 'must consist of lower-case letters, digits and "-", and start and end with a letter or digit',
        value: 'My_Cluster',
        hint: 'use "my-cluster"',
        ...positionOf(text, 'My_Cluster'),
      },
    ]);
  });

  it('limits the cluster name to 40 characters', () => {
    const name = 'a'.repeat(41);
    const text = clusterConfigYaml(validConfig(), { name });
    expectIssues(text, [
      {
        path: 'name',
        message: 'is 41 characters long; at most 40 are allowed',
        value: name,
        hint: `use "${'a'.repeat(40)}"`,
        ...positionOf(text, name),
      },
    ]);
  });

  it('rejects an even controller count', () => {
    const text = clusterConfigYaml(validConfig(), { 'controllers.count': 2 });
    expectIssues(text, [
      {
        path: 'controllers.count',
        message: 'must be 1, 3 or 5',
        value: 2,
        hint: 'every controller runs an etcd member, and etcd needs an odd number for quorum: 3 survives the loss of one controller, 5 of two',
        ...positionOf(text, '2', 'count:'),
      },
    ]);
  });

  it('accepts only the supported Kubernetes versions', () => {
    const text = clusterConfigYaml(validConfig(), { kubernetesVersion: 'v1.35.0' });
    expectIssues(text, [
      {
        path: 'kubernetesVersion',
        message: 'is not supported; this Strata release installs v1.36.3',
        value: 'v1.35.0',
        hint: 'use v1.36.3 or remove the field',
        ...positionOf(text, 'v1.35.0'),
      },
    ]);
  });

  it('bounds the etcd quota', () => {
    const text = clusterConfigYaml(validConfig(), { 'etcd.quotaBackendBytes': 16 * 1024 ** 3 });
    expectIssues(text, [
      {
        path: 'etcd.quotaBackendBytes',
        message: 'must be at most 8 GiB (8589934592), the largest size etcd recommends',
        value: 17179869184,
        ...positionOf(text, '17179869184'),
      },
    ]);
  });

  it('rejects invalid label keys at the key', () => {
    const text = clusterConfigYaml(validConfig(), {
      'workerPools[0]': { name: 'worker', labels: { 'node.strata.dev/-pool': 'x' } },
    });
    expectIssues(text, [
      {
        path: 'workerPools[0].labels["node.strata.dev/-pool"]',
        message:
          'key has an invalid name part "-pool": at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
        value: 'node.strata.dev/-pool',
        hint: 'e.g. "node.strata.dev/pool" or "gpu"',
        ...positionOf(text, 'node.strata.dev/-pool'),
      },
    ]);
  });
});

describe('cluster config: networking', () => {
  it('rejects a prefix length beyond the address size', () => {
    const text = clusterConfigYaml(validConfig(), { 'networking.podCidr': '10.2.0.0/33' });
    expectIssues(text, [
      {
        path: 'networking.podCidr',
        message: 'has an invalid prefix length "/33": an IPv4 range has 0 to 32',
        value: '10.2.0.0/33',
        hint: 'e.g. "10.2.0.0/16"',
        ...positionOf(text, '10.2.0.0/33'),
      },
    ]);
  });

  it('rejects host bits and gives the range meant', () => {
    const text = clusterConfigYaml(validConfig(), { 'networking.serviceCidr': '10.3.0.1/16' });
    expectIssues(text, [
      {
        path: 'networking.serviceCidr',
        message: 'has host bits set: the range starts at 10.3.0.0',
        value: '10.3.0.1/16',
        hint: 'use "10.3.0.0/16"',
        ...positionOf(text, '10.3.0.1/16'),
      },
    ]);
  });

  it('rejects pod and service ranges that overlap, at the one the file sets', () => {
    const text = clusterConfigYaml(validConfig(), { 'networking.podCidr': '10.3.0.0/16' });
    expectIssues(text, [
      {
        path: 'networking.podCidr',
        message: 'overlaps networking.serviceCidr (10.3.0.0/16)',
        value: '10.3.0.0/16',
        hint: 'use a range that overlaps nothing else, e.g. "10.0.0.0/16"',
        ...positionOf(text, '10.3.0.0/16'),
      },
    ]);
  });

  it('rejects a service range inside the pod range and suggests a free one', () => {
    const text = clusterConfigYaml(validConfig(), { 'networking.serviceCidr': '10.2.128.0/24' });
    expectIssues(text, [
      {
        path: 'networking.serviceCidr',
        message: 'overlaps networking.podCidr (10.2.0.0/16)',
        value: '10.2.128.0/24',
        hint: 'use a range that overlaps nothing else, e.g. "10.0.0.0/24"',
        ...positionOf(text, '10.2.128.0/24'),
      },
    ]);
  });

  it("rejects a default range that overlaps one of this machine's networks", () => {
    const text = clusterConfigYaml(validConfig());
    expectIssues(
      text,
      [
        {
          path: 'networking.podCidr',
          message: 'overlaps 10.2.3.0/24, a network of this machine',
          value: '10.2.0.0/16',
          hint: 'use a range that overlaps nothing else, e.g. "10.0.0.0/16"',
        },
      ],
      { hostNetworks: ['10.2.3.17/24', '192.168.1.20/24'] },
    );
  });

  it("points at the written range that overlaps one of this machine's networks", () => {
    const text = clusterConfigYaml(validConfig('bare-metal'), { 'networking.serviceCidr': '192.168.0.0/16' });
    expectIssues(
      text,
      [
        {
          path: 'networking.serviceCidr',
          message: 'overlaps 192.168.1.0/24, a network of this machine',
          value: '192.168.0.0/16',
          hint: 'use a range that overlaps nothing else, e.g. "10.0.0.0/16"',
          ...positionOf(text, '192.168.0.0/16'),
        },
      ],
      { hostNetworks: ['192.168.1.20/24'] },
    );
  });

  it("ignores this machine's networks for cloud clusters, whose nodes live in their own VPC", () => {
    assert.ok(parseForTest(clusterConfigYaml(validConfig('aws')), { hostNetworks: ['10.2.3.17/24'] }).ok);
  });

  it('checks IPv6 ranges too', () => {
    const text = clusterConfigYaml(validConfig(), {
      'networking.podCidr': 'fd00:10:2::/56',
      'networking.serviceCidr': 'fd00:10:2:1::/112',
    });
    expectIssues(text, [
      {
        path: 'networking.serviceCidr',
        message: 'overlaps networking.podCidr (fd00:10:2::/56)',
        value: 'fd00:10:2:1::/112',
        hint: 'use a range that overlaps nothing else, e.g. "fd00::/112"',
        ...positionOf(text, 'fd00:10:2:1::/112'),
      },
    ]);
  });

  it('rejects mixing IP families', () => {
    const text = clusterConfigYaml(validConfig(), { 'networking.serviceCidr': 'fd00:10:3::/112' });
    expectIssues(text, [
      {
        path: 'networking.serviceCidr',
        message: 'is IPv6, but networking.podCidr is IPv4',
        value: 'fd00:10:3::/112',
        hint: 'give both fields the same IP families: one range of one family, or for dual-stack one of each, e.g. podCidr: [10.2.0.0/16, fd00:10:2::/56] with serviceCidr: [10.3.0.0/16, fd00:10:3::/112]',
        ...positionOf(text, 'fd00:10:3::/112'),
      },
    ]);
  });

  it('rejects reserved ranges', () => {
    const text = clusterConfigYaml(validConfig(), { 'networking.serviceCidr': '169.254.0.0/16' });
    expectIssues(text, [
      {
        path: 'networking.serviceCidr',
        message: 'overlaps 169.254.0.0/16, the link-local range',
        value: '169.254.0.0/16',
        hint: 'use a range that overlaps nothing else, e.g. "10.0.0.0/16"',
        ...positionOf(text, '169.254.0.0/16'),
      },
    ]);
  });

  it('bounds the size of the service range', () => {
    const large = clusterConfigYaml(validConfig(), {
      'networking.serviceCidr': 'fd00:10:3::/100',
      'networking.podCidr': 'fd00:10:2::/56',
    });
    expectIssues(large, [
      {
        path: 'networking.serviceCidr',
        message: 'is too large: a service range may be at most a /108',
        value: 'fd00:10:3::/100',
        hint: 'use a /108 or smaller range, e.g. "fd00:10:3::/112"',
        ...positionOf(large, 'fd00:10:3::/100'),
      },
    ]);
    const text = clusterConfigYaml(validConfig(), { 'networking.serviceCidr': '10.3.0.0/25' });
    expectIssues(text, [
      {
        path: 'networking.serviceCidr',
        message: 'is too small: a service range needs at least a /24',
        value: '10.3.0.0/25',
        hint: 'use a /24 or larger range, e.g. "10.3.0.0/16"',
        ...positionOf(text, '10.3.0.0/25'),
      },
    ]);
  });

  it('needs a pod range with a node subnet for every node', () => {
    const text = clusterConfigYaml(validConfig(), { 'networking.podCidr': '10.2.0.0/23', 'controllers.count': 3 });
    expectIssues(text, [
      {
        path: 'networking.podCidr',
        message: 'has room for 2 nodes (each gets a /24), but the cluster has 4 nodes',
        value: '10.2.0.0/23',
        hint: 'use a larger range, e.g. "10.2.0.0/22"',
        ...positionOf(text, '10.2.0.0/23'),
      },
    ]);
  });
});

describe('cluster config: proxy', () => {
  // Ignition refuses a config listing one noProxy entry twice (found against ignition-validate, ADR 0082).
  it('rejects the same noProxy entry twice', () => {
    const text = clusterConfigYaml(validConfig('aws'), {
      proxy: { httpProxy: 'http://proxy.example.com:3128', noProxy: ['.example.com', '10.0.0.0/8', '.example.com'] },
    });
    expectIssues(text, [
      {
        path: 'proxy.noProxy[2]',
        message: 'repeats entry [0] (.example.com)',
        value: '.example.com',
        hint: 'remove the duplicate',
        ...positionOf(text, '.example.com', '10.0.0.0/8'),
      },
    ]);
  });
});

describe('cluster config: SSH keys', () => {
  it('rejects a key whose data is cut off', () => {
    const key = TEST_SSH_KEYS.ed25519.replace('AAAAIKRNk', 'AAAAIKRN');
    const text = clusterConfigYaml(validConfig('aws'), { sshAuthorizedKeys: [key] });
    expectIssues(text, [
      {
        path: 'sshAuthorizedKeys[0]',
        message: 'has key data that is not valid base64',
        value: key,
        hint: 'copy the whole line of the .pub file again; it was probably cut, wrapped or edited',
        ...positionOf(text, key),
      },
    ]);
  });

  it('rejects a key whose declared type differs from its data', () => {
    const key = TEST_SSH_KEYS.ed25519.replace('ssh-ed25519', 'ssh-rsa');
    const text = clusterConfigYaml(validConfig('aws'), { sshAuthorizedKeys: [key] });
    expectIssues(text, [
      {
        path: 'sshAuthorizedKeys[0]',
        message: 'declares type "ssh-rsa" but its key data is a "ssh-ed25519" key',
        value: key,
        hint: 'start the line with "ssh-ed25519"',
        ...positionOf(text, key),
      },
    ]);
  });

  // Ignition refuses a user whose keys list one key twice (found against ignition-validate, ADR 0082).
  it('rejects the same key twice', () => {
    const key = TEST_SSH_KEYS.ed25519;
    const text = clusterConfigYaml(validConfig('aws'), { sshAuthorizedKeys: [key, TEST_SSH_KEYS.ecdsa, key] });
    expectIssues(text, [
      {
        path: 'sshAuthorizedKeys[2]',
        message: `repeats entry [0] (${key})`,
        value: key,
        hint: 'remove the duplicate',
        ...positionOf(text, key, TEST_SSH_KEYS.ecdsa),
      },
    ]);
  });

  it('needs a key on every platform but local', () => {
    const text = clusterConfigYaml(validConfig('gcp'), { sshAuthorizedKeys: undefined });
    expectIssues(text, [
      {
        path: 'sshAuthorizedKeys',
        message: 'needs at least one key on platform gcp',
        hint: 'Container Linux machines have no passwords; add your public key, e.g. the line in ~/.ssh/id_ed25519.pub',
        ...positionOf(text, 'gcp', 'platform:'),
      },
    ]);
    assert.ok(parseForTest(clusterConfigYaml(validConfig('local'))).ok);
  });
});

describe('cluster config: platform sections', () => {
  it('needs the section of the chosen platform', () => {
    const text = clusterConfigYaml(validConfig('azure'), { azure: undefined });
    expectIssues(text, [
      {
        path: 'azure',
        message: 'is required when platform is azure',
        hint: 'add a section "azure:" with location, resourceGroup, controllerType',
        ...positionOf(text, 'azure', 'platform:'),
      },
    ]);
  });

  it("rejects another platform's section without complaining about its contents", () => {
    const text = clusterConfigYaml(validConfig('aws'), { gcp: { project: 'X' } });
    expectIssues(text, [
      {
        path: 'gcp',
        message: 'configures platform gcp, but platform is aws',
        hint: 'remove the gcp section, or set platform: gcp',
        ...positionOf(text, 'gcp:'),
      },
    ]);
  });

  it('checks that zones belong to the region', () => {
    const text = clusterConfigYaml(validConfig('aws'), { 'aws.zones[1]': 'us-west-2b' });
    expectIssues(text, [
      {
        path: 'aws.zones[1]',
        message: 'is not a zone of region us-east-1',
        value: 'us-west-2b',
        hint: 'zones of us-east-1 look like "us-east-1a"',
        ...positionOf(text, 'us-west-2b'),
      },
    ]);
  });

  it('takes Azure zones as Azure numbers them, and leaves them out when absent', () => {
    assert.equal(parsedConfig(clusterConfigYaml(validConfig('azure'))).azure?.zones, undefined);
    const zoned = clusterConfigYaml(validConfig('azure'), { 'azure.zones': ['1', '3'] });
    assert.deepEqual(parsedConfig(zoned).azure?.zones, ['1', '3']);
  });

  it('refuses Azure zones that are no zone names, repeated or none, as aws.zones and gcp.zones are refused', () => {
    const named = clusterConfigYaml(validConfig('azure'), { 'azure.zones': ['1', 'eastus-2'] });
    expectIssues(named, [
      {
        path: 'azure.zones[1]',
        message: 'is not an Azure availability zone',
        value: 'eastus-2',
        hint: 'e.g. "1"',
        ...positionOf(named, 'eastus-2'),
      },
    ]);
    const repeated = clusterConfigYaml(validConfig('azure'), { 'azure.zones': ['2', '3', '2'] });
    expectIssues(repeated, [
      {
        path: 'azure.zones[2]',
        message: 'repeats entry [0] (2)',
        value: '2',
        hint: 'remove the duplicate',
        ...positionOf(repeated, '"2"', '"3"'),
      },
    ]);
    const none = clusterConfigYaml(validConfig('azure'), { 'azure.zones': [] });
    expectIssues(none, [{ path: 'azure.zones', message: 'must not be empty', value: [], ...positionOf(none, '[]') }]);
  });

  it('rejects an instance type where Strata does not create machines', () => {
    const text = clusterConfigYaml(validConfig('bare-metal'), { 'workerPools[0].instanceType': 't3.large' });
    expectIssues(text, [
      {
        path: 'workerPools[0].instanceType',
        message: 'has no effect on platform bare-metal',
        value: 't3.large',
        hint: 'remove it: on bare metal the machines are what they are',
        ...positionOf(text, 'instanceType'),
      },
    ]);
  });

  it('takes updates.fleetLock.allowPlainHttp for Fedora CoreOS, and refuses it where nothing would ask FleetLock', () => {
    const fedora = parsedConfig(
      clusterConfigYaml(validConfig(), {
        'os.name': 'fedora-coreos',
        'os.channel': 'stable',
        'updates.fleetLock.allowPlainHttp': true,
      }),
    );
    assert.deepEqual(fedora.updates.fleetLock, { allowPlainHttp: true });
    const text = clusterConfigYaml(validConfig(), { 'updates.fleetLock.allowPlainHttp': true });
    expectIssues(text, [
      {
        path: 'updates.fleetLock.allowPlainHttp',
        message: "has no effect with os.name flatcar: only Fedora CoreOS's Zincati asks FleetLock",
        value: true,
        hint: 'remove it',
        // The value, after its key.
        ...positionOf(text, 'true', 'allowPlainHttp:'),
      },
    ]);
    const off = clusterConfigYaml(validConfig(), {
      'os.name': 'fedora-coreos',
      'os.channel': 'stable',
      'updates.rebootStrategy': 'off',
      'updates.fleetLock.allowPlainHttp': true,
    });
    expectIssues(off, [
      {
        path: 'updates.fleetLock.allowPlainHttp',
        message: 'has no effect when updates.rebootStrategy is off: Zincati does not ask FleetLock',
        value: true,
        hint: 'remove it',
        ...positionOf(off, 'true', 'allowPlainHttp:'),
      },
    ]);
  });

  it("checks instance types against the cloud's naming", () => {
    const text = clusterConfigYaml(validConfig('gcp'), {
      workerPools: [{ name: 'worker', count: 2, instanceType: 't3.large' }],
    });
    expectIssues(text, [
      {
        path: 'workerPools[0].instanceType',
        message: 'is not a Compute Engine machine type',
        value: 't3.large',
        hint: 'e.g. "n2-standard-4"',
        ...positionOf(text, 't3.large'),
      },
    ]);
  });
});

describe('cluster config: bare metal', () => {
  it('rejects a malformed MAC address', () => {
    const text = clusterConfigYaml(validConfig('bare-metal'), { 'bareMetal.machines[1].mac': '52:54:00:b2:3a' });
    expectIssues(text, [
      {
        path: 'bareMetal.machines[1].mac',
        message: 'is not a MAC address',
        value: '52:54:00:b2:3a',
        hint: 'write six hex bytes, e.g. "52:54:00:a1:9c:ae" (also accepted: 52-54-00-A1-9C-AE, 5254.00a1.9cae)',
        ...positionOf(text, '52:54:00:b2:3a'),
      },
    ]);
  });

  it('normalizes MAC addresses to lower-case colon form', () => {
    const text = clusterConfigYaml(validConfig('bare-metal'), {
      'bareMetal.machines[0].mac': '52-54-00-A1-9C-AE',
      'bareMetal.machines[1].mac': '5254.00B2.3AF1',
      'bareMetal.machines[2].mac': '525400C34B02',
    });
    const macs = parsedConfig(text).bareMetal?.machines.map((machine) => machine.mac);
    assert.deepEqual(macs, ['52:54:00:a1:9c:ae', '52:54:00:b2:3a:f1', '52:54:00:c3:4b:02']);
  });

  it('rejects the same MAC address in two notations', () => {
    const text = clusterConfigYaml(validConfig('bare-metal'), { 'bareMetal.machines[2].mac': '52-54-00-A1-9C-AE' });
    expectIssues(text, [
      {
        path: 'bareMetal.machines[2].mac',
        message: 'repeats the MAC address of bareMetal.machines[0] (node1)',
        value: '52:54:00:a1:9c:ae',
        hint: 'each machine boots from its own NIC; check for a copy-paste slip',
        ...positionOf(text, '52-54-00-A1-9C-AE'),
      },
    ]);
  });

  it('rejects two machines of one name', () => {
    const text = clusterConfigYaml(validConfig('bare-metal'), { 'bareMetal.machines[2].name': 'node2' });
    expectIssues(text, [
      {
        path: 'bareMetal.machines[2].name',
        message: 'repeats the name of bareMetal.machines[1] (node2)',
        value: 'node2',
        hint: 'give every machine its own name',
        ...positionOf(text, 'node2', 'node2.example.com'),
      },
    ]);
  });

  it('needs as many controller machines as controllers', () => {
    const text = clusterConfigYaml(validConfig('bare-metal'), { 'controllers.count': 3 });
    expectIssues(text, [
      {
        path: 'controllers.count',
        message: 'is 3, but bareMetal.machines has 1 controller',
        value: 3,
        hint: 'set controllers.count to 1, or change the roles of the machines',
        ...positionOf(text, '3', 'controllers:'),
      },
    ]);
  });

  it('rejects a worker in a pool that does not exist', () => {
    const text = clusterConfigYaml(validConfig('bare-metal'), {
      'bareMetal.machines[2].pool': 'workers',
      'workerPools[0].count': 1,
    });
    expectIssues(text, [
      {
        path: 'bareMetal.machines[2].pool',
        message: 'names pool "workers", which workerPools does not define',
        value: 'workers',
        hint: 'did you mean "worker"?',
        ...positionOf(text, 'workers'),
      },
    ]);
  });

  it("needs each pool's count to match its machines", () => {
    const text = clusterConfigYaml(validConfig('bare-metal'), { 'workerPools[0].count': 3 });
    expectIssues(text, [
      {
        path: 'workerPools[0].count',
        message: 'is 3, but bareMetal.machines has 2 workers in pool "worker"',
        value: 3,
        hint: 'set it to 2, or leave it out: on bare metal it defaults to the number of machines in the pool',
        ...positionOf(text, '3', 'workerPools:'),
      },
    ]);
  });

  it('needs a pool for every worker machine', () => {
    const text = clusterConfigYaml(validConfig('bare-metal'), {
      'bareMetal.machines[2].pool': undefined,
      'workerPools[0].count': 1,
    });
    expectIssues(text, [
      {
        path: 'bareMetal.machines[2].pool',
        message: 'is required for workers',
        hint: 'name the worker pool the machine belongs to, e.g. pool: worker',
        ...positionOf(text, 'worker', 'node3.example.com'),
      },
    ]);
  });
});

describe('cluster config: worker pools, OS, updates, certificates', () => {
  it('rejects two pools of one name', () => {
    const text = clusterConfigYaml(validConfig(), { workerPools: [{ name: 'gpu' }, { name: 'gpu', count: 2 }] });
    expectIssues(text, [
      {
        path: 'workerPools[1].name',
        message: 'repeats the name of workerPools[0]',
        value: 'gpu',
        hint: 'give every pool its own name',
        ...positionOf(text, 'gpu', 'gpu'),
      },
    ]);
  });

  it('checks the channel against the OS', () => {
    const text = clusterConfigYaml(validConfig(), { os: { name: 'fedora-coreos', channel: 'beta' } });
    expectIssues(text, [
      {
        path: 'os.channel',
        message: 'is not a channel of fedora-coreos, whose channels are stable, testing, next',
        value: 'beta',
        hint: 'use one of stable, testing, next',
        ...positionOf(text, 'beta'),
      },
    ]);
  });

  it("checks a version pin against the OS's numbering", () => {
    const text = clusterConfigYaml(validConfig(), { os: { name: 'fedora-coreos', version: '4230.2.3' } });
    expectIssues(text, [
      {
        path: 'os.version',
        message: 'is a flatcar version, but os.name is fedora-coreos',
        value: '4230.2.3',
        hint: 'fedora-coreos versions look like "42.20250901.3.0"',
        ...positionOf(text, '4230.2.3'),
      },
    ]);
  });

  it('checks time zones with Intl and suggests a spelling', () => {
    const text = clusterConfigYaml(validConfig(), {
      'updates.windows': [{ days: ['Mon'], start: '02:00', duration: '3h', timeZone: 'Europe/Berlim' }],
    });
    expectIssues(text, [
      {
        path: 'updates.windows[0].timeZone',
        message: 'is not an IANA time zone',
        value: 'Europe/Berlim',
        hint: 'did you mean "Europe/Berlin"?',
        ...positionOf(text, 'Europe/Berlim'),
      },
    ]);
  });

  it('checks window durations and maxUnavailable', () => {
    const text = clusterConfigYaml(validConfig(), {
      'updates.windows': [{ days: ['Sat', 'Sun'], start: '23:30', duration: '90 minutes' }],
      'updates.maxUnavailable': '0%',
    });
    expectIssues(text, [
      {
        path: 'updates.windows[0].duration',
        message: 'is not a duration',
        value: '90 minutes',
        hint: 'write hours and minutes like "30m", "3h" or "1h30m"',
        ...positionOf(text, '90 minutes'),
      },
      {
        path: 'updates.maxUnavailable',
        message: 'is not a percentage from 1% to 100%',
        value: '0%',
        hint: 'e.g. "10%", or a number of nodes such as 1',
        ...positionOf(text, '0%'),
      },
    ]);
  });

  it('rejects certificates that would outlive their CA', () => {
    const text = clusterConfigYaml(validConfig(), { certificates: { caValidityDays: 365, validityDays: 365 } });
    expectIssues(text, [
      {
        path: 'certificates.validityDays',
        message: 'must be less than certificates.caValidityDays (365)',
        value: 365,
        hint: 'a certificate cannot outlive the CA that signs it: shorten validityDays or lengthen caValidityDays',
        ...positionOf(text, '365', 'validityDays: '),
      },
    ]);
  });
});

describe('cluster config: several problems at once', () => {
  it('reports every problem, schema and cross-field, in file order', () => {
    const text = clusterConfigYaml(validConfig('bare-metal'), {
      name: 'Demo',
      'bareMetal.machines[0].mac': 'not-a-mac',
      'bareMetal.machines[2].pool': 'gpu',
      'controllers.count': 3,
      'networking.podCIDR': '10.2.0.0/16',
      'networking.serviceCidr': '10.2.0.0/24',
      sshAuthorizedKeys: ['ssh-dss AAAAB3NzaC1kc3MAAACBAP'],
    });
    const issues = issuesOf(text);
    assert.deepEqual(
      issues.map((issue) => [issue.path, issue.line]),
      [
        ['name', positionOf(text, 'Demo').line],
        ['bareMetal.machines[0].mac', positionOf(text, 'not-a-mac').line],
        ['bareMetal.machines[2].pool', positionOf(text, 'gpu').line],
        ['workerPools[0].count', positionOf(text, 'count: 2').line],
        ['sshAuthorizedKeys[0]', positionOf(text, 'ssh-dss').line],
        ['controllers.count', positionOf(text, 'count: 3').line],
        ['networking.podCIDR', positionOf(text, 'podCIDR').line],
        ['networking.serviceCidr', positionOf(text, '10.2.0.0/24').line],
      ],
    );
    assert.ok(issues.every((issue) => issue.hint !== undefined && issue.column !== undefined));
  });
});

describe('cluster config: entry points', () => {
  it('formats the issues into one readable message naming the file', () => {
    const text = clusterConfigYaml(validConfig(), { 'controllers.count': 2, 'networking.podCIDR': '10.2.0.0/16' });
    const result = parseClusterConfig(text, { sourceName: 'clusters/demo.yaml', hostNetworks: [] });
    assert.equal(result.ok, false);
    assert.equal(
      result.ok ? '' : result.message,
      [
        'clusters/demo.yaml has 2 problems:',
        `  clusters/demo.yaml:${positionOf(text, '2', 'count:').line}:${positionOf(text, '2', 'count:').column}: controllers.count must be 1, 3 or 5 (got 2)`,
        '    hint: every controller runs an etcd member, and etcd needs an odd number for quorum: 3 survives the loss of one controller, 5 of two',
        `  clusters/demo.yaml:${positionOf(text, 'podCIDR').line}:3: networking.podCIDR is not a known field (got "10.2.0.0/16")`,
        '    hint: did you mean "podCidr"?',
      ].join('\n'),
    );
  });

  it('validates a config given as a value, without positions', () => {
    const config = { ...validConfig(), controllers: { count: 4 } };
    const result = validateClusterConfig(config, { hostNetworks: [] });
    assert.deepEqual(result.ok ? [] : result.issues.map(({ path, line }) => ({ path, line })), [
      { path: 'controllers.count', line: undefined },
    ]);
  });

  it('loads a file, or throws a ClusterConfigError with every issue', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-config-'));
    try {
      const good = join(dir, 'good.yaml');
      await writeFile(good, clusterConfigYaml(validConfig()));
      assert.equal((await loadClusterConfig(good, { hostNetworks: [] })).name, 'demo');

      const bad = join(dir, 'bad.yaml');
      await writeFile(bad, clusterConfigYaml(validConfig(), { 'controllers.count': 2, kind: 'Clutser' }));
      const error = await loadClusterConfig(bad, { hostNetworks: [] }).then(
        () => assert.fail('expected a ClusterConfigError'),
        (thrown: unknown) => thrown,
      );
      assert.ok(error instanceof ClusterConfigError);
      assert.deepEqual(
        error.issues.map((issue) => issue.path),
        ['kind', 'controllers.count'],
      );
      assert.match(
        error.message,
        new RegExp(`^${bad} has 2 problems:\\n  ${bad}:2:7: kind must be "Cluster" \\(got "Clutser"\\)`),
      );
      assert.deepEqual(error.context['issues'], error.issues);

      await assert.rejects(loadClusterConfig(join(dir, 'missing.yaml')), (thrown: unknown) => {
        assert.ok(thrown instanceof ClusterConfigError);
        assert.match(thrown.message, /missing\.yaml: cannot be read: ENOENT/);
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('cluster config: what rendering needs', () => {
  const pathsOf = (overrides: Record<string, unknown>, platform: 'local' | 'aws' = 'local') =>
    issuesOf(clusterConfigYaml(validConfig(platform), overrides)).map((issue) => [issue.path, issue.message]);

  it('refuses API names that make no https:// URL', () => {
    assert.deepEqual(pathsOf({ apiDnsName: 'api.example.6' }), [
      ['apiDnsName', 'ends in a numeric part, which URLs read as an IPv4 address'],
    ]);
    assert.deepEqual(pathsOf({ baseDomain: 'example.0x1f' }), [
      ['baseDomain', 'ends in a numeric part, which URLs read as an IPv4 address'],
    ]);
  });

  it('refuses a worker pool that would share the names of the controllers', () => {
    for (const name of ['controller', 'controller-0']) {
      assert.deepEqual(pathsOf({ workerPools: [{ name }] }, 'aws'), [
        ['workerPools[0].name', 'is reserved: nodes named <cluster>-controller-<n> are the controllers'],
      ]);
    }
    assert.equal(parseForTest(clusterConfigYaml(validConfig(), { workerPools: [{ name: 'controllers' }] })).ok, true);
  });

  it('refuses more update windows than the UpdatePolicy holds, and time zones its CRD does not list', () => {
    const window = { days: ['Mon'], start: '02:00', duration: '1h' };
    assert.deepEqual(pathsOf({ 'updates.windows': Array.from({ length: 17 }, () => window) }), [
      ['updates.windows', 'must have at most 16 entries'],
    ]);
    assert.deepEqual(pathsOf({ 'updates.windows': [{ ...window, timeZone: 'EST' }] }), [
      ['updates.windows[0].timeZone', 'is an alias or abbreviation, not the name of an IANA time zone'],
    ]);
  });
});
