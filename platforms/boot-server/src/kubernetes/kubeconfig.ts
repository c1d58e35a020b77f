import { KubeConfig } from '@kubernetes/client-node';
import { KubernetesStoreError } from './errors.ts';

/**
 * The client configuration for the Kubernetes store: the file given, or else
 * what kubectl would use ($KUBECONFIG, ~/.kube/config, or the pod's service
 * account in a cluster), with the namespace its current context names.
 */
export function loadBootKubeConfig(path?: string): { kubeConfig: KubeConfig; namespace: string } {
  const kubeConfig = new KubeConfig();
  try {
    if (path === undefined) kubeConfig.loadFromDefault();
    else kubeConfig.loadFromFile(path);
  } catch (error) {
    throw new KubernetesStoreError(
      `cannot load the kubeconfig ${path ?? '(default)'}: ${error instanceof Error ? error.message : String(error)}`,
      { path },
      { cause: error },
    );
  }
  if (kubeConfig.getCurrentCluster() === null) {
    throw new KubernetesStoreError(
      `the kubeconfig ${path ?? '(default)'} names no current cluster; give --kubeconfig or run inside a cluster`,
      { path },
    );
  }
  const namespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ?? 'default';
  return { kubeConfig, namespace };
}
