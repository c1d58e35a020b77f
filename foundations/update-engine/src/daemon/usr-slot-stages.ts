// An offered update's payload on Strata's node image, in update_engine's three statuses: DOWNLOADING streams it from
// the update server straight into the passive /usr slot (`strata-usr-update write`, so no copy lands on the root),
// VERIFYING reads the slot back against the announced sha256 and arms its boot entry with one try
// (`strata-usr-update commit`, which also refuses a /usr of another version than the one offered), FINALIZING checks
// that the bootloader will try exactly that version next and records what was staged, for the next boot's report.
import { PassThrough } from 'node:stream';
import { ERROR_CODE } from '@strata/omaha';
import { runCommand, type CommandResult } from '@strata/host';
import { UpdateFailedError } from '../errors.ts';
import type { PayloadStages } from '../staged-update-engine.ts';
import type { UpdateOffer, UpdateSource } from '../update-source.ts';
import { passiveSlot, readSlotStatus, USR_UPDATE_TOOL_PATH } from './slot-status.ts';

export interface UsrSlotStagesOptions {
  /** Must download payloads (an Omaha server's offers carry them). */
  readonly source: UpdateSource;
  readonly tool?: string;
  /** Called once an update is armed, before UPDATED_NEED_REBOOT: the daemon records it for the next boot. */
  readonly onStaged: (offer: UpdateOffer) => Promise<void>;
}

const noPayload = (offer: UpdateOffer) =>
  new UpdateFailedError(ERROR_CODE.omahaResponseInvalid, `the offer of ${offer.version} names no payload`, {
    version: offer.version,
  });

/** The offer's sha256 as the tool takes it: lowercase hex. */
function hexDigest(offer: UpdateOffer): string {
  if (offer.payload === undefined) throw noPayload(offer);
  return Buffer.from(offer.payload.sha256Base64, 'base64').toString('hex');
}

export function usrSlotStages(options: UsrSlotStagesOptions): PayloadStages {
  const tool = options.tool ?? USR_UPDATE_TOOL_PATH;
  const { source } = options;
  return {
    async download(offer, { progress, signal }) {
      const { payload } = offer;
      if (payload === undefined) throw noPayload(offer);
      if (source.download === undefined)
        throw new UpdateFailedError(ERROR_CODE.omahaResponseInvalid, `the update source cannot download payloads`, {
          version: offer.version,
        });
      const feed = new PassThrough();
      const writeFailure = (result: CommandResult) =>
        new UpdateFailedError(
          ERROR_CODE.downloadWrite,
          `${tool} write exited with ${result.code ?? 'a signal'}: ${result.stderr.trim()}`,
          { version: offer.version, tool },
        );
      // Stops the writer when the transfer fails (a slot written short is never committed), and the transfer when
      // the writer gives up first (its reason is the one to report).
      const writer = new AbortController();
      const transfer = new AbortController();
      let refused: CommandResult | undefined;
      const writing = runCommand(tool, ['write', String(offer.size)], {
        input: feed,
        signal: AbortSignal.any([signal, writer.signal]),
      }).then((result) => {
        if (result.code !== 0) {
          refused = result;
          transfer.abort(writeFailure(result));
        }
        return result;
      });
      try {
        await source.download(
          { ...offer, payload },
          {
            destination: feed,
            signal: AbortSignal.any([signal, transfer.signal]),
            onProgress: (bytes) => progress(bytes / offer.size),
          },
        );
      } catch (error) {
        if (refused !== undefined) throw writeFailure(refused);
        writer.abort();
        // The writer's own end is the abort just made; the transfer's failure is the one to report.
        await writing.then(
          () => undefined,
          () => undefined,
        );
        throw error;
      }
      const written = await writing;
      if (written.code !== 0) throw writeFailure(written);
      return true;
    },
    async verify(offer, { signal }) {
      const committed = await runCommand(tool, ['commit', hexDigest(offer), String(offer.size), offer.version], {
        signal,
      });
      if (committed.code !== 0)
        throw new UpdateFailedError(
          ERROR_CODE.newRootfsVerification,
          `${tool} commit exited with ${committed.code}: ${committed.stderr.trim()}`,
          { version: offer.version, tool },
        );
      return true;
    },
    async finalize(offer, { signal }) {
      const status = await readSlotStatus(tool, signal);
      const slot = status.slots[passiveSlot(status)];
      if (slot.state !== 'pending' || slot.version !== offer.version)
        throw new UpdateFailedError(
          ERROR_CODE.postinstallRunner,
          `slot ${passiveSlot(status).toUpperCase()} is ${slot.state} with ${slot.version || 'no version'} after the install, not pending with ${offer.version}`,
          { version: offer.version, slot },
        );
      await options.onStaged(offer);
      return true;
    },
  };
}
