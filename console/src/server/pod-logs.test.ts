import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { podLogPath } from './pod-logs.ts';

describe('podLogPath', () => {
  it('asks the API server for the pod’s log with exactly the checked query', () => {
    assert.equal(
      podLogPath(
        { namespace: 'default', name: 'web-1' },
        { container: 'main', tailLines: 500, follow: true, timestamps: false },
      ),
      '/api/v1/namespaces/default/pods/web-1/log?container=main&tailLines=500&follow=true&timestamps=false',
    );
    assert.equal(
      podLogPath({ namespace: 'kube-system', name: 'etcd-a' }, { container: 'etcd' }),
      '/api/v1/namespaces/kube-system/pods/etcd-a/log?container=etcd',
    );
  });
});
