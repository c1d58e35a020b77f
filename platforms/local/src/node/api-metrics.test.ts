import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiRequestMetrics, requestKey } from './api-metrics.ts';

const key = (method: string, path: string) => {
  const { verb, resource } = requestKey(method, new URL(`https://127.0.0.1:6443${path}`));
  return `${verb} ${resource}`;
};

describe('API request accounting', () => {
  it('names requests by verb and resource as the API server does', () => {
    assert.equal(key('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1'), 'update leases');
    assert.equal(key('PATCH', '/api/v1/nodes/n1/status'), 'patch nodes/status');
    assert.equal(key('PATCH', '/api/v1/namespaces/ns/pods/p/status'), 'patch pods/status');
    assert.equal(key('GET', '/api/v1/pods?fieldSelector=spec.nodeName%21%3D'), 'list pods');
    assert.equal(key('GET', '/api/v1/pods?watch=true'), 'watch pods');
    assert.equal(key('GET', '/api/v1/namespaces/ns/pods/p'), 'get pods');
    assert.equal(
      key('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests'),
      'create certificatesigningrequests',
    );
    assert.equal(key('DELETE', '/api/v1/namespaces/ns/pods/p'), 'delete pods');
    assert.equal(key('DELETE', '/api/v1/namespaces/ns/pods'), 'deletecollection pods');
  });

  it('counts requests and failures, and starts over on reset', () => {
    const metrics = new ApiRequestMetrics();
    metrics.record({ verb: 'update', resource: 'leases' }, 200);
    metrics.record({ verb: 'update', resource: 'leases' }, 409);
    metrics.record({ verb: 'patch', resource: 'nodes/status' }, 'network');
    const counts = metrics.snapshot();
    assert.equal(counts.total, 3);
    assert.equal(counts.errors, 2);
    assert.deepEqual(counts.requests, { 'patch nodes/status': 1, 'update leases': 2 });
    assert.deepEqual(counts.failures, { 'patch nodes/status network': 1, 'update leases 409': 1 });
    metrics.reset();
    assert.equal(metrics.snapshot().total, 0);
  });
});
