/** A Kubernetes request as the API server's audit log would name it: verb and resource (with subresource). */
export interface ApiRequestKey {
  /** get, list, watch, create, update, patch, delete, deletecollection. */
  readonly verb: string;
  /** e.g. "leases", "nodes/status", "pods/status". */
  readonly resource: string;
}

export interface ApiRequestCounts {
  readonly total: number;
  readonly errors: number;
  /** "<verb> <resource>" → requests sent, e.g. "update leases" → 6000. */
  readonly requests: Readonly<Record<string, number>>;
  /** "<verb> <resource> <status or 'network'>" → failed requests, e.g. "update leases 409". */
  readonly failures: Readonly<Record<string, number>>;
  /** Since the counters started or were last reset. */
  readonly sinceMs: number;
}

/**
 * Counts the requests simulated nodes send, so that a benchmark can report
 * what each heartbeat costs the API server.
 */
export class ApiRequestMetrics {
  #requests = new Map<string, number>();
  #failures = new Map<string, number>();
  #total = 0;
  #errors = 0;
  #since = performance.now();

  record(key: ApiRequestKey, outcome: number | 'network'): void {
    const name = `${key.verb} ${key.resource}`;
    this.#requests.set(name, (this.#requests.get(name) ?? 0) + 1);
    this.#total += 1;
    const failed = outcome === 'network' || outcome >= 400;
    if (failed) {
      const failure = `${name} ${outcome}`;
      this.#failures.set(failure, (this.#failures.get(failure) ?? 0) + 1);
      this.#errors += 1;
    }
  }

  snapshot(): ApiRequestCounts {
    return {
      total: this.#total,
      errors: this.#errors,
      requests: Object.fromEntries([...this.#requests].sort(([a], [b]) => a.localeCompare(b))),
      failures: Object.fromEntries([...this.#failures].sort(([a], [b]) => a.localeCompare(b))),
      sinceMs: performance.now() - this.#since,
    };
  }

  reset(): void {
    this.#requests.clear();
    this.#failures.clear();
    this.#total = 0;
    this.#errors = 0;
    this.#since = performance.now();
  }
}

const VERBS_BY_METHOD: Readonly<Record<string, string>> = { POST: 'create', PUT: 'update', PATCH: 'patch' };

/**
 * Names a request from its method and URL as the API server's RequestInfo does:
 * /api/v1/namespaces/ns/pods/p/status with PUT is "update pods/status".
 */
export function requestKey(method: string, url: URL): ApiRequestKey {
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  // /api/v1/... or /apis/<group>/<version>/...
  let rest = segments[0] === 'api' ? segments.slice(2) : segments.slice(3);
  if (rest[0] === 'namespaces' && rest.length > 2) rest = rest.slice(2);
  const [resource = 'unknown', name, subresource] = rest;
  const fullResource = subresource === undefined ? resource : `${resource}/${subresource}`;
  const upper = method.toUpperCase();
  let verb = VERBS_BY_METHOD[upper] ?? upper.toLowerCase();
  if (upper === 'GET') verb = url.searchParams.get('watch') === 'true' ? 'watch' : name === undefined ? 'list' : 'get';
  if (upper === 'DELETE' && name === undefined) verb = 'deletecollection';
  return { verb, resource: fullResource };
}
