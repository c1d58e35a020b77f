import { readPlatformProgramInput, type ClusterConfig } from '@strata/assets';

/** Reads each machine's rendered Ignition config from an asset directory (`strata render --dir`). */
export async function readRenderedIgnition(
  assetDir: string,
  config: ClusterConfig,
): Promise<ReadonlyMap<string, string>> {
  return (await readPlatformProgramInput(assetDir, config)).ignition;
}
