// update_engine on Strata's node image: reads the machine's identity and update.conf, asks the /usr slots how this
// boot went, checks with the update server (Omaha), writes offered updates into the passive slot, and serves its
// status on the system bus for the update agent.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { HOST_FILES, parseEnvironmentFile } from '@strata/api';
import { ERROR_CODE } from '@strata/omaha';
import { InvalidOsInputError, UpdateFailedError } from '../errors.ts';
import { OmahaUpdateSource } from '../omaha-update-source.ts';
import { StagedUpdateEngine, type CheckTimings } from '../staged-update-engine.ts';
import { machineTrustStore } from '../trust-store.ts';
import { readUpdateConf, UPDATE_CONF_PATH } from '../update-conf.ts';
import type { BootOutcome, UpdateSource } from '../update-source.ts';
import { exportUpdateEngine } from './dbus-service.ts';
import { readSlotStatus, USR_UPDATE_TOOL_PATH } from './slot-status.ts';
import { bootOutcome, forgetStagedRecord, readStagedRecord, writeStagedRecord } from './staged-record.ts';
import { usrSlotStages } from './usr-slot-stages.ts';

export interface NodeUpdateEngineOptions {
  readonly busAddress: string;
  readonly logger: Logger;
  /** The machine's root; `/` on a node. */
  readonly root?: string;
  readonly tool?: string;
  /** Where the staged update's record lives across the reboot. */
  readonly stateDir?: string;
  readonly timings?: Partial<CheckTimings>;
}

export interface NodeUpdateEngine {
  readonly engine: StagedUpdateEngine;
  close(): Promise<void>;
}

export const DEFAULT_STATE_DIR = '/var/lib/strata-update-engine';
/** Above a /usr slot (1,536 MiB): the slot's own size is checked by the tool. */
const MAX_PAYLOAD_BYTES = 2 * 1024 * 1024 * 1024;

async function firstLine(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    throw new InvalidOsInputError(`cannot read ${path}`, { path }, { cause: error });
  }
}

/** VERSION_ID of the machine's os-release. */
async function osReleaseVersion(root: string): Promise<string> {
  const path = join(root, HOST_FILES.osRelease);
  const version = parseEnvironmentFile(await firstLine(path))['VERSION_ID'];
  if (version === undefined || version === '') throw new InvalidOsInputError(`${path} has no VERSION_ID`, { path });
  return version;
}

/** Without SERVER= the machine has nowhere to ask: a check fails, saying so, and periodic checks are off. */
function noServer(path: string): UpdateSource {
  return {
    check: () =>
      Promise.reject(
        new UpdateFailedError(ERROR_CODE.omahaRequestError, `${path} names no update server (SERVER=)`, { path }),
      ),
  };
}

export async function startNodeUpdateEngine(options: NodeUpdateEngineOptions): Promise<NodeUpdateEngine> {
  const root = options.root ?? '/';
  const tool = options.tool ?? USR_UPDATE_TOOL_PATH;
  const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
  const log = options.logger;
  const conf = await readUpdateConf(root);
  const confPath = join(root, UPDATE_CONF_PATH);
  const machineId = await firstLine(join(root, 'etc/machine-id'));
  const bootId = await firstLine(join(root, HOST_FILES.bootId));
  const group = conf.group ?? 'stable';

  // A machine booted over the network (no slots) still reports its version and status; its updates fail at the
  // write, saying why, and its server hears that.
  let currentVersion: string;
  let lastBoot: BootOutcome | undefined;
  try {
    const status = await readSlotStatus(tool);
    currentVersion = status.version;
    lastBoot = bootOutcome(await readStagedRecord(stateDir), status);
    log.info({ slots: status, lastBoot }, 'this boot');
  } catch (error) {
    currentVersion = await osReleaseVersion(root);
    log.warn({ err: error }, 'the /usr slots cannot be read: updates will fail until the machine boots from its disk');
  }

  const source =
    conf.server === undefined
      ? noServer(confPath)
      : new OmahaUpdateSource({
          server: conf.server,
          ca: await machineTrustStore(root),
          oem: 'strata-node-image',
          maxPayloadBytes: MAX_PAYLOAD_BYTES,
        });
  const engine = new StagedUpdateEngine({
    source,
    machine: () => ({ currentVersion, group, machineId, bootId }),
    stages: usrSlotStages({
      source,
      tool,
      onStaged: (offer) => writeStagedRecord(stateDir, { version: offer.version, previousVersion: currentVersion }),
    }),
    timings: conf.server === undefined ? { ...options.timings, firstCheckDelayMs: Infinity } : (options.timings ?? {}),
    onProblem: (problem) => log.warn({ err: problem }, problem.message),
    onLastBootReported: (outcome) => {
      log.info({ outcome }, 'the update server heard how the last update booted');
      forgetStagedRecord(stateDir).catch((error: unknown) =>
        log.error({ err: error }, 'cannot remove the staged update record'),
      );
    },
  });
  engine.onStatusUpdate((status) => {
    if (status.currentOperation === 'UPDATE_STATUS_REPORTING_ERROR_EVENT')
      log.error({ status, failure: engine.lastFailure() }, status.currentOperation);
    else log.info({ status }, status.currentOperation);
  });
  const exported = await exportUpdateEngine(engine, options.busAddress);
  engine.start(lastBoot);
  log.info({ server: conf.server ?? null, group, version: currentVersion }, 'update_engine is running');
  return {
    engine,
    async close() {
      engine.stop();
      await exported.close();
    },
  };
}
