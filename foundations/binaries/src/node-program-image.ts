// Strata's own programs as pod images (the update operator's Deployment and agent DaemonSet run one): the Node.js
// runtime the repository pins (the `node` package's binary, not whatever node is on PATH) with the libraries it loads
// from this machine (libstdc++ and glibc, from Debian), and the program's bundle (bundleNodeProgram), run as the
// image's entrypoint. No shell, no package manager, no CA certificates: the programs reach the API server through the
// service account's own CA.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ImageSpec } from './oci/image.ts';

/** Where the image has the runtime. */
export const NODE_PROGRAM_RUNTIME = '/usr/local/bin/node';
/** distroless' `nonroot`, for a pod that does not choose its user (the agent's DaemonSet does). */
export const NODE_PROGRAM_USER = '65532:65532';

/** The pinned runtime's binary on this machine: `node_modules/node/bin/node`. */
export function pinnedNodeRuntime(): string {
  return join(dirname(createRequire(import.meta.url).resolve('node/package.json')), 'bin', 'node');
}

export interface NodeProgramImageInput {
  /** Names the bundle in the image: `/app/<name>.mjs`. */
  readonly name: string;
  /** The program's bundle: `bundleNodeProgram(...)`. */
  readonly bundle: string;
  /** The runtime's binary; the pinned one unless given. */
  readonly runtime?: string;
}

export function nodeProgramImageSpec(input: NodeProgramImageInput): ImageSpec {
  const app = `/app/${input.name}.mjs`;
  return {
    files: [{ path: app.slice(1), hostFile: input.bundle, mode: 0o644 }],
    hostExecutables: [
      {
        program: 'node',
        // The one library it loads beyond glibc's, which a missing one names.
        debianPackage: 'libstdc++6',
        hostPath: input.runtime ?? pinnedNodeRuntime(),
        installDir: dirname(NODE_PROGRAM_RUNTIME),
      },
    ],
    entrypoint: [NODE_PROGRAM_RUNTIME, app],
    user: NODE_PROGRAM_USER,
    workingDir: '/',
  };
}
