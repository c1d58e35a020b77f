import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { runCommand, type CommandResult } from '@strata/host';
import { writeUserKubeconfig } from './control-plane-pki.ts';
import type { ControlPlaneInfo } from './control-plane-info.ts';

/**
 * What a test sees of a running control plane: clients for the admin and for
 * any other user, and kubectl wired to it.
 */
export class HarnessCluster {
  readonly info: ControlPlaneInfo;

  constructor(info: ControlPlaneInfo) {
    this.info = info;
  }

  get server(): string {
    return this.info.server;
  }

  get kubeconfigPath(): string {
    return this.info.kubeconfigPath;
  }

  /** A client configuration for the cluster admin (group system:masters). */
  adminKubeConfig(): KubeConfig {
    const config = new KubeConfig();
    config.loadFromFile(this.info.kubeconfigPath);
    return config;
  }

  /** A client for another user, with a fresh certificate from the cluster CA. It has no rights until RBAC grants some. */
  async userKubeConfig(user: string, groups: readonly string[] = []): Promise<KubeConfig> {
    const dir = await mkdtemp(join(this.info.dir, 'user-'));
    const path = join(dir, 'kubeconfig');
    await writeUserKubeconfig({ pkiDir: this.info.pkiDir, server: this.info.server, path, user, groups });
    const config = new KubeConfig();
    config.loadFromFile(path);
    return config;
  }

  /** Runs the pinned kubectl against this cluster as the admin. */
  kubectl(args: readonly string[], input?: string): Promise<CommandResult> {
    return runCommand(this.info.binaries.kubectl, [`--kubeconfig=${this.info.kubeconfigPath}`, ...args], {
      env: { PATH: process.env['PATH'] ?? '', HOME: this.info.dir },
      ...(input === undefined ? {} : { input }),
    });
  }
}
