import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withTestSysextPin } from '@strata/assets/testing';
import { CoreV1Api } from '@kubernetes/client-node';
import {
  applyRenderPlan,
  ASSET_PATHS,
  containsAddress,
  parseAddress,
  parseClusterConfig,
  parseCidr,
  planClusterRender,
  splitCidrList,
} from '@strata/assets';
import { startControlPlane, type RunningControlPlane } from '../control-plane.ts';
import { HarnessCluster } from '../harness-cluster.ts';
import { uniqueName } from '../unique-name.ts';

const EXAMPLE = fileURLToPath(new URL('../../../examples/aws-dual-stack.yaml', import.meta.url));

/** The --service-cluster-ip-range the renderer gives the first controller's kube-apiserver for the example. */
async function renderedServiceRange(): Promise<string> {
  const result = parseClusterConfig(withTestSysextPin(await readFile(EXAMPLE, 'utf8')), { hostNetworks: [] });
  assert.ok(result.ok, result.ok ? '' : result.message);
  const dir = await mkdtemp(join(tmpdir(), 'strata-dual-stack-render-'));
  try {
    await applyRenderPlan(await planClusterRender({ config: result.config, dir }));
    const manifest = ASSET_PATHS.staticManifest(`${result.config.name}-controller-0`, 'kube-apiserver');
    // The flag as the static pod's command line carries it: one plain YAML list item.
    const flag = /^\s*- --service-cluster-ip-range=(\S+)$/m.exec(await readFile(join(dir, manifest), 'utf8'));
    assert.ok(flag?.[1], 'the rendered kube-apiserver has --service-cluster-ip-range');
    return flag[1];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('a dual-stack control plane, started with the flags rendered for examples/aws-dual-stack.yaml', () => {
  let running: RunningControlPlane;
  let range: string;

  before(async () => {
    range = await renderedServiceRange();
    running = await startControlPlane({ serviceClusterIpRange: range });
  });
  after(async () => {
    await running.stop();
  });

  it('renders one service range per family, IPv4 first', () => {
    assert.equal(range, '10.3.0.0/16,fd00:10:3::/112');
  });

  it('gives a RequireDualStack Service a cluster IP of each family from the rendered ranges', async () => {
    const core = new HarnessCluster(running.info).adminKubeConfig().makeApiClient(CoreV1Api);
    const name = uniqueName('dual');
    const created = await core.createNamespacedService({
      namespace: 'default',
      body: {
        metadata: { name },
        spec: { ipFamilyPolicy: 'RequireDualStack', ports: [{ port: 80 }], selector: { app: name } },
      },
    });
    assert.deepEqual(created.spec?.ipFamilies, ['IPv4', 'IPv6']);
    const ips = created.spec?.clusterIPs ?? [];
    assert.equal(ips.length, 2, `cluster IPs ${ips.join(', ')}`);
    splitCidrList(range).forEach((entry, index) => {
      const cidr = parseCidr(entry);
      const address = parseAddress(ips[index] ?? '');
      assert.ok(cidr.ok && address !== undefined, `${ips[index] ?? '(none)'} for ${entry}`);
      assert.ok(containsAddress(cidr.cidr, address), `${ips[index] ?? ''} lies inside ${entry}`);
    });
  });

  it('accepts the fixed dual-stack address the renderer gives cluster DNS', async () => {
    const core = new HarnessCluster(running.info).adminKubeConfig().makeApiClient(CoreV1Api);
    const created = await core.createNamespacedService({
      namespace: 'default',
      body: {
        metadata: { name: uniqueName('dns') },
        spec: {
          clusterIP: '10.3.0.10',
          clusterIPs: ['10.3.0.10', 'fd00:10:3::a'],
          ipFamilies: ['IPv4', 'IPv6'],
          ipFamilyPolicy: 'RequireDualStack',
          ports: [{ name: 'dns', port: 53, protocol: 'UDP' }],
        },
      },
    });
    assert.deepEqual(created.spec?.clusterIPs, ['10.3.0.10', 'fd00:10:3::a']);
  });
});
