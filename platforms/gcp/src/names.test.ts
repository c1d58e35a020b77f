import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clusterTopology } from '@strata/assets';
import { GcpPlatformError } from './errors.ts';
import { fitName, GCP_NAME_RULES, gcpResourceNames, satisfiesRule } from './names.ts';
import { aGcpConfig } from './testing/fixtures.ts';

describe('fitName', () => {
  test('keeps a name that fits', () => {
    assert.equal(fitName('compute', 'demo', 'apiserver'), 'demo-apiserver');
  });

  test('cuts a long name to the limit and tells apart long names that share a start', () => {
    const base = `k${'8'.repeat(38)}s`;
    const a = fitName('serviceAccountId', base, 'c0');
    const b = fitName('serviceAccountId', base, 'c1');
    assert.equal(a.length, GCP_NAME_RULES.serviceAccountId.max);
    assert.notEqual(a, b);
    assert.ok(satisfiesRule('serviceAccountId', a) && satisfiesRule('serviceAccountId', b));
  });

  test('never leaves a dash before the hash', () => {
    // 54 characters keep the start; the cut lands on a dash.
    const name = fitName('compute', 'a'.repeat(53), 'b'.repeat(20));
    assert.ok(satisfiesRule('compute', name), name);
    assert.doesNotMatch(name, /--/);
  });
});

describe('gcpResourceNames', () => {
  test("keeps the controllers' node names as instance names", () => {
    const config = aGcpConfig({ controllers: 3 });
    const names = gcpResourceNames(config);
    assert.deepEqual(
      names.controllers.map((controller) => controller.instance),
      clusterTopology(config).controllers.map((controller) => controller.name),
    );
  });

  test('refuses a cluster name that starts with a digit, naming the field', () => {
    assert.throws(
      () => gcpResourceNames(aGcpConfig({ name: '9lives' })),
      (error: unknown) => error instanceof GcpPlatformError && error.context['field'] === 'name',
    );
  });

  test('gives a bucket name without "google" to a cluster whose name holds it, and one per project', () => {
    const names = gcpResourceNames(aGcpConfig({ name: 'google-prod' }));
    assert.ok(satisfiesRule('bucket', names.ignitionBucket), names.ignitionBucket);
    assert.doesNotMatch(names.ignitionBucket, /google/);
    const config = aGcpConfig();
    const other = { ...config, gcp: { ...config.gcp!, project: 'another-project' } };
    assert.notEqual(gcpResourceNames(config).ignitionBucket, gcpResourceNames(other).ignitionBucket);
  });

  test('gives pools whose long names share a start different groups and template prefixes', () => {
    const longPool = 'p'.repeat(60);
    const config = aGcpConfig({
      name: `c${'x'.repeat(39)}`,
      workerPools: [
        { name: `${longPool}a`, count: 1 },
        { name: `${longPool}b`, count: 1 },
      ],
    });
    const [a, b] = gcpResourceNames(config).workerPools;
    assert.ok(a && b);
    assert.notEqual(a.groupManager, b.groupManager);
    assert.notEqual(a.templatePrefix, b.templatePrefix);
    assert.notEqual(a.baseInstanceName, b.baseInstanceName);
    for (const pool of [a, b]) {
      assert.ok(satisfiesRule('namePrefix', pool.templatePrefix), pool.templatePrefix);
      assert.ok(satisfiesRule('baseInstanceName', pool.baseInstanceName), pool.baseInstanceName);
    }
  });
});
