import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { once } from 'node:events';
import { pino } from 'pino';
import { SECRET_FILE_MODE, writeFileAtomic } from '@strata/host';
import {
  ClusterConfigError,
  clusterUpdateServerUrl,
  clusterConsoleUrl,
  consoleDeployed,
  loadClusterConfig,
  type ClusterConfig,
} from '@strata/assets';
import { LABELS, StrataError } from '@strata/api';
import { printError } from '../error-output.ts';
import {
  ClusterDirectory,
  defaultClusterDir,
  defaultLocalConfig,
  upLocalCluster,
  type LocalCluster,
} from '@strata/platform-local';
import { localPlatformComponents } from '../local/components.ts';
import { applyUpdateOffer, readUpdateOffer, UPDATE_OFFER_SIGNAL } from '../local/update-offers.ts';
import { CONSOLE_TOKEN_FILE, CONSOLE_TOKEN_SECONDS, issueConsoleRolloutToken } from '../local/console-user.ts';
import {
  buildLocalConsole,
  LOCAL_CONSOLE_PORT,
  startLocalConsole,
  type LocalConsole,
} from '../local/console-server.ts';

/**
 * How often a local node's update_engine checks in: every 30 s (±5), the first 10 s after boot, where a real one
 * waits 7 minutes and then 45, so that a promotion reaches a local cluster within a minute.
 */
export const LOCAL_UPDATE_CHECKS = { firstCheckDelayMs: 10_000, checkIntervalMs: 30_000, checkFuzzMs: 10_000 } as const;

interface UpOptions {
  readonly config?: string;
  readonly dir?: string;
  readonly workers?: string;
  readonly json?: boolean;
  /** false with --no-console. */
  readonly console: boolean;
  readonly consolePort?: string;
}

function parseConsolePort(text: string | undefined): number {
  if (text === undefined) return LOCAL_CONSOLE_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    process.stderr.write(`--console-port must be a port from 1 to 65535, got "${text}"\n`);
    process.exit(2);
  }
  return port;
}

function parseWorkers(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const workers = Number(text);
  if (!Number.isInteger(workers) || workers < 0 || workers > 5000) {
    process.stderr.write(`--workers must be a whole number from 0 to 5000, got "${text}"\n`);
    process.exit(2);
  }
  return workers;
}

export function upCommand(): Command {
  return new Command('up')
    .description('bring up a local cluster on this machine: the rendered control plane plus simulated Flatcar nodes')
    .option('-c, --config <file>', 'a cluster.yaml with platform: local (default: 1 controller, 2 workers)')
    .option('-d, --dir <dir>', 'the cluster directory (default: $XDG_DATA_HOME/strata/clusters/<name>)')
    .option('--workers <n>', 'number of workers when no --config is given')
    .option('--json', 'print one JSON line with the kubeconfig, the console URL and nodes once the cluster is ready')
    .option('--console-port <port>', `the web console's port on 127.0.0.1 (default ${LOCAL_CONSOLE_PORT})`)
    .option('--no-console', 'do not serve the web console')
    .addHelpText(
      'after',
      `
Stays in the foreground. Ctrl-C, or \`strata down\` from another terminal, stops
everything. Running \`strata up\` again on the same directory reuses its keys.`,
    )
    .action(async (options: UpOptions) => {
      const say = (line: string) => {
        if (!options.json) process.stderr.write(`${line}\n`);
      };
      let config: ClusterConfig;
      try {
        config =
          options.config === undefined
            ? defaultLocalConfig({
                ...(options.workers === undefined ? {} : { workers: parseWorkers(options.workers) }),
              })
            : await loadClusterConfig(options.config);
      } catch (error) {
        if (!(error instanceof ClusterConfigError)) throw error;
        printError(error);
        process.exit(1);
      }
      const consolePort = parseConsolePort(options.consolePort);
      const directory = new ClusterDirectory(options.dir ?? defaultClusterDir(config.name));
      let cluster: LocalCluster | undefined;
      let webConsole: LocalConsole | undefined;
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        say(`\n${signal}: stopping the cluster …`);
        await webConsole?.stop();
        await cluster?.stop();
        say('stopped; no process is left running.');
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
      // `strata update offer` writes an offer into the directory and signals this process: it reaches the nodes that
      // ask no update server (Fedora CoreOS); Flatcar nodes ask the cluster's, so it only has them check at once.
      process.on(UPDATE_OFFER_SIGNAL, () => {
        if (cluster === undefined) {
          process.stderr.write(
            'an update was offered before the cluster was up: offer it again once strata up says the cluster is up\n',
          );
          return;
        }
        const running = cluster;
        void readUpdateOffer(directory.path)
          .then((offer) => applyUpdateOffer(running, offer).then((applied) => ({ offer, applied })))
          .then(({ offer, applied }) => {
            say(
              `update ${offer.version} offered${offer.group === undefined ? '' : ` to group ${offer.group}`}: ${applied.checking.length} node(s) checking now${applied.down.length === 0 ? '' : `, ${applied.down.length} down (they check once back)`}`,
            );
          })
          .catch((error: unknown) => {
            process.stderr.write(
              `cannot offer the update: ${error instanceof Error ? error.message : String(error)}\n`,
            );
          });
      });
      try {
        const started = performance.now();
        // The update agents run in this process, one per simulated node; their logs go beside the components'.
        mkdirSync(directory.logsDir, { recursive: true });
        const agentLog = pino.destination({ dest: join(directory.logsDir, 'update-agents.log'), append: true });
        // Opened before anything can fail: a process.exit while the file is still opening throws from its exit hook.
        await once(agentLog, 'ready');
        // The cluster's own console (console.enabled, ADR 0070) runs as a process pod serving this checkout's build:
        // built first, so that the pod starts with it rather than crash-looping until it exists.
        const inClusterConsole = consoleDeployed(config);
        if (inClusterConsole) {
          say("  the cluster's web console: building it if its sources changed");
          await buildLocalConsole((line) => say(`    ${line}`));
        }
        const components = await localPlatformComponents({ agentLogger: pino(agentLog), console: inClusterConsole });
        cluster = await upLocalCluster({
          config,
          directory,
          progress: (message) => say(`  ${message}`),
          images: components.images,
          nodeRuntimes: components.nodeRuntimes,
          // Flatcar nodes ask the cluster's own update server, as their rendered update.conf says (ADR 0055).
          updateSource: 'update-conf',
          os: { timings: LOCAL_UPDATE_CHECKS },
        });
        // The console's first user: it may watch a rollout and pause it, nothing more (ADR 0058). The token goes to a
        // private file rather than the terminal's scrollback.
        const consoleTokenPath = join(directory.path, CONSOLE_TOKEN_FILE);
        await writeFileAtomic(
          consoleTokenPath,
          `${await issueConsoleRolloutToken(cluster.adminKubeConfig())}\n`,
          SECRET_FILE_MODE,
        );
        if (options.console) {
          say('  the web console: building it if its sources changed, then serving it');
          webConsole = await startLocalConsole({
            clusterDir: directory.path,
            assetsDir: directory.assetsDir,
            kubeconfigPath: directory.kubeconfigPath,
            logsDir: directory.logsDir,
            port: consolePort,
            // Flatcar nodes' update server (ADR 0055): the console's update server pages ask it as the user.
            ...(config.os.name === 'flatcar' ? { updateServerUrl: clusterUpdateServerUrl(cluster.topology) } : {}),
            progress: (line) => say(`    ${line}`),
          });
        }
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        if (options.json) {
          process.stdout.write(
            `${JSON.stringify({
              name: config.name,
              dir: directory.path,
              kubeconfig: directory.kubeconfigPath,
              ...(webConsole === undefined ? {} : { console: webConsole.url, consoleCa: webConsole.caFile }),
              ...(inClusterConsole ? { clusterConsole: clusterConsoleUrl(cluster.topology) } : {}),
              consoleToken: consoleTokenPath,
              server: cluster.server,
              nodes: cluster.nodeNames(),
            })}\n`,
          );
        } else {
          say(`\nCluster "${config.name}" is up in ${seconds}s: ${cluster.nodeNames().length} nodes Ready.`);
          say(`  kubeconfig:  ${directory.kubeconfigPath}`);
          if (webConsole === undefined) {
            say('  console:     not served (--no-console)');
          } else {
            say(`  console:     ${webConsole.url}  (its certificate is from the cluster CA, ${webConsole.caFile}:`);
            say('               trust that CA in the browser, or accept its warning for this address)');
          }
          if (inClusterConsole) {
            // The cluster's own console (ADR 0070) is what stays once the cluster is installed elsewhere; the same CA
            // and token open it. It is down while the first controller reboots, the supervised one is not.
            say(
              `  in cluster:  ${clusterConsoleUrl(cluster.topology)}  (the console's pod on the first controller, same CA and token)`,
            );
          }
          say(
            `  sign in:     with the token in ${consoleTokenPath} (${CONSOLE_TOKEN_SECONDS / 3600} h): it reads nodes and UpdatePolicies`,
          );
          say('               and may pause them, nothing more');
          say(`  try:         kubectl --kubeconfig ${directory.kubeconfigPath} get nodes -o wide`);
          say(`  API server:  ${cluster.server}`);
          say(`  logs:        ${directory.logsDir}`);
          say(
            `  OS updates:  strata update promote <version> --channel ${config.os.channel} --dir ${directory.path}, then`,
          );
          say(`               strata update status --dir ${directory.path}, or`);
          say(
            `               kubectl --kubeconfig ${directory.kubeconfigPath} get updategroups,updatepolicies,nodes -L ${LABELS.version} -w`,
          );
          say('Press Ctrl-C (or run `strata down`) to stop.');
        }
      } catch (error) {
        if (!(error instanceof StrataError)) throw error;
        printError(error);
        await webConsole?.stop();
        await cluster?.stop();
        process.exit(1);
      }
    });
}
