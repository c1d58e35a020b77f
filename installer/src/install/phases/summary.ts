// Summary: where the cluster is and how to reach it, the web console included; never a credential's content (the
// console's sign-in token goes to a file of mode 0600, whose path is printed).
import { join } from 'node:path';
import { ASSET_PATHS, CERT, clusterConsoleUrl, consoleDeployed } from '@strata/assets';
import { SECRET_FILE_MODE, writeFileAtomic } from '@strata/host';
import { CONSOLE_TOKEN_FILE, issueConsoleRolloutToken } from '../../local/console-user.ts';
import { adminKubeConfig } from './api-client.ts';
import type { PhaseContext, PhaseOutcome } from './phase.ts';

/**
 * The console's URL, its CA and a new sign-in token of its least-privilege user (it may watch a rollout and pause
 * it, ADR 0058), issued on every run since it expires; undefined when the cluster does not deploy the console.
 */
async function consoleAccess(
  context: PhaseContext,
): Promise<{ consoleUrl: string; consoleCa: string; consoleToken: string } | undefined> {
  if (!consoleDeployed(context.config)) return undefined;
  context.progress("issuing a sign-in token for the web console's least-privilege user");
  const consoleToken = join(context.directory.path, CONSOLE_TOKEN_FILE);
  await writeFileAtomic(
    consoleToken,
    `${await issueConsoleRolloutToken(adminKubeConfig(context.directory))}\n`,
    SECRET_FILE_MODE,
  );
  return {
    consoleUrl: clusterConsoleUrl(context.topology),
    consoleCa: join(context.directory.assetsDir, CERT(ASSET_PATHS.clusterCa)),
    consoleToken,
  };
}

export async function summarize(
  context: PhaseContext,
  phaseDurationsMs: Record<string, number>,
): Promise<PhaseOutcome> {
  const console = await consoleAccess(context);
  context.events.emit({
    type: 'summary',
    cluster: context.config.name,
    platform: context.config.platform,
    kubeconfig: context.directory.kubeconfigPath,
    apiServerUrl: context.driver.apiServerUrl(context),
    ...console,
    credentials: `${join(context.directory.assetsDir, 'tls')} and ${join(context.directory.assetsDir, 'auth')} (keys and kubeconfigs, mode 0600)`,
    phaseDurationsMs,
  });
  return { changed: false };
}
