import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  CLUSTER_SCHEMA_ID,
  CLUSTER_SCHEMA_PATH,
  clusterConfigJsonSchema,
  renderClusterConfigJsonSchema,
} from './json-schema.ts';

describe('cluster.schema.json', () => {
  it('is what the generator produces from the zod schema now', async () => {
    const committed = await readFile(CLUSTER_SCHEMA_PATH, 'utf8');
    assert.equal(
      committed,
      renderClusterConfigJsonSchema(),
      'stale: run `node_modules/.bin/node assets/src/config/generate-json-schema.ts`',
    );
  });

  it('identifies itself and rejects unknown fields, as the parser does', () => {
    const schema = clusterConfigJsonSchema();
    assert.equal(schema['$id'], CLUSTER_SCHEMA_ID);
    assert.equal(schema['title'], 'Strata cluster configuration');
    assert.equal(schema['additionalProperties'], false);
    assert.deepEqual(schema['required'], ['apiVersion', 'kind', 'name', 'baseDomain', 'platform']);
  });
});
