import { Command } from 'commander';
import { defaultClusterDir } from '@strata/platform-local';
import { DRIVERS } from '../install/drivers.ts';
import { INSTALL_PHASES } from '../install/events.ts';
import { installedCluster, runStatus } from '../install/operations.ts';
import { liveViewWanted, thisTerminal } from '../ui/live/start-live-view.tsx';
import { runLiveStatus } from '../ui/status/start-live-status.tsx';
import { exitFor, EXIT_CODES_HELP } from './install-command-support.ts';

export function statusCommand(): Command {
  return new Command('status')
    .description(
      'show an installed cluster: phases done, resources, API health, nodes Ready/total; on a terminal, a live view (q quits)',
    )
    .option('-d, --dir <dir>', 'the cluster directory (default: that of the cluster named "local")')
    .option('--json', 'print the status as one JSON object on stdout')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (options: { dir?: string; json?: boolean }) => {
      try {
        const dir = options.dir ?? defaultClusterDir('local');
        if (liveViewWanted(thisTerminal(options.json === true))) {
          // Nodes and UpdatePolicies follow watches; only the health is probed again, every PROBE_INTERVAL_MS.
          await runLiveStatus(await installedCluster({ dir, drivers: DRIVERS }));
          return;
        }
        const report = await runStatus({ dir, drivers: DRIVERS });
        if (options.json === true) {
          process.stdout.write(`${JSON.stringify(report)}\n`);
          return;
        }
        const say = (line: string) => process.stderr.write(`${line}\n`);
        say(`Cluster "${report.cluster}" (${report.platform}) in ${report.dir}`);
        say(
          `  phases:     ${INSTALL_PHASES.map((phase) => `${phase} ${report.phasesDone.includes(phase) ? 'done' : '-'}`).join(', ')}`,
        );
        say(
          `  resources:  ${report.resources.length}${report.pendingOperations > 0 ? ` (${report.pendingOperations} pending: run strata install to resolve)` : ''}`,
        );
        for (const resource of report.resources)
          say(`    ${resource.type} ${resource.urn.slice(resource.urn.lastIndexOf('::') + 2)}`);
        say(`  API:        ${report.api.url} ${report.api.healthy ? 'healthy' : `unhealthy (${report.api.detail})`}`);
        if (report.nodes !== undefined)
          say(
            `  nodes:      ${report.nodes.ready}/${report.nodes.total} Ready${report.nodes.missing.length > 0 ? ` (not Ready: ${report.nodes.missing.join(', ')})` : ''}`,
          );
      } catch (error) {
        exitFor(error, options.json);
      }
    });
}
