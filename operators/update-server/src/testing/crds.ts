// Installs the UpdateRelease, UpdateChannel and UpdateGroup CRDs on a test API server and waits until they are served.
import type { KubeConfig } from '@kubernetes/client-node';
import { updateServerCrds } from '@strata/api';
import { installCrds } from '@strata/harness';

export async function installUpdateServerCrds(kubeConfig: KubeConfig): Promise<void> {
  await installCrds(kubeConfig, updateServerCrds());
}
