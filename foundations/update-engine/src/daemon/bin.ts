// `strata-update-engine`: the node image's update_engine, run by its systemd unit (Type=dbus).
import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { DEFAULT_SYSTEM_BUS_ADDRESS } from '@strata/api';
import { USR_UPDATE_TOOL_PATH } from './slot-status.ts';
import { DEFAULT_STATE_DIR, startNodeUpdateEngine } from './node-daemon.ts';

function milliseconds(value: string): number {
  if (!/^[0-9]{1,10}$/.test(value)) throw new InvalidArgumentError('must be a whole number of milliseconds');
  return Number(value);
}

const program = new Command('strata-update-engine')
  .description(
    "Strata node image's update_engine: checks the update server named in /etc/flatcar/update.conf (Omaha), writes an " +
      'offered /usr into the passive slot with strata-usr-update, and serves com.coreos.update1 on the system bus.',
  )
  .option(
    '--bus-address <address>',
    'the system bus',
    process.env['DBUS_SYSTEM_BUS_ADDRESS'] ?? DEFAULT_SYSTEM_BUS_ADDRESS,
  )
  .option('--root <dir>', "the machine's root (update.conf, machine-id, os-release, boot id)", '/')
  .option('--tool <path>', 'strata-usr-update', USR_UPDATE_TOOL_PATH)
  .option('--state-dir <dir>', 'where the staged update is recorded across the reboot', DEFAULT_STATE_DIR)
  .option('--first-check-delay-ms <ms>', 'from start to the first periodic check (default 7 minutes)', milliseconds)
  .option('--check-interval-ms <ms>', 'between periodic checks (default 45 minutes)', milliseconds)
  .option('--log-level <level>', 'pino level', 'info')
  .showHelpAfterError()
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));

program.parse();
const flags = program.opts<{
  busAddress: string;
  root: string;
  tool: string;
  stateDir: string;
  firstCheckDelayMs?: number;
  checkIntervalMs?: number;
  logLevel: string;
}>();
const logger = pino({ level: flags.logLevel, base: undefined });
try {
  const daemon = await startNodeUpdateEngine({
    busAddress: flags.busAddress,
    logger,
    root: flags.root,
    tool: flags.tool,
    stateDir: flags.stateDir,
    timings: {
      ...(flags.firstCheckDelayMs === undefined ? {} : { firstCheckDelayMs: flags.firstCheckDelayMs }),
      ...(flags.checkIntervalMs === undefined ? {} : { checkIntervalMs: flags.checkIntervalMs }),
    },
  });
  const stop = () => {
    daemon.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'update_engine did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  logger.fatal({ err: error }, 'update_engine cannot start');
  process.exit(1);
}
