// systemd's application-specific ids (sd_id128_get_app_specific(3)): HMAC-SHA256
// keyed with the 16 bytes of the base id (the machine id) over the 16 bytes of the
// application id, truncated to 16 bytes and stamped as a random (v4, RFC 4122
// variant) UUID. Zincati sends exactly this, for its own app id and
// /etc/machine-id, as its FleetLock client id; computing it from each node's
// nodeInfo.machineID is how a FleetLock request finds its Kubernetes node.
import { createHmac } from 'node:crypto';
import { StrataError } from '@strata/api';
import { ZINCATI_APP_ID } from './protocol.ts';

export class InvalidId128Error extends StrataError {}

const ID128 = /^[0-9a-f]{32}$/;

/** Parses a 128-bit id written as 32 hex digits, with or without UUID dashes, in either case. */
export function parseId128(text: string, what: string): Buffer {
  const hex = text.replaceAll('-', '').toLowerCase();
  if (!ID128.test(hex)) {
    throw new InvalidId128Error(
      `${what} must be 32 hexadecimal digits (optionally with UUID dashes), got ${JSON.stringify(text)}`,
      { what, value: text },
    );
  }
  return Buffer.from(hex, 'hex');
}

/** The app-specific id of `baseId` for `appId`, as 32 lower-case hex digits (systemd's and Zincati's format). */
export function appSpecificId(baseId: string, appId: string): string {
  const digest = createHmac('sha256', parseId128(baseId, 'the machine id'))
    .update(parseId128(appId, 'the application id'))
    .digest()
    .subarray(0, 16);
  // Version 4 in the high nibble of byte 6, variant 10xx in byte 8, as systemd's id128_make_v4_uuid.
  digest[6] = ((digest[6] ?? 0) & 0x0f) | 0x40;
  digest[8] = ((digest[8] ?? 0) & 0x3f) | 0x80;
  return digest.toString('hex');
}

/** The FleetLock client id Zincati uses on a machine with this machine id. */
export function zincatiClientId(machineId: string): string {
  return appSpecificId(machineId, ZINCATI_APP_ID);
}

/** A client id as sent, normalised for comparison with computed ids; undefined when it is not a 128-bit id. */
export function normaliseClientId(id: string): string | undefined {
  const hex = id.replaceAll('-', '').toLowerCase();
  return ID128.test(hex) ? hex : undefined;
}
