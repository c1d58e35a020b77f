import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { parse, parseAllDocuments } from 'yaml';
import { SubjectAlternativeNameExtension, X509Certificate } from '../pki/x509.ts';
import { renderConfig } from '../testing/fixtures.ts';
import { kubeletConfiguration } from './catalog/node-files.ts';
import { ASSET_PATHS, CERT } from './layout.ts';
import type { RenderConfig } from './render-config.ts';
import { applyRenderPlan, planClusterRender, renderInput } from './render.ts';

interface Rendered {
  readonly command: (component: 'kube-apiserver' | 'kube-controller-manager') => Promise<string[]>;
  readonly apiServerIpSans: () => Promise<string[]>;
  readonly dnsService: () => Promise<Record<string, unknown>>;
}

/** Renders `networking` into a temporary directory for the tests of one describe block. */
function renderedNetworking(networking: Partial<RenderConfig['networking']>): Rendered {
  const config = renderConfig({ networking: { ...renderConfig().networking, ...networking } });
  const controller = renderInput(config).topology.controllers[0]?.name ?? '';
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-render-families-'));
    await applyRenderPlan(await planClusterRender({ config, dir }));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return {
    async command(component) {
      const pod = parse(await readFile(join(dir, ASSET_PATHS.staticManifest(controller, component)), 'utf8')) as V1Pod;
      return pod.spec?.containers[0]?.command ?? [];
    },
    async apiServerIpSans() {
      const certificate = new X509Certificate(await readFile(join(dir, CERT(ASSET_PATHS.apiserver)), 'utf8'));
      return (
        certificate
          .getExtension(SubjectAlternativeNameExtension)
          ?.names.toJSON()
          .filter((name) => name.type === 'ip')
          .map((name) => name.value) ?? []
      );
    },
    async dnsService() {
      const text = await readFile(join(dir, ASSET_PATHS.manifest('40-coredns.yaml')), 'utf8');
      const service = parseAllDocuments(text)
        .map((document) => document.toJS() as { kind?: string; spec: Record<string, unknown> })
        .find((object) => object.kind === 'Service');
      assert.ok(service, 'the kube-dns Service is rendered');
      return service.spec;
    },
  };
}

function kubeletClusterDns(networking: Partial<RenderConfig['networking']>): unknown {
  const config = renderConfig({ networking: { ...renderConfig().networking, ...networking } });
  const node = renderInput(config).topology.workers[0];
  assert.ok(node);
  return (parse(kubeletConfiguration(config, node)) as { clusterDNS: unknown }).clusterDNS;
}

describe('rendering a dual-stack cluster', () => {
  const networking = { podCidr: '10.2.0.0/16,fd00:10:2::/56', serviceCidr: '10.3.0.0/16,fd00:10:3::/112' };
  const rendered = renderedNetworking(networking);

  it('gives kube-apiserver both service ranges', async () => {
    assert.ok(
      (await rendered.command('kube-apiserver')).includes('--service-cluster-ip-range=10.3.0.0/16,fd00:10:3::/112'),
    );
  });

  it('gives kube-controller-manager both pod and service ranges and a node subnet size per family', async () => {
    const command = await rendered.command('kube-controller-manager');
    for (const flag of [
      '--cluster-cidr=10.2.0.0/16,fd00:10:2::/56',
      '--service-cluster-ip-range=10.3.0.0/16,fd00:10:3::/112',
      '--node-cidr-mask-size-ipv4=24',
      '--node-cidr-mask-size-ipv6=64',
    ]) {
      assert.ok(command.includes(flag), `${flag} missing from ${command.join(' ')}`);
    }
    assert.ok(!command.some((flag) => flag.startsWith('--node-cidr-mask-size=')), 'dual-stack refuses the plain flag');
  });

  it('names the kubernetes Service address of both families in the API server certificate', async () => {
    const sans = await rendered.apiServerIpSans();
    assert.ok(sans.includes('10.3.0.1'), sans.join(', '));
    assert.ok(sans.includes('fd00:10:3::1'), sans.join(', '));
  });

  it('points kubelets and the kube-dns Service at the same two addresses', async () => {
    assert.deepEqual(kubeletClusterDns(networking), ['10.3.0.10', 'fd00:10:3::a']);
    const spec = await rendered.dnsService();
    assert.deepEqual(spec['clusterIPs'], ['10.3.0.10', 'fd00:10:3::a']);
    assert.equal(spec['ipFamilyPolicy'], 'RequireDualStack');
  });
});

describe('rendering an IPv6-only cluster', () => {
  const networking = { podCidr: 'fd00:10:2::/56', serviceCidr: 'fd00:10:3::/112' };
  const rendered = renderedNetworking(networking);

  it('gives the control plane the IPv6 ranges and the IPv6 node subnet size only', async () => {
    assert.ok((await rendered.command('kube-apiserver')).includes('--service-cluster-ip-range=fd00:10:3::/112'));
    const command = await rendered.command('kube-controller-manager');
    assert.ok(command.includes('--cluster-cidr=fd00:10:2::/56'));
    assert.ok(command.includes('--node-cidr-mask-size-ipv6=64'));
    assert.ok(!command.some((flag) => flag.startsWith('--node-cidr-mask-size-ipv4')));
  });

  it('names the IPv6 kubernetes Service address in the API server certificate', async () => {
    const sans = await rendered.apiServerIpSans();
    assert.ok(sans.includes('fd00:10:3::1'), sans.join(', '));
    assert.ok(!sans.includes('10.3.0.1'), sans.join(', '));
  });

  it('points kubelets and the kube-dns Service at the IPv6 address', async () => {
    assert.deepEqual(kubeletClusterDns(networking), ['fd00:10:3::a']);
    assert.equal((await rendered.dnsService())['clusterIP'], 'fd00:10:3::a');
  });
});
