import type { V1PodSecurityContext } from '@kubernetes/client-node';

/** The distroless base image's `nonroot` user and group; a named user cannot be checked against runAsNonRoot. */
export const NONROOT_ID = 65532;

/**
 * The pod securityContext of Strata's own workloads: the nonroot user and group, RuntimeDefault seccomp. A pod that
 * reads a Secret's files also gets that group as fsGroup: the kubelet gives the files this group, so that mode 0440
 * lets the nonroot user read a key.
 */
export function nonrootPodSecurityContext(options: { readonly readsSecretFiles: boolean }): V1PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: NONROOT_ID,
    runAsGroup: NONROOT_ID,
    ...(options.readsSecretFiles ? { fsGroup: NONROOT_ID } : {}),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
