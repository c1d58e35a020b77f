// os.name strata (Strata's node image) and registry mirrors, through the real parser: what a config may say, and the
// precise refusals of what it may not.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CertificateAuthority, toPemPair } from '../pki/certificates.ts';
import { clusterConfigYaml, issuesOf, parseForTest, validConfig } from './fixtures.ts';
import type { ClusterConfig } from './schema.ts';

function parsed(text: string): ClusterConfig {
  const result = parseForTest(text);
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result.config;
}

const problems = (text: string) => issuesOf(text).map((issue) => `${issue.path}: ${issue.message} (${issue.hint})`);

/** A bare-metal config on the node image: no kubelet extension to pin. */
function nodeImageConfig(overrides: Record<string, unknown> = {}): string {
  return clusterConfigYaml(validConfig('bare-metal'), {
    'os.name': 'strata',
    kubernetesSysext: undefined,
    ...overrides,
  });
}

describe('cluster config: os.name strata, the node image', () => {
  it('is a bare-metal OS with the stable channel, a version pinned or not, and no extension to pin', () => {
    assert.deepEqual(parsed(nodeImageConfig()).os, { name: 'strata', channel: 'stable' });
    assert.deepEqual(parsed(nodeImageConfig({ 'os.version': '0.8.0' })).os, {
      name: 'strata',
      channel: 'stable',
      version: '0.8.0',
    });
  });

  it('is refused on any other platform, naming the field and the fix', () => {
    for (const platform of ['local', 'aws', 'gcp', 'azure'] as const) {
      const text = clusterConfigYaml(validConfig(platform), { 'os.name': 'strata', kubernetesSysext: undefined });
      assert.ok(
        problems(text).includes(
          `os.name: is strata, Strata's node image, which boots only from Strata's boot server; platform ${platform} has no image of it (use os.name: flatcar on this platform, or platform: bare-metal for the node image)`,
        ),
        `${platform}: ${problems(text).join('; ')}`,
      );
    }
  });

  it("refuses another OS's channel and version format", () => {
    assert.deepEqual(problems(nodeImageConfig({ 'os.channel': 'beta', 'os.version': '0.8' })), [
      'os.channel: is not a channel of strata, whose channels are stable (use one of stable)',
      'os.version: is not a strata version (strata versions look like "0.8.0")',
    ]);
  });

  it('refuses a kubelet extension, which the node image would never download', () => {
    const text = clusterConfigYaml(validConfig('bare-metal'), { 'os.name': 'strata' });
    assert.deepEqual(problems(text), [
      'kubernetesSysext.sha512: has no effect with os.name strata: the node image carries the kubelet in /usr, and downloads no extension (remove it)',
    ]);
  });
});

describe('cluster config: registryMirrors', () => {
  let mirrors: { registries: string[]; endpoint: string; caCertificate?: string }[];
  before(async () => {
    const ca = await toPemPair(await CertificateAuthority.create({ commonName: 'mirror-ca', validityDays: 30 }));
    mirrors = [
      {
        registries: ['ghcr.io', 'registry.k8s.io'],
        endpoint: 'https://10.213.0.1:5443',
        caCertificate: ca.certificatePem,
      },
      { registries: ['docker.io', 'registry.example.com:5000'], endpoint: 'https://hub.dc1.example.com/' },
    ];
  });

  it('defaults to none, and takes mirrors with and without a CA of their own on any OS', () => {
    assert.deepEqual(parsed(clusterConfigYaml(validConfig('bare-metal'))).registryMirrors, []);
    assert.deepEqual(parsed(nodeImageConfig({ registryMirrors: mirrors })).registryMirrors, mirrors);
    assert.deepEqual(
      parsed(clusterConfigYaml(validConfig('bare-metal'), { registryMirrors: mirrors })).registryMirrors,
      mirrors,
    );
  });

  it('refuses a registry under two mirrors, at the second', () => {
    const text = nodeImageConfig({
      registryMirrors: [mirrors[0], { registries: ['quay.io', 'ghcr.io'], endpoint: 'https://other.example.com' }],
    });
    assert.deepEqual(problems(text), [
      'registryMirrors[1].registries[1]: is mirrored by registryMirrors[0] already (name each registry under one mirror)',
    ]);
  });

  it('refuses an endpoint that is not https://host[:port], a registry that is not a host, an empty list and a bad CA', () => {
    const text = nodeImageConfig({
      registryMirrors: [
        { registries: ['ghcr.io'], endpoint: 'http://10.213.0.1:5000' },
        { registries: ['quay.io'], endpoint: 'https://mirror.example.com/v2/' },
        { registries: ['https://registry.k8s.io'], endpoint: 'https://mirror.example.com' },
        { registries: [], endpoint: 'https://mirror.example.com' },
        { registries: ['docker.io'], endpoint: 'https://mirror.example.com', caCertificate: 'not a PEM' },
      ],
    });
    const found = problems(text);
    assert.equal(found.length, 5, found.join('\n'));
    assert.match(found[0] ?? '', /^registryMirrors\[0\]\.endpoint: must be an https URL, not http/);
    assert.match(found[1] ?? '', /^registryMirrors\[1\]\.endpoint: must be https:\/\/host\[:port\] alone/);
    assert.match(found[2] ?? '', /^registryMirrors\[2\]\.registries\[0\]: must be a registry host/);
    assert.match(found[3] ?? '', /^registryMirrors\[3\]\.registries: must name at least one registry/);
    assert.match(found[4] ?? '', /^registryMirrors\[4\]\.caCertificate: /);
  });
});
