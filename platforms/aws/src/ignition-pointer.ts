// What a controller's user data holds instead of its config: an Ignition
// config that replaces itself with the private S3 object, checked against the
// object's SHA-512 so that a changed object is refused rather than applied.
import { createHash } from 'node:crypto';
import { IGNITION_VERSION } from '@strata/assets';

export function s3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** Ignition's verification hash form: `sha512-<hex>`. */
export function sha512Verification(content: string): string {
  return `sha512-${createHash('sha512').update(content).digest('hex')}`;
}

export function ignitionPointer(source: string, content: string): string {
  return JSON.stringify({
    ignition: {
      version: IGNITION_VERSION,
      config: { replace: { source, verification: { hash: sha512Verification(content) } } },
    },
  });
}
