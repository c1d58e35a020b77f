import type { V1Namespace } from '@kubernetes/client-node';
import type { ManifestInputs } from './inputs.ts';

/** Where Strata's operators (etcd-operator, update-operator) and the update server are installed. */
export const STRATA_SYSTEM_NAMESPACE = 'strata-system';
/** Where the web console is installed. */
export const STRATA_CONSOLE_NAMESPACE = 'strata-console';

export const COMPONENT_LABEL = 'strata.dev/component';

type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/**
 * Pinning the policy version to the cluster's minor keeps an upgrade of the
 * API server from tightening the rules under running workloads; the labels
 * move with `kubernetesVersion` when the cluster is upgraded.
 */
function podSecurityLabels(
  kubernetesVersion: string,
  modes: Partial<Record<'enforce' | 'audit' | 'warn', PodSecurityLevel>>,
): Record<string, string> {
  const minor = /^v\d+\.\d+/.exec(kubernetesVersion)?.[0] ?? 'latest';
  const labels: Record<string, string> = {};
  for (const [mode, level] of Object.entries(modes)) {
    labels[`pod-security.kubernetes.io/${mode}`] = level;
    labels[`pod-security.kubernetes.io/${mode}-version`] = minor;
  }
  return labels;
}

/**
 * The namespaces other Strata packages install into; this module creates
 * them empty. Those packages add their own manifests with file prefixes 50-89
 * (ADDON_FILE_PREFIXES), after networking and DNS exist.
 */
export function namespaces(inputs: ManifestInputs): V1Namespace[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: STRATA_SYSTEM_NAMESPACE,
        labels: {
          [COMPONENT_LABEL]: 'system',
          // The update-operator's node agent (like CoreOS's CLUO agent before it) needs the host's D-Bus and the
          // right to reboot, which only the privileged level allows; auditing against restricted still records
          // which other Pods here could be tighter.
          ...podSecurityLabels(inputs.kubernetesVersion, { enforce: 'privileged', audit: 'restricted' }),
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: STRATA_CONSOLE_NAMESPACE,
        labels: {
          [COMPONENT_LABEL]: 'console',
          // A web application reachable from outside. Deployed, its one replica listens on the first controller's
          // host network (ADR 0070), which only `privileged` admits; everything else of restricted it meets, and the
          // audit at restricted records the one exception. Without it nothing here needs host access.
          ...podSecurityLabels(
            inputs.kubernetesVersion,
            inputs.console === undefined
              ? { enforce: 'restricted', audit: 'restricted', warn: 'restricted' }
              : { enforce: 'privileged', audit: 'restricted' },
          ),
        },
      },
    },
  ];
}
