#!/usr/bin/env node
// The update server's binary: `run` is one replica of the Deployment.
import { hostname } from 'node:os';
import { Command } from 'commander';
import { pino } from 'pino';
import { DATABASE_URL_VARIABLE, LOG_LEVELS, parseRunFlags, runUpdateServer, type RunFlags } from '../src/index.ts';

const program = new Command('update-server').description(
  'The Omaha server Flatcar machines ask for updates, and its JSON API.',
);

program
  .command('run')
  .description(`one replica; PostgreSQL when ${DATABASE_URL_VARIABLE} is set (from a Secret), SQLite otherwise`)
  .option('--kubeconfig <path>', "a kubeconfig; the pod's service account when absent")
  .option('--identity <name>', 'this replica in the Lease', process.env['POD_NAME'] ?? hostname())
  .option('--lease-namespace <name>', 'namespace of the Lease', process.env['POD_NAMESPACE'] ?? 'strata-system')
  .option('--host <address>', 'address to listen on', '0.0.0.0')
  .option('--port <port>', 'port of the Omaha endpoint and the JSON API', '8443')
  .option('--tls-cert-file <path>', 'serving certificate (PEM); plain HTTP without it')
  .option('--tls-key-file <path>', 'its private key (PEM)')
  .option('--sqlite-path <path>', 'the SQLite database', '/var/lib/strata-update-server/updates.db')
  .option('--history-retention-seconds <seconds>', 'history older than this is pruned', String(90 * 86400))
  .option('--log-level <level>', `one of ${LOG_LEVELS.join(', ')}`, 'info')
  .action(async (raw: unknown) => {
    let flags: RunFlags;
    try {
      flags = parseRunFlags(raw);
    } catch (error) {
      // A usage error: the message names the flag; a stack would only hide it.
      return program.error(`update-server: ${error instanceof Error ? error.message : String(error)}`, {
        exitCode: 2,
      });
    }
    const logger = pino({ level: flags.logLevel }).child({ identity: flags.identity });
    const stop = new AbortController();
    for (const name of ['SIGTERM', 'SIGINT'] as const)
      process.once(name, () => {
        logger.info({ signal: name }, 'stopping');
        stop.abort(new Error(`received ${name}`));
      });
    await runUpdateServer({ flags, environment: process.env, logger, signal: stop.signal });
  });

await program.parseAsync();
