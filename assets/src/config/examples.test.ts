import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseClusterConfig } from './parse.ts';
import { PLATFORMS } from './schema.ts';

const EXAMPLES_DIR = fileURLToPath(new URL('../../../examples/', import.meta.url));
const SCHEMA_COMMENT = '# yaml-language-server: $schema=../assets/schema/cluster.schema.json\n';

describe('examples/', () => {
  it('has one example per platform', async () => {
    const files = (await readdir(EXAMPLES_DIR)).filter((file) => file.endsWith('.yaml')).sort();
    assert.deepEqual(files, PLATFORMS.map((platform) => `${platform}.yaml`).sort());
  });

  for (const platform of PLATFORMS) {
    it(`${platform}.yaml is valid and tells editors about the schema`, async () => {
      const text = await readFile(join(EXAMPLES_DIR, `${platform}.yaml`), 'utf8');
      assert.ok(text.startsWith(SCHEMA_COMMENT), 'the first line points editors at the JSON Schema');
      // No host networks: the examples must not depend on the machine running the tests.
      const result = parseClusterConfig(text, { sourceName: `examples/${platform}.yaml`, hostNetworks: [] });
      assert.ok(result.ok, result.ok ? '' : result.message);
      assert.equal(result.config.platform, platform);
    });
  }
});
