// Strata's own programs in the image: the Node.js runtime the project runs on (the `node` package's binary, so the
// image's runtime is the version the repository pins, whatever Node runs the build) and the bundles it runs.
import { fileURLToPath } from 'node:url';
import { bundleNodeProgram, pinnedNodeRuntime } from '@strata/binaries';
import { NODE_RUNTIME_PATH, UPDATE_ENGINE_BUNDLE_PATH } from './recipe.ts';

export interface StrataProgram {
  readonly name: string;
  /** Where it lands in the image. */
  readonly path: string;
  /** Where the build finds it on this host. */
  readonly source: string;
}

/** The runtime and update_engine's bundle (bundled now unless the bundle cache holds it with unchanged inputs). */
export async function strataPrograms(): Promise<readonly StrataProgram[]> {
  const runtime = pinnedNodeRuntime();
  const updateEngine = await bundleNodeProgram({
    name: 'strata-update-engine',
    entry: fileURLToPath(import.meta.resolve('@strata/update-engine/daemon')),
  });
  return [
    { name: 'node', path: NODE_RUNTIME_PATH, source: runtime },
    { name: 'strata-update-engine', path: UPDATE_ENGINE_BUNDLE_PATH, source: updateEngine },
  ];
}
