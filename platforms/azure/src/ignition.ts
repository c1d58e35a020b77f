// What each machine boots with. Workers get their pool's Ignition as custom
// data. A controller's config holds the cluster's private keys, so it goes to
// a private blob that only the controller's managed identity may read, and the
// custom data holds a pointer to it (Ignition's config.replace, with the
// blob's sha512 so that nothing else can be swapped in).
import { createHash } from 'node:crypto';
import { assertValidIgnition, IGNITION_VERSION, ignitionConfigSchema, type IgnitionConfig } from '@strata/assets';
import { AzurePlatformError } from './errors.ts';

/** Azure refuses custom data longer than this many bytes before base64. */
export const CUSTOM_DATA_MAX_BYTES = 65_535;

/** The blob's URL as Ignition fetches it (with the machine's managed identity) in Azure's public cloud. */
export function blobUrl(account: string, container: string, blob: string): string {
  return `https://${account}.blob.core.windows.net/${container}/${blob}`;
}

export function sha512Hash(text: string): string {
  return `sha512-${createHash('sha512').update(text, 'utf8').digest('hex')}`;
}

/** The rendered Ignition of `target`, parsed enough to know it is an Ignition config. */
export function renderedIgnition(
  ignition: ReadonlyMap<string, string>,
  target: string,
): { text: string; config: IgnitionConfig } {
  const text = ignition.get(target);
  if (text === undefined) {
    throw new AzurePlatformError(`the render holds no Ignition config for ${target}`, { target });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AzurePlatformError(`the Ignition config of ${target} is not JSON`, { target }, { cause: error });
  }
  const parsed = ignitionConfigSchema.safeParse(json);
  if (!parsed.success) {
    throw new AzurePlatformError(`the Ignition config of ${target} is not an Ignition ${IGNITION_VERSION} config`, {
      target,
      issues: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    });
  }
  return { text, config: parsed.data };
}

/**
 * The pointer config a controller boots with: replace this config with the blob's, verified by its hash. The
 * full config's proxy settings come along, since Ignition needs them to reach the blob.
 */
export function pointerConfig(url: string, full: { text: string; config: IgnitionConfig }): string {
  const proxy = full.config.ignition.proxy;
  const pointer: IgnitionConfig = {
    ignition: {
      version: IGNITION_VERSION,
      config: { replace: { source: url, verification: { hash: sha512Hash(full.text) } } },
      ...(proxy === undefined ? {} : { proxy }),
    },
  };
  return JSON.stringify(assertValidIgnition(pointer));
}

/** `text` as custom data (base64), refusing what Azure would refuse. */
export function customData(text: string, target: string): string {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > CUSTOM_DATA_MAX_BYTES) {
    throw new AzurePlatformError(
      `the Ignition config of ${target} has ${bytes} bytes; Azure custom data holds at most ${CUSTOM_DATA_MAX_BYTES}`,
      { target, bytes, max: CUSTOM_DATA_MAX_BYTES },
    );
  }
  return Buffer.from(text, 'utf8').toString('base64');
}
