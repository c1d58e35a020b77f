// Rotates the key that encrypts Secrets at rest on a running cluster, in the
// order Kubernetes documents for several API servers, and never drops the old
// key before etcd proves that nothing is stored under it any more.
import { createHash } from 'node:crypto';
import { CoreV1Api, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { z } from 'zod';
import { StrataError } from '@strata/api';
import type { EncryptionKeyRotationStep } from '@strata/assets';
import { httpsRequest, runCommand, waitFor, type ClientTls } from '@strata/host';
import { isConflict, isNotFound } from '@strata/kube';

export class EncryptionRotationError extends StrataError {}

export interface RotationApiServer {
  readonly name: string;
  /** This server's own URL (not a load balancer's): each one must be seen to load the new keys. */
  readonly url: string;
  /** Client credentials that may read /metrics (the admin's). */
  readonly tls: ClientTls;
}

export interface RotationEtcd {
  readonly etcdctl: string;
  readonly endpoints: string;
  readonly caPath: string;
  readonly certPath: string;
  readonly keyPath: string;
}

export interface RotationTarget {
  readonly apiServers: readonly RotationApiServer[];
  /** The admin's: rewrites every Secret. */
  readonly kubeConfig: KubeConfig;
  readonly etcd: RotationEtcd;
  /**
   * Fails, naming each server and why, when any server's --encryption-provider-config cannot be written (an
   * unreachable controller); called before anything is rendered, so that no key is added or promoted on a cluster
   * where one server would be left behind.
   */
  reach(): Promise<void>;
  /** Writes `text` where every server reads its --encryption-provider-config (a file here, or over SSH). */
  deliver(text: string): Promise<void>;
}

export type RotationEvent =
  | { readonly kind: 'step'; readonly step: EncryptionKeyRotationStep | 'rewrite' | 'verify' }
  | { readonly kind: 'loaded'; readonly server: string; readonly seconds: number }
  | { readonly kind: 'rewritten'; readonly done: number; readonly total: number };

export interface RotationOptions {
  /** Renders a rotation step into the asset directory and returns the new encryption configuration's text. */
  readonly render: (step: EncryptionKeyRotationStep) => Promise<string>;
  readonly onEvent?: (event: RotationEvent) => void;
  /** How long one server may take to load a new configuration (it polls its file about once a minute). */
  readonly loadTimeoutMs?: number;
}

export interface RotationResult {
  /** The key that now writes (its name; never its secret). */
  readonly key: string;
  readonly secretsRewritten: number;
}

/** The hash kube-apiserver reports for the configuration it runs (apiserver_encryption_config_controller_last_config_info). */
export function configurationHash(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

const CONFIG_INFO =
  /^apiserver_encryption_config_controller_last_config_info\{[^}]*hash="(sha256:[0-9a-f]{64})"[^}]*\} 1$/m;

// kube-apiserver's /metrics has every request, watch and storage histogram: a
// few MiB on a busy server, and it grows with the kinds and clients it serves.
const METRICS_MAX_BYTES = 64 * 1024 * 1024;

/** The hash of the encryption configuration `server` reports running, from its /metrics; undefined before it loads one. */
export async function loadedHash(server: RotationApiServer): Promise<string | undefined> {
  const answer = await httpsRequest(new URL('/metrics', server.url).href, server.tls, {
    timeoutMs: 10_000,
    maxAnswerBytes: METRICS_MAX_BYTES,
  });
  if (answer.status !== 200) {
    throw new EncryptionRotationError(`${server.name}'s /metrics answered ${answer.status}`, {
      server: server.name,
      status: answer.status,
    });
  }
  return CONFIG_INFO.exec(answer.body)?.[1];
}

/** Writes `text` on every server and waits until each one reports running it. */
async function distribute(target: RotationTarget, text: string, options: RotationOptions): Promise<void> {
  const hash = configurationHash(text);
  await target.deliver(text);
  for (const server of target.apiServers) {
    const started = Date.now();
    await waitFor(
      `${server.name} to load the new encryption configuration (${hash})`,
      async () => ((await loadedHash(server)) === hash ? true : undefined),
      { timeoutMs: options.loadTimeoutMs ?? 180_000, intervalMs: 2_000, retryErrors: true },
    );
    options.onEvent?.({ kind: 'loaded', server: server.name, seconds: (Date.now() - started) / 1000 });
  }
}

/** Writes every Secret again, so that each is stored under the key that now writes. */
async function rewriteSecrets(target: RotationTarget, options: RotationOptions): Promise<number> {
  const core = target.kubeConfig.makeApiClient(CoreV1Api);
  const secrets: V1Secret[] = [];
  let continueToken: string | undefined;
  do {
    const page = await core.listSecretForAllNamespaces({
      limit: 500,
      ...(continueToken ? { _continue: continueToken } : {}),
    });
    secrets.push(...page.items);
    continueToken = page.metadata?._continue || undefined;
  } while (continueToken !== undefined);
  let done = 0;
  for (const listed of secrets) {
    const name = listed.metadata?.name ?? '';
    const namespace = listed.metadata?.namespace ?? '';
    let secret: V1Secret | undefined = listed;
    // A Secret changed under us is read again; one deleted meanwhile needs no rewrite.
    while (secret !== undefined) {
      try {
        await core.replaceNamespacedSecret({ name, namespace, body: secret });
        secret = undefined;
      } catch (error) {
        if (isNotFound(error)) break;
        if (!isConflict(error)) throw error;
        secret = await core.readNamespacedSecret({ name, namespace });
      }
    }
    done += 1;
    options.onEvent?.({ kind: 'rewritten', done, total: secrets.length });
  }
  return secrets.length;
}

const etcdGetSchema = z.object({
  kvs: z.array(z.object({ key: z.string(), value: z.string() })).optional(),
});

/** The Secrets etcd does not hold under `key` (their etcd keys; values are never shown). */
export async function secretsNotUnder(etcd: RotationEtcd, key: string): Promise<string[]> {
  const result = await runCommand(etcd.etcdctl, [
    `--endpoints=${etcd.endpoints}`,
    `--cacert=${etcd.caPath}`,
    `--cert=${etcd.certPath}`,
    `--key=${etcd.keyPath}`,
    'get',
    '/registry/secrets/',
    '--prefix',
    '--write-out=json',
  ]);
  if (result.code !== 0) {
    throw new EncryptionRotationError(`etcdctl get /registry/secrets/ failed: ${result.stderr.trim()}`, {
      endpoints: etcd.endpoints,
      exitCode: result.code,
    });
  }
  const prefix = `k8s:enc:secretbox:v1:${key}:`;
  return (etcdGetSchema.parse(JSON.parse(result.stdout)).kvs ?? [])
    .filter((kv) => !Buffer.from(kv.value, 'base64').toString('latin1').startsWith(prefix))
    .map((kv) => Buffer.from(kv.key, 'base64').toString());
}

/**
 * The whole rotation. With several API servers the new key is first added as a
 * key that only reads, so that no server meets a Secret it cannot read; with
 * one server that step has no reader to protect and is not distributed.
 */
export async function rotateEncryptionKey(target: RotationTarget, options: RotationOptions): Promise<RotationResult> {
  const step = (name: EncryptionKeyRotationStep | 'rewrite' | 'verify') =>
    options.onEvent?.({ kind: 'step', step: name });
  await target.reach();
  step('add');
  const added = await options.render('add');
  if (target.apiServers.length > 1) await distribute(target, added, options);
  step('promote');
  const promoted = await options.render('promote');
  await distribute(target, promoted, options);
  const key = /name: (strata-\d+)/.exec(promoted)?.[1];
  if (key === undefined) throw new EncryptionRotationError('the promoted configuration names no key', {});
  step('rewrite');
  const secretsRewritten = await rewriteSecrets(target, options);
  step('verify');
  const left = await secretsNotUnder(target.etcd, key);
  if (left.length > 0) {
    throw new EncryptionRotationError(
      `${left.length} Secret(s) are not yet stored under ${key} (${left.slice(0, 5).join(', ')}${left.length > 5 ? ', …' : ''}); the old key stays until they are: run the rotation again`,
      { key, left: left.length },
    );
  }
  step('retire');
  await distribute(target, await options.render('retire'), options);
  return { key, secretsRewritten };
}
