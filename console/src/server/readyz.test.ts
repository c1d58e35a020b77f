import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { etcdChecks, parseReadyz } from './readyz.ts';

describe('parseReadyz', () => {
  it('reads each check of the verbose answer, and readiness from the status', () => {
    const body = ['[+]ping ok', '[+]log ok', '[-]etcd failed: reason withheld', 'readyz check failed', ''].join('\n');
    assert.deepEqual(parseReadyz(500, body), {
      ready: false,
      checks: [
        { name: 'ping', ok: true, detail: 'ok' },
        { name: 'log', ok: true, detail: 'ok' },
        { name: 'etcd', ok: false, detail: 'failed: reason withheld' },
      ],
    });
    assert.equal(parseReadyz(200, '[+]ping ok\nreadyz check passed\n').ready, true);
    assert.deepEqual(parseReadyz(200, 'ok').checks, []);
  });
});

describe('etcdChecks', () => {
  it('picks kube-apiserver’s checks of its etcd', () => {
    const health = parseReadyz(
      500,
      ['[+]ping ok', '[-]etcd failed: reason withheld', '[+]etcd-readiness ok', '[+]informer-sync ok'].join('\n'),
    );
    assert.deepEqual(
      etcdChecks(health).map((check) => [check.name, check.ok]),
      [
        ['etcd', false],
        ['etcd-readiness', true],
      ],
    );
  });
});
