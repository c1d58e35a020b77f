import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DownwardApiError, fieldRefValue, formatMap, goQuote, type PodFacts } from './downward-api.ts';
import { pod } from './test-fixtures.ts';

function facts(): PodFacts {
  return {
    pod: pod({
      metadata: {
        name: 'etcd-0',
        namespace: 'kube-system',
        uid: 'uid-1',
        labels: { app: 'etcd', tier: 'db' },
        annotations: { note: 'a "b"\n' },
      },
      spec: { serviceAccountName: 'etcd' },
    }),
    nodeName: 'node-a',
    hostIP: '127.0.1.10',
    podIP: '127.0.64.9',
  };
}

describe('the downward API', () => {
  it('quotes like Go’s %q', () => {
    assert.equal(goQuote('plain'), '"plain"');
    assert.equal(goQuote('a "b"\\\n\t'), '"a \\"b\\"\\\\\\n\\t"');
    assert.equal(goQuote('\x01\x7f'), '"\\x01\\x7f"');
    assert.equal(goQuote('ünï ✓'), '"ünï ✓"');
  });

  it('writes labels and annotations as sorted key="value" lines', () => {
    assert.equal(formatMap({ tier: 'db', app: 'etcd' }), 'app="etcd"\ntier="db"');
    assert.equal(formatMap({}), '');
  });

  it('answers the pod’s fields', () => {
    const field = (fieldPath: string, wholeMaps = false): string => fieldRefValue({ fieldPath }, facts(), wholeMaps);
    assert.equal(field('metadata.name'), 'etcd-0');
    assert.equal(field('metadata.namespace'), 'kube-system');
    assert.equal(field('metadata.uid'), 'uid-1');
    assert.equal(field("metadata.labels['app']"), 'etcd');
    assert.equal(field("metadata.annotations['missing']"), '');
    assert.equal(field('spec.nodeName'), 'node-a');
    assert.equal(field('spec.serviceAccountName'), 'etcd');
    assert.equal(field('status.podIP'), '127.0.64.9');
    assert.equal(field('status.hostIP'), '127.0.1.10');
    assert.equal(field('metadata.labels', true), 'app="etcd"\ntier="db"');
    assert.equal(field('metadata.annotations', true), 'note="a \\"b\\"\\n"');
  });

  it('refuses whole maps in env and fields it does not know', () => {
    assert.throws(() => fieldRefValue({ fieldPath: 'metadata.labels' }, facts(), false), DownwardApiError);
    assert.throws(() => fieldRefValue({ fieldPath: 'spec.schedulerName' }, facts(), true), /not supported/);
  });
});
