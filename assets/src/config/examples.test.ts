import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseClusterConfig } from './parse.ts';
import { withTestSysextPin } from '../testing/sysext-pin.ts';
import { PLATFORMS } from './schema.ts';
import { applyRenderPlan, planClusterRender } from '../render/render.ts';

const EXAMPLES_DIR = fileURLToPath(new URL('../../../examples/', import.meta.url));
const SCHEMA_COMMENT = '# yaml-language-server: $schema=../assets/schema/cluster.schema.json\n';

describe('examples/', () => {
  it('has one example per platform, and variants named after their platform', async () => {
    const files = (await readdir(EXAMPLES_DIR)).filter((file) => file.endsWith('.yaml')).sort();
    for (const platform of PLATFORMS) assert.ok(files.includes(`${platform}.yaml`), `examples/${platform}.yaml`);
    for (const file of files) {
      assert.ok(
        PLATFORMS.some((platform) => file === `${platform}.yaml` || file.startsWith(`${platform}-`)),
        `examples/${file} starts with a platform name`,
      );
    }
  });

  // Every example, variants too, must validate and render once its user has
  // pinned the kubelet system extension (the one value only a download on the
  // user's trusted network can give): users copy them.
  it('every example is valid and renders once the kubelet extension is pinned', async () => {
    const files = (await readdir(EXAMPLES_DIR)).filter((file) => file.endsWith('.yaml')).sort();
    for (const file of files) {
      const text = await readFile(join(EXAMPLES_DIR, file), 'utf8');
      assert.ok(text.startsWith(SCHEMA_COMMENT), `${file}: the first line points editors at the JSON Schema`);
      const result = parseClusterConfig(withTestSysextPin(text), { sourceName: `examples/${file}`, hostNetworks: [] });
      assert.ok(result.ok, result.ok ? '' : result.message);
      assert.ok(file.startsWith(result.config.platform), `${file} is a ${result.config.platform} config`);
      const dir = await mkdtemp(join(tmpdir(), 'strata-example-'));
      try {
        await applyRenderPlan(await planClusterRender({ config: result.config, dir }));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  });

  it('a copied example that is not local stops only at the kubelet extension pin, saying how to get it', async () => {
    for (const platform of PLATFORMS.filter((name) => name !== 'local')) {
      const text = await readFile(join(EXAMPLES_DIR, `${platform}.yaml`), 'utf8');
      const result = parseClusterConfig(text, { sourceName: `examples/${platform}.yaml`, hostNetworks: [] });
      assert.ok(!result.ok, `${platform}.yaml validates without a pin`);
      assert.deepEqual(
        result.issues.map((issue) => issue.path),
        ['kubernetesSysext.sha512'],
        result.message,
      );
      assert.match(result.message, /sha512sum/);
    }
  });

  it('aws-dual-stack.yaml is dual-stack, IPv4 first', async () => {
    const text = withTestSysextPin(await readFile(join(EXAMPLES_DIR, 'aws-dual-stack.yaml'), 'utf8'));
    const result = parseClusterConfig(text, { hostNetworks: [] });
    assert.ok(result.ok, result.ok ? '' : result.message);
    assert.equal(result.config.networking.podCidr, '10.2.0.0/16,fd00:10:2::/56');
    assert.equal(result.config.networking.serviceCidr, '10.3.0.0/16,fd00:10:3::/112');
  });

  for (const platform of PLATFORMS) {
    it(`${platform}.yaml is valid and tells editors about the schema`, async () => {
      const text = await readFile(join(EXAMPLES_DIR, `${platform}.yaml`), 'utf8');
      assert.ok(text.startsWith(SCHEMA_COMMENT), 'the first line points editors at the JSON Schema');
      // No host networks: the examples must not depend on the machine running the tests.
      const result = parseClusterConfig(withTestSysextPin(text), {
        sourceName: `examples/${platform}.yaml`,
        hostNetworks: [],
      });
      assert.ok(result.ok, result.ok ? '' : result.message);
      assert.equal(result.config.platform, platform);
    });
  }
});
