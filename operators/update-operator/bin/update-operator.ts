#!/usr/bin/env node
// The update operator's one binary: `operator` (the Deployment's two replicas)
// and `agent` (the DaemonSet's pod on every node).
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { KubeConfig } from '@kubernetes/client-node';
import { parseDuration } from '@strata/api';
import { UPDATE_OPERATOR_NAMES, UPDATE_OPERATOR_NAMESPACE, UPDATE_OPERATOR_PORTS } from '@strata/assets';
import { loadKubeConfig, podServiceAccountDir } from '@strata/kube';
import { pino, type Logger } from 'pino';
import { runAgent, runOperator } from '../src/index.ts';
import { DbusOperatingSystem } from '../src/os/dbus-operating-system.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

function kubeConfigFrom(path: string | undefined): KubeConfig {
  return path === undefined
    ? loadKubeConfig({ serviceAccountDir: podServiceAccountDir() })
    : loadKubeConfig({ kubeconfigPath: path });
}

/** A Go-style duration flag (15s, 500ms) in milliseconds. */
function durationFlag(name: string): (text: string) => number {
  return (text) => {
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0)
      throw new InvalidArgumentError(`${name} must be a duration above zero such as 15s or 500ms`);
    return ms;
  };
}

/** Aborts on SIGTERM or SIGINT, so that the process winds down (and the operator hands its Lease over). */
function stopSignal(logger: Logger): AbortSignal {
  const controller = new AbortController();
  for (const name of ['SIGTERM', 'SIGINT'] as const) {
    process.once(name, () => {
      logger.info({ signal: name }, 'stopping');
      controller.abort(new Error(`received ${name}`));
    });
  }
  return controller.signal;
}

const logLevel = () => new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('info');

interface OperatorFlags {
  readonly kubeconfig?: string;
  readonly namespace: string;
  readonly leaseName: string;
  readonly identity: string;
  readonly nodeName?: string;
  readonly metricsAddress: string;
  readonly fleetlockAddress: string;
  readonly fleetlockCertFile?: string;
  readonly fleetlockKeyFile?: string;
  readonly leaderElectLeaseDuration?: number;
  readonly leaderElectRenewDeadline?: number;
  readonly leaderElectRetryPeriod?: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
}

const operatorCommand = new Command('operator')
  .description(
    'Run one replica of the update operator: leader election on a Lease, the rollout controller while leading, metrics, health and FleetLock.',
  )
  .option('--kubeconfig <path>', 'kubeconfig file (default: the in-cluster service account)')
  .option('--namespace <name>', 'namespace of the Lease', UPDATE_OPERATOR_NAMESPACE)
  .option('--lease-name <name>', 'name of the Lease the replicas elect their leader with', UPDATE_OPERATOR_NAMES.lease)
  .option(
    '--identity <name>',
    'this replica in the Lease, unique per replica; taken from $POD_NAME, else the host name',
    process.env['POD_NAME'] ?? hostname(),
  )
  .option(
    '--node-name <name>',
    'the Node this replica runs on, rebooted last while it leads; taken from $NODE_NAME',
    process.env['NODE_NAME'],
  )
  .option(
    '--metrics-address <host:port>',
    'where /metrics, /healthz and /readyz are served',
    `0.0.0.0:${UPDATE_OPERATOR_PORTS.metrics}`,
  )
  .option(
    '--fleetlock-address <host:port>',
    'where the FleetLock server listens',
    `0.0.0.0:${UPDATE_OPERATOR_PORTS.fleetLock}`,
  )
  .option(
    '--fleetlock-cert-file <path>',
    'serve FleetLock over HTTPS with this certificate (PEM); needs --fleetlock-key-file',
  )
  .option('--fleetlock-key-file <path>', 'the key of --fleetlock-cert-file (PEM)')
  .option(
    '--leader-elect-lease-duration <duration>',
    "how long a standby waits after the leader's last renewal before taking over, in whole seconds (default 15s)",
    durationFlag('--leader-elect-lease-duration'),
  )
  .option(
    '--leader-elect-renew-deadline <duration>',
    'how long the leader keeps trying to renew before it stops leading (default 10s)',
    durationFlag('--leader-elect-renew-deadline'),
  )
  .option(
    '--leader-elect-retry-period <duration>',
    'how often the replicas try to acquire or renew the Lease (default 2s)',
    durationFlag('--leader-elect-retry-period'),
  )
  .addOption(logLevel())
  .action(async (flags: OperatorFlags, command: Command) => {
    if ((flags.fleetlockCertFile === undefined) !== (flags.fleetlockKeyFile === undefined)) {
      command.error(
        '--fleetlock-cert-file and --fleetlock-key-file go together: give both for HTTPS, or neither for HTTP',
        { exitCode: 2 },
      );
    }
    const leaseMs = flags.leaderElectLeaseDuration;
    if (leaseMs !== undefined && leaseMs % 1000 !== 0)
      command.error('--leader-elect-lease-duration must be whole seconds (a Lease counts in seconds), e.g. 4s', {
        exitCode: 2,
      });
    const logger = pino({ level: flags.logLevel }).child({ identity: flags.identity });
    const tls =
      flags.fleetlockCertFile === undefined || flags.fleetlockKeyFile === undefined
        ? undefined
        : {
            certPem: await readFile(flags.fleetlockCertFile, 'utf8'),
            keyPem: await readFile(flags.fleetlockKeyFile, 'utf8'),
          };
    await runOperator({
      kubeConfig: kubeConfigFrom(flags.kubeconfig),
      namespace: flags.namespace,
      identity: flags.identity,
      ...(flags.nodeName === undefined || flags.nodeName === '' ? {} : { nodeName: flags.nodeName }),
      leaseName: flags.leaseName,
      metricsAddress: flags.metricsAddress,
      fleetLockAddress: flags.fleetlockAddress,
      ...(tls === undefined ? {} : { fleetLockTls: tls }),
      ...(leaseMs === undefined ? {} : { leaseDurationSeconds: leaseMs / 1000 }),
      ...(flags.leaderElectRenewDeadline === undefined ? {} : { renewDeadlineMs: flags.leaderElectRenewDeadline }),
      ...(flags.leaderElectRetryPeriod === undefined ? {} : { retryPeriodMs: flags.leaderElectRetryPeriod }),
      logger,
      signal: stopSignal(logger),
    });
  });

interface AgentFlags {
  readonly kubeconfig?: string;
  readonly nodeName?: string;
  readonly os: 'dbus' | 'simulated';
  readonly hostRoot: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
}

const agentCommand = new Command('agent')
  .description(
    "Run the update agent of one node: report update_engine's status on the Node, and drain and reboot when the operator allows.",
  )
  .option('--kubeconfig <path>', 'kubeconfig file (default: the in-cluster service account)')
  .option('--node-name <name>', 'the Node this agent runs on; taken from $NODE_NAME', process.env['NODE_NAME'])
  .addOption(
    new Option(
      '--os <kind>',
      "how the agent reaches the OS: dbus (update_engine and logind on the host's system bus) or simulated",
    )
      .choices(['dbus', 'simulated'])
      .default('dbus'),
  )
  .option(
    '--host-root <dir>',
    "where the host's filesystem (os-release, boot id) is visible; taken from $HOST_ROOT, which the DaemonSet sets",
    process.env['HOST_ROOT'] ?? '/',
  )
  .addOption(logLevel())
  .action(async (flags: AgentFlags, command: Command) => {
    if (flags.nodeName === undefined || flags.nodeName === '')
      command.error('--node-name (or $NODE_NAME) is required: the DaemonSet sets NODE_NAME from spec.nodeName', {
        exitCode: 2,
      });
    if (flags.os === 'simulated') {
      command.error(
        "--os simulated: the simulated OS lives inside the local platform's process and cannot be reached from a separate one; " +
          'run the agent in that process instead: runAgent({ kubeConfig, nodeName, os: cluster.operatingSystem(nodeName), signal }) from @strata/update-operator',
        { exitCode: 2 },
      );
    }
    const logger = pino({ level: flags.logLevel }).child({ node: flags.nodeName });
    const stop = stopSignal(logger);
    // A lost system bus leaves the agent deaf and unable to reboot: stop, and let the kubelet restart the container.
    const lost = new AbortController();
    let busError: Error | undefined;
    const os = await DbusOperatingSystem.connect({
      root: flags.hostRoot,
      onDisconnect: (error) => {
        busError = error;
        logger.error({ err: error }, 'lost the system bus; stopping');
        lost.abort(error);
      },
    });
    try {
      await runAgent({
        kubeConfig: kubeConfigFrom(flags.kubeconfig),
        nodeName: flags.nodeName ?? '',
        os,
        logger,
        signal: AbortSignal.any([stop, lost.signal]),
      });
    } finally {
      await os.close();
    }
    if (busError !== undefined) process.exit(1);
  });

const program = new Command()
  .name('update-operator')
  .description("Strata's update operator: coordinated OS updates and reboots within a budget.")
  .showHelpAfterError('(run `update-operator --help` for usage)');
program.exitOverride((error) => {
  process.exit(error.exitCode === 0 ? 0 : 2);
});
for (const command of [operatorCommand, agentCommand]) program.addCommand(command.copyInheritedSettings(program));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  pino().fatal({ err: error }, 'update-operator failed');
  process.exit(1);
}
