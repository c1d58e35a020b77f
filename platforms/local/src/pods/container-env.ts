import type { KubeConfig, V1Container, V1EnvVar } from '@kubernetes/client-node';
import { configMapData, secretData } from './key-projection.ts';
import { fieldRefValue, resourceFieldRefUnsupported, type PodFacts } from './downward-api.ts';
import { expand, lookupIn } from './expansion.ts';
import { PodObjectError, type PodObjects } from './pod-objects.ts';
import { StrataError } from '@strata/api';

export class ContainerEnvError extends StrataError {}

/** The kubelet skips envFrom keys that are not valid variable names (C identifiers and more). */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * KUBERNETES_SERVICE_HOST and _PORT as the kubelet sets them for the
 * `kubernetes` Service, but naming the API server's real loopback address:
 * the Service's cluster IP is unreachable from a process.
 */
export function apiServerEnv(kubeConfig: KubeConfig): Map<string, string> {
  const server = kubeConfig.getCurrentCluster()?.server;
  if (server === undefined) return new Map();
  const url = new URL(server);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port !== '' ? url.port : url.protocol === 'http:' ? '80' : '443';
  return new Map([
    ['KUBERNETES_SERVICE_HOST', host],
    ['KUBERNETES_SERVICE_PORT', port],
    ['KUBERNETES_SERVICE_PORT_HTTPS', port],
    ['KUBERNETES_PORT', `tcp://${url.hostname}:${port}`],
  ]);
}

export interface EnvContext {
  readonly facts: PodFacts;
  readonly objects: PodObjects;
  readonly serviceEnv: ReadonlyMap<string, string>;
}

async function valueFrom(variable: V1EnvVar, container: V1Container, context: EnvContext): Promise<string | undefined> {
  const source = variable.valueFrom;
  if (source === undefined) return undefined;
  if (source.fieldRef !== undefined) return fieldRefValue(source.fieldRef, context.facts, false);
  if (source.resourceFieldRef !== undefined) throw resourceFieldRefUnsupported(source.resourceFieldRef);
  const namespace = context.facts.pod.metadata?.namespace ?? 'default';
  if (source.configMapKeyRef !== undefined) {
    const { name, key, optional } = source.configMapKeyRef;
    const value = configMapData(await context.objects.configMap(name ?? '', optional ?? false)).get(key);
    if (value === undefined && !(optional ?? false)) {
      throw new PodObjectError(`container ${container.name}: ConfigMap ${namespace}/${name ?? ''} has no key ${key}`, {
        key,
      });
    }
    return value === undefined ? undefined : Buffer.from(value).toString('utf8');
  }
  if (source.secretKeyRef !== undefined) {
    const { name, key, optional } = source.secretKeyRef;
    const value = secretData(await context.objects.secret(name ?? '', optional ?? false)).get(key);
    if (value === undefined && !(optional ?? false)) {
      throw new PodObjectError(`container ${container.name}: Secret ${namespace}/${name ?? ''} has no key ${key}`, {
        key,
      });
    }
    return value === undefined ? undefined : Buffer.from(value).toString('utf8');
  }
  const kind = Object.keys(source)[0] ?? '(none)';
  throw new ContainerEnvError(
    `container ${container.name}: env ${variable.name} uses valueFrom.${kind}, which process pods do not support`,
    {
      container: container.name,
      variable: variable.name,
    },
  );
}

/**
 * The container's environment as the kubelet builds it: envFrom first, then
 * env in order (each value's $(VAR) expanded from what came before and the
 * service variables), then the service variables the container did not set.
 */
export async function containerEnv(container: V1Container, context: EnvContext): Promise<Map<string, string>> {
  const env = new Map<string, string>();
  for (const source of container.envFrom ?? []) {
    const prefix = source.prefix ?? '';
    const data = source.configMapRef
      ? configMapData(
          await context.objects.configMap(source.configMapRef.name ?? '', source.configMapRef.optional ?? false),
        )
      : source.secretRef
        ? secretData(await context.objects.secret(source.secretRef.name ?? '', source.secretRef.optional ?? false))
        : new Map<string, Uint8Array | string>();
    for (const [key, value] of data) {
      if (ENV_NAME.test(prefix + key)) env.set(prefix + key, Buffer.from(value).toString('utf8'));
    }
  }
  for (const variable of container.env ?? []) {
    if (variable.valueFrom !== undefined) {
      const value = await valueFrom(variable, container, context);
      if (value !== undefined) env.set(variable.name, value);
    } else {
      env.set(variable.name, expand(variable.value ?? '', lookupIn(env, context.serviceEnv)));
    }
  }
  for (const [name, value] of context.serviceEnv) if (!env.has(name)) env.set(name, value);
  return env;
}
