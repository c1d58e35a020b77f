import { ApiException, type V1Lease, type V1Pod } from '@kubernetes/client-node';
import type { LeaseClient } from '../node-lease.ts';
import type { PodStatusClient } from '../pod-status-writer.ts';

/** An error as the client throws it for an HTTP status. */
export const apiError = (code: number): ApiException<string> =>
  new ApiException(code, `HTTP ${code}`, JSON.stringify({ message: `status ${code}` }), {});

/** In-memory leases with resourceVersions: a replace with a stale one is a 409, as on the API server. */
export class FakeLeases implements LeaseClient {
  readonly calls: string[] = [];
  stored: V1Lease | undefined;
  #version = 0;

  #save(lease: V1Lease): V1Lease {
    this.#version += 1;
    // Through JSON, as the server sees it: MicroTime serializes with microseconds.
    const saved = JSON.parse(
      JSON.stringify({ ...lease, metadata: { ...lease.metadata, resourceVersion: String(this.#version) } }),
    ) as V1Lease;
    this.stored = saved;
    return saved;
  }

  /** Another writer: the node's copy is stale from now on. */
  touch(): void {
    if (this.stored !== undefined) this.#save(this.stored);
  }

  createNamespacedLease: LeaseClient['createNamespacedLease'] = (param) => {
    this.calls.push('create');
    if (this.stored !== undefined) return Promise.reject(apiError(409));
    return Promise.resolve(this.#save(param.body));
  };

  readNamespacedLease: LeaseClient['readNamespacedLease'] = () => {
    this.calls.push('read');
    return this.stored === undefined ? Promise.reject(apiError(404)) : Promise.resolve(this.stored);
  };

  replaceNamespacedLease: LeaseClient['replaceNamespacedLease'] = (param) => {
    this.calls.push('replace');
    if (this.stored === undefined) return Promise.reject(apiError(404));
    if (param.body.metadata?.resourceVersion !== this.stored.metadata?.resourceVersion)
      return Promise.reject(apiError(409));
    return Promise.resolve(this.#save(param.body));
  };
}

/** In-memory pods whose status patches are conditional on resourceVersion, as the node sends them. */
export class FakePods implements PodStatusClient {
  readonly patches: { name: string; status: V1Pod['status'] }[] = [];
  readonly pods = new Map<string, V1Pod>();
  #version = 1000;

  put(pod: V1Pod): V1Pod {
    this.#version += 1;
    const stored: V1Pod = { ...pod, metadata: { ...pod.metadata, resourceVersion: String(this.#version) } };
    this.pods.set(pod.metadata?.name ?? '', stored);
    return stored;
  }

  patchNamespacedPodStatus: PodStatusClient['patchNamespacedPodStatus'] = (param) => {
    const current = this.pods.get(param.name);
    if (current === undefined) return Promise.reject(apiError(404));
    const body = param.body as { metadata: { uid: string; resourceVersion: string }; status: V1Pod['status'] };
    if (
      body.metadata.uid !== current.metadata?.uid ||
      body.metadata.resourceVersion !== current.metadata.resourceVersion
    ) {
      return Promise.reject(apiError(409));
    }
    this.patches.push({ name: param.name, status: body.status });
    return Promise.resolve(this.put({ ...current, status: body.status }));
  };

  readNamespacedPodStatus: PodStatusClient['readNamespacedPodStatus'] = (param) => {
    const current = this.pods.get(param.name);
    return current === undefined ? Promise.reject(apiError(404)) : Promise.resolve(current);
  };
}
