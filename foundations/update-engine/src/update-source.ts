// What an update engine asks of the place its updates come from, and what it tells it.
import type { Writable } from 'node:stream';

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
   * Fetches and verifies an offer's payload (its size and sha256); rejects with an `UpdateFailedError` carrying
   * update_engine's error code. Only for offers with a `payload`.
   */
  download?(offer: UpdateOffer & { readonly payload: PayloadLocation }, options?: PayloadDownload): Promise<void>;
}

/** Where a downloaded payload goes and who hears how far it got. */
export interface PayloadDownload {
  /**
   * Receives the payload's bytes as they arrive, and is ended when the last one has (destroyed if the transfer
   * fails); the size and digest are checked only at the end, so the caller keeps what it wrote unused until the
   * download resolves. Without it the bytes are only counted and hashed.
   */
  readonly destination?: Writable;
  /** Called as bytes arrive, with the bytes so far; at most about every percent. */
  readonly onProgress?: (receivedBytes: number) => void;
  /** Aborts the transfer; the download then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}
