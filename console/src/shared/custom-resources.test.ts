import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { customObjectPath, evaluatePrinterColumn, parseCrdSegments } from './custom-resources.ts';

const CLUSTER = {
  metadata: { name: 'main', namespace: 'etcd', labels: { tier: 'data' } },
  spec: { replicas: 3, paused: false, version: '3.6.5', members: [{ name: 'a' }] },
  status: { phase: 'Running', ready: 0 },
};

describe('evaluatePrinterColumn', () => {
  it('follows a simple path to a string, a number or a boolean', () => {
    assert.equal(evaluatePrinterColumn(CLUSTER, '.status.phase'), 'Running');
    assert.equal(evaluatePrinterColumn(CLUSTER, '.spec.replicas'), '3');
    assert.equal(evaluatePrinterColumn(CLUSTER, '.status.ready'), '0');
    assert.equal(evaluatePrinterColumn(CLUSTER, '.spec.paused'), 'false');
    assert.equal(evaluatePrinterColumn(CLUSTER, '.metadata.labels.tier'), 'data');
    assert.equal(evaluatePrinterColumn(CLUSTER, ' .spec.version '), '3.6.5');
  });

  it('gives an empty cell for a missing field, an object or a list at the end', () => {
    assert.equal(evaluatePrinterColumn(CLUSTER, '.status.conditions'), '');
    assert.equal(evaluatePrinterColumn(CLUSTER, '.status.phase.deeper'), '');
    assert.equal(evaluatePrinterColumn(CLUSTER, '.spec'), '');
    assert.equal(evaluatePrinterColumn(CLUSTER, '.spec.members'), '');
    assert.equal(evaluatePrinterColumn({}, '.status.phase'), '');
    assert.equal(evaluatePrinterColumn(null, '.status.phase'), '');
    assert.equal(evaluatePrinterColumn('text', '.length'), '');
  });

  it('gives an empty cell for a path it does not evaluate, never an error', () => {
    for (const path of [
      '.spec.members[0].name',
      '.status.conditions[?(@.type=="Ready")].status',
      '.spec.*',
      '{.spec.replicas}',
      'spec.replicas',
      '.',
      '',
      '..spec',
      '.spec..replicas',
    ])
      assert.equal(evaluatePrinterColumn(CLUSTER, path), '', path);
  });

  it('reads only own fields, not what an object inherits', () => {
    assert.equal(evaluatePrinterColumn(CLUSTER, '.metadata.constructor'), '');
    assert.equal(evaluatePrinterColumn(CLUSTER, '.metadata.__proto__'), '');
    assert.equal(evaluatePrinterColumn(CLUSTER, '.spec.version.length'), '');
  });
});

describe('parseCrdSegments', () => {
  it('takes an API group (a DNS subdomain with a dot) and a plural (a DNS label)', () => {
    assert.deepEqual(parseCrdSegments({ group: 'etcd.strata.dev', plural: 'etcdclusters' }), {
      group: 'etcd.strata.dev',
      plural: 'etcdclusters',
    });
  });

  it('refuses anything else, so that no request names a path of its own', () => {
    const cases: [string, string][] = [
      ['', 'etcdclusters'],
      ['apps', 'deployments'],
      ['etcd.strata.dev', ''],
      ['etcd.strata.dev', 'EtcdClusters'],
      ['etcd.strata.dev', 'etcdclusters/status'],
      ['etcd.strata.dev', '..'],
      ['../api/v1', 'secrets'],
      ['etcd.strata.dev/v1', 'etcdclusters'],
      ['Etcd.Strata.Dev', 'etcdclusters'],
      ['etcd.strata.dev.', 'etcdclusters'],
      [`${'a'.repeat(254)}.dev`, 'etcdclusters'],
    ];
    for (const [group, plural] of cases)
      assert.equal(typeof parseCrdSegments({ group, plural }), 'string', `${group} ${plural}`);
  });
});

describe('customObjectPath', () => {
  it('names a namespaced object by namespace and a cluster-scoped one by the cluster scope segment', () => {
    const crd = { group: 'etcd.strata.dev', plural: 'etcdclusters' };
    assert.equal(customObjectPath(crd, 'etcd', 'main'), 'etcd.strata.dev/etcdclusters/etcd/main');
    assert.equal(customObjectPath(crd, '', 'main'), 'etcd.strata.dev/etcdclusters/-/main');
  });
});
