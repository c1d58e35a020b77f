// What a platform's Pulumi program takes from a render: the config, the
// topology derived from it, and each Ignition target's rendered config. Read
// from an asset directory in one place, so that every platform program (cloud
// or bare metal) gets the same view of a render.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StrataError } from '@strata/api';
import type { ClusterConfig } from '../config/index.ts';
import { clusterTopology, type ClusterTopology } from '../topology/topology.ts';
import { ASSET_PATHS } from './layout.ts';

export class RenderedAssetsError extends StrataError {}

export interface PlatformProgramInput {
  readonly config: ClusterConfig;
  readonly topology: ClusterTopology;
  /**
   * The rendered Ignition config (JSON text) of every target: each controller
   * by node name, each worker by node name or, where `sharedByPool`, by its
   * pool's template name.
   */
  readonly ignition: ReadonlyMap<string, string>;
}

/** Reads the Ignition of every topology target from an asset directory (`strata render --dir`). */
export async function readPlatformProgramInput(assetDir: string, config: ClusterConfig): Promise<PlatformProgramInput> {
  const topology = clusterTopology(config);
  const ignition = new Map<string, string>();
  for (const node of [...topology.controllers, ...topology.workers]) {
    const path = join(assetDir, ASSET_PATHS.ignition(node.name));
    try {
      ignition.set(node.name, await readFile(path, 'utf8'));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new RenderedAssetsError(
        code === 'ENOENT'
          ? `${path} does not exist; render the cluster's assets into ${assetDir} first (strata render --dir ${assetDir})`
          : `cannot read ${path}: ${code ?? String(error)}`,
        { node: node.name, path },
        { cause: error },
      );
    }
  }
  return { config, topology, ignition };
}
