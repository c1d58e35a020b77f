import { join, relative } from 'node:path';
import { Command } from 'commander';
import {
  applyRenderPlan,
  ASSET_PATHS,
  ClusterConfigError,
  HandEditedFilesError,
  loadClusterConfig,
  planClusterRender,
  RenderTargetError,
  type RenderPlan,
} from '@strata/assets';
import { describeError } from '../error-output.ts';

interface RenderOptions {
  readonly config: string;
  readonly dir: string;
  readonly force?: boolean;
  readonly dryRun?: boolean;
  readonly json?: boolean;
}

function summary(plan: RenderPlan) {
  return {
    dir: plan.dir,
    written: plan.writes.map((file) => file.path).sort(),
    deleted: [...plan.deletes].sort(),
    unchanged: plan.unchanged.length,
    keptHandEdits: [...plan.keptEdits].sort(),
    conflicts: [...plan.conflicts].sort(),
    regeneratedAssets: [...plan.regenerated],
  };
}

const LAYOUT_HELP = `
Asset directory layout:
  tls/               certificate authorities, certificates and keys (keys 0600),
                     tls/inventory.json lists every certificate with its expiry
  auth/              kubeconfigs (admin.kubeconfig) and each machine's kubelet bootstrap token (0600)
  static-manifests/  each controller's control-plane static pods
  manifests/         cluster manifests applied once the API answers (server-side apply)
  ignition/          one Ignition config per node (or per worker pool on clouds), 0600
  .strata/           what Strata wrote, to keep keys and detect hand edits

Running render again with an unchanged config rewrites nothing and keeps every key;
a changed field regenerates only what depends on it. Files you edited by hand are
kept, and never overwritten without --force. Your cluster.yaml is never written.`;

export function renderCommand(): Command {
  return new Command('render')
    .description('validate a cluster config and render its assets: PKI, kubeconfigs, static pods, manifests, Ignition')
    .requiredOption('-c, --config <file>', 'the cluster config (cluster.yaml)')
    .requiredOption('-d, --dir <dir>', 'the asset directory to write')
    .option('--force', 'overwrite files that were edited by hand')
    .option('--dry-run', 'show what would change, write nothing')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', LAYOUT_HELP)
    .action(async (options: RenderOptions) => {
      const out = (text: string) => {
        if (!options.json) process.stderr.write(text);
      };
      try {
        out(`Validating ${options.config} …\n`);
        const config = await loadClusterConfig(options.config);
        out(
          `Rendering cluster "${config.name}" (${config.platform}, ${config.controllers.count} controller${config.controllers.count === 1 ? '' : 's'}) into ${options.dir} …\n`,
        );
        const started = performance.now();
        const plan = await planClusterRender({ config, dir: options.dir, configPath: options.config });
        if (!options.dryRun) await applyRenderPlan(plan, { force: options.force ?? false });
        const result = summary(plan);
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ ...result, dryRun: options.dryRun ?? false }, null, 2)}\n`);
          return;
        }
        const verb = options.dryRun ? 'would write' : 'wrote';
        out(
          `${verb} ${result.written.length} file(s), ${result.unchanged} unchanged, ${result.deleted.length} removed in ${((performance.now() - started) / 1000).toFixed(1)}s\n`,
        );
        for (const path of result.keptHandEdits) out(`  kept your edit: ${path}\n`);
        if (options.dryRun)
          for (const path of result.conflicts) out(`  would refuse to overwrite your edit: ${path} (use --force)\n`);
        const kubeconfig = join(plan.dir, ASSET_PATHS.adminKubeconfig);
        const shown = relative(process.cwd(), kubeconfig);
        out(`Admin kubeconfig: ${shown.startsWith('..') ? kubeconfig : shown}\n`);
      } catch (error) {
        if (
          error instanceof ClusterConfigError ||
          error instanceof HandEditedFilesError ||
          error instanceof RenderTargetError
        ) {
          if (options.json)
            process.stdout.write(`${JSON.stringify({ error: error.message, context: error.context }, null, 2)}\n`);
          else process.stderr.write(`${describeError(error)}\n`);
          process.exitCode = 1;
          return;
        }
        throw error;
      }
    });
}
