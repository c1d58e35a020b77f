// A KubeConfig whose API clients share their connections. @kubernetes/client-node
// 2.0.1 gives every request a new undici Agent (applySecurityAuthentication
// calls createDispatcher, which caches nothing), so every API call opened a new
// TCP and TLS connection and left it idle until undici's keep-alive timeout.
// A profile of the update operator's leader through a 1000-node rollout spent
// about 8 % of its CPU time in TLS handshakes and secure contexts
// (operators/update-operator/docs/benchmarks.md), and every write waited for a
// handshake. Watches are not affected: client-node caches the https.Agent they
// use.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/** Pools kept at once: one per API server and credentials in use; more only when a process switches between many. */
const MAX_POOLS = 8;

export class PooledKubeConfig extends KubeConfig {
  /** By the TLS material and server they connect with, most recently made last. */
  readonly #pools = new Map<string, Dispatcher>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const made = context.getDispatcher();
    // No dispatcher: plain HTTP, or no TLS material, where fetch's global pool is used already.
    if (made === undefined) return;
    const key = this.#poolKey();
    const pooled = this.#pools.get(key);
    if (pooled !== undefined) {
      // The Agent just made has no connection yet: dropping it frees nothing but itself.
      context.setDispatcher(pooled);
      return;
    }
    this.#pools.set(key, made);
    while (this.#pools.size > MAX_POOLS) {
      const [oldestKey, oldest] = this.#pools.entries().next().value ?? [];
      if (oldestKey === undefined || oldest === undefined) break;
      this.#pools.delete(oldestKey);
      // Its requests in flight finish first; it then closes its idle connections.
      oldest.close().catch((error: unknown) => {
        process.emitWarning(`closing an API server connection pool failed: ${String(error)}`);
      });
    }
  }

  /** What a connection depends on: the server, the proxy, and the TLS material as it is now (files are re-read). */
  #poolKey(): string {
    const cluster = this.getCurrentCluster();
    const user = this.getCurrentUser();
    const material = [
      cluster?.server,
      cluster?.proxyUrl,
      cluster?.skipTLSVerify,
      cluster?.tlsServerName,
      cluster?.caData ?? fileText(cluster?.caFile),
      user?.certData ?? fileText(user?.certFile),
      user?.keyData ?? fileText(user?.keyFile),
    ];
    return createHash('sha256').update(JSON.stringify(material)).digest('hex');
  }
}

/** A file's text, re-read as client-node re-reads it for every request (rotated certificates); '' when unset. */
function fileText(path: string | undefined): string {
  return path === undefined || path === '' ? '' : readFileSync(path, 'utf8');
}
