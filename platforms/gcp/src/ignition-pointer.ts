// The user data of a controller: an Ignition config that only points at the
// controller's full config (which holds the cluster's private keys) in a
// private Cloud Storage object, with its hash, so that instance metadata,
// readable by every process on the machine, holds no secret.
import { createHash } from 'node:crypto';
import { assertValidIgnition, IGNITION_VERSION } from '@strata/assets';

/** Ignition's "sha512-<hex>" of the config's bytes. */
export function ignitionHash(content: string): string {
  return `sha512-${createHash('sha512').update(content, 'utf8').digest('hex')}`;
}

export function gcsUrl(bucket: string, object: string): string {
  return `gs://${bucket}/${object}`;
}

/** A pointer config (JSON text) whose config is replaced by `content`, fetched from `source`. */
export function ignitionPointer(source: string, content: string): string {
  const pointer = assertValidIgnition({
    ignition: {
      version: IGNITION_VERSION,
      config: { replace: { source, verification: { hash: ignitionHash(content) } } },
    },
  });
  return JSON.stringify(pointer);
}
