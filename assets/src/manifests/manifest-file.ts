import type { KubernetesObject } from '@kubernetes/client-node';

/**
 * One file of the bootstrap manifests. `fileName` starts with a two-digit
 * prefix: files are applied in ascending order of it, objects in their order
 * within the file.
 */
export interface ManifestFile {
  readonly fileName: string;
  readonly objects: readonly KubernetesObject[];
}

/**
 * File prefixes reserved for packages that plug into the namespaces of
 * 00-namespaces (Strata's operators, the update server, the console): they
 * come after networking and DNS, which their Pods need.
 */
export const ADDON_FILE_PREFIXES = { first: 50, last: 89 } as const;
