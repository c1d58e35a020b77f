import { z } from 'zod';
import { parseInput } from './errors.ts';
import { compareVersions, versionSchema } from './version.ts';

/** What update_engine tells the update server about the machine when it checks. */
export interface UpdateCheckRequest {
  readonly currentVersion: string;
  /** The update group (Flatcar) or stream (Fedora CoreOS). */
  readonly group: string;
  /** /etc/machine-id, so that a server can roll an update out to a fraction of machines. */
  readonly machineId: string;
  /** Changes at every boot; an Omaha client sends it as `bootid`. */
  readonly bootId?: string;
  /** How the last boot went, until a check has carried it to the server (then undefined). */
  readonly lastBoot?: BootOutcome;
}

/**
 * What the boot after an update found: the new slot came up (`updated`, and
 * update_engine's next check says so with `previousversion`), or it did not
 * and the bootloader fell back to the old slot (`rolled-back`: error 44).
 */
export type BootOutcome =
  | { readonly kind: 'updated'; readonly previousVersion: string }
  | { readonly kind: 'rolled-back'; readonly failedVersion: string };

/** Where the payload of an offer is and what it must hash to. */
export interface PayloadLocation {
  readonly url: string;
  /** Standard base64, as Omaha's postinstall action carries it. */
  readonly sha256Base64: string;
}

export interface UpdateOffer {
  readonly version: string;
  /** Payload size in bytes, reported as newSize. */
  readonly size: number;
  /** Set by a source that serves real payloads; without it the download is simulated by timers. */
  readonly payload?: PayloadLocation;
}

/** An event update_engine reports to its server as it goes (Omaha event types and results). */
export interface UpdateProgressEvent {
  readonly type: number;
  readonly result: number;
  /** Base code and flags (`errorCodeWithFlags`), on error events only. */
  readonly errorCode?: number;
}

/**
 * Where a machine's updates come from. An Omaha client (Nebraska, or Flatcar's
 * public update server) implements `check` by POSTing an Omaha request with
 * track = group, version = currentVersion and machineid = machineId, and
 * answering the manifest's version and package size when the response says
 * status="ok", undefined when it says "noupdate".
 */
export interface UpdateSource {
  /** Undefined means no update for this machine. */
  check(request: UpdateCheckRequest): Promise<UpdateOffer | undefined>;
  /** Reports an event between checks (download started and finished, installed, failed). */
  report?(request: UpdateCheckRequest, event: UpdateProgressEvent): Promise<void>;
  /**
   * Fetches and verifies an offer's payload; rejects with a `PayloadError`
   * carrying update_engine's error code. Only for offers with a `payload`.
   */
  download?(offer: UpdateOffer & { readonly payload: PayloadLocation }): Promise<void>;
}

/** About the size of a Flatcar update payload. */
export const DEFAULT_UPDATE_SIZE = 300 * 1024 * 1024;

const offerSchema = z.object({
  group: z.string().min(1).optional(),
  version: versionSchema,
  size: z.number().int().nonnegative().default(DEFAULT_UPDATE_SIZE),
});

export type ManualOffer = z.input<typeof offerSchema>;

/**
 * An update server that a test or the local platform's operator sets by hand:
 * "version X is available", to every group or to one. Like an Omaha server it
 * only offers a version newer than the one the machine runs.
 */
export class ManualUpdateSource implements UpdateSource {
  #allGroups: UpdateOffer | undefined;
  readonly #byGroup = new Map<string, UpdateOffer>();

  /** Offers `version`; an offer to one group takes precedence over an offer to all for that group. */
  offer(offer: ManualOffer): void {
    const { group, version, size } = parseInput(offerSchema, offer, 'update offer');
    if (group === undefined) {
      this.#allGroups = { version, size };
    } else {
      this.#byGroup.set(group, { version, size });
    }
  }

  /** Withdraws the offer to `group` (the group then sees the offer to all, if any), or without a group every offer. */
  withdraw(group?: string): void {
    if (group === undefined) {
      this.#allGroups = undefined;
      this.#byGroup.clear();
    } else {
      this.#byGroup.delete(group);
    }
  }

  check(request: UpdateCheckRequest): Promise<UpdateOffer | undefined> {
    const offer = this.#byGroup.get(request.group) ?? this.#allGroups;
    const newer = offer !== undefined && compareVersions(offer.version, request.currentVersion) > 0;
    return Promise.resolve(newer ? offer : undefined);
  }
}
