#!/usr/bin/env node
// The join approver's binary, as the static pod on every controller runs it.
import { hostname } from 'node:os';
import { Command, Option } from 'commander';
import { JOIN_APPROVER_NAMES } from '@strata/assets';
import { loadKubeConfig } from '@strata/kube';
import { pino } from 'pino';
import { runJoinApprover } from '../src/index.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

interface Flags {
  readonly kubeconfig: string;
  readonly controllers: string;
  readonly identity: string;
  readonly namespace: string;
  readonly leaseName: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
}

const program = new Command('join-approver')
  .description(
    "Approve a kubelet's first client certificate only for the machine its bootstrap token was issued for; deny every other.",
  )
  .requiredOption('--kubeconfig <path>', "the approver's kubeconfig (a client certificate of the cluster CA)")
  .requiredOption('--controllers <names>', "the cluster's controllers, comma-separated: no pool token may name one")
  .option('--identity <name>', 'this replica in the Lease, unique per replica', hostname())
  .option('--namespace <name>', 'namespace of the Lease', JOIN_APPROVER_NAMES.namespace)
  .option('--lease-name <name>', 'name of the Lease the replicas elect their leader with', JOIN_APPROVER_NAMES.lease)
  .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('info'))
  .action(async (flags: Flags) => {
    const logger = pino({ level: flags.logLevel }).child({ identity: flags.identity });
    const stop = new AbortController();
    for (const name of ['SIGTERM', 'SIGINT'] as const) {
      process.once(name, () => {
        logger.info({ signal: name }, 'stopping');
        stop.abort(new Error(`received ${name}`));
      });
    }
    await runJoinApprover({
      kubeConfig: loadKubeConfig({ kubeconfigPath: flags.kubeconfig }),
      controllers: flags.controllers.split(',').filter((name) => name !== ''),
      identity: flags.identity,
      namespace: flags.namespace,
      leaseName: flags.leaseName,
      logger,
      signal: stop.signal,
    });
  });

await program.parseAsync();
