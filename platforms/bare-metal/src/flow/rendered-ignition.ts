import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ASSET_PATHS, type ClusterConfig } from '@strata/assets';
import { BareMetalFlowError } from './errors.ts';

/** Reads each machine's rendered Ignition config from an asset directory (`strata render --dir`). */
export async function readRenderedIgnition(assetDir: string, config: ClusterConfig): Promise<Map<string, string>> {
  const ignition = new Map<string, string>();
  for (const machine of config.bareMetal?.machines ?? []) {
    const path = join(assetDir, ASSET_PATHS.ignition(machine.name));
    try {
      ignition.set(machine.name, await readFile(path, 'utf8'));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new BareMetalFlowError(
        code === 'ENOENT'
          ? `${path} does not exist; render the cluster's assets into ${assetDir} first (strata render --dir ${assetDir})`
          : `cannot read ${path}: ${code ?? String(error)}`,
        { machine: machine.name, path },
        { cause: error },
      );
    }
  }
  return ignition;
}
