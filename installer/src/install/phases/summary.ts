// Summary: where the cluster is and how to reach it; never a credential's content.
import { join } from 'node:path';
import type { PhaseContext, PhaseOutcome } from './phase.ts';

export function summarize(context: PhaseContext, phaseDurationsMs: Record<string, number>): PhaseOutcome {
  context.events.emit({
    type: 'summary',
    cluster: context.config.name,
    platform: context.config.platform,
    kubeconfig: context.directory.kubeconfigPath,
    apiServerUrl: context.driver.apiServerUrl(context),
    credentials: `${join(context.directory.assetsDir, 'tls')} and ${join(context.directory.assetsDir, 'auth')} (keys and kubeconfigs, mode 0600)`,
    phaseDurationsMs,
  });
  return { changed: false };
}
