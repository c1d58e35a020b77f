// The payload of a simulated Container Linux release (the local platform's
// machines): bytes that depend on the version alone, so the process serving
// them, the asset renderer describing the nodes' release and the CLI
// publishing a new one agree on the digests without sharing any state.
import { createHash } from 'node:crypto';
import { StrataError } from '@strata/api';

/** The package name update_engine downloads (the URL's last segment), as Flatcar's releases name it. */
export const SIMULATED_PAYLOAD_PACKAGE = 'flatcar_production_update.gz';

/** The same versions the UpdateRelease CRD accepts (OS_VERSION_PATTERN), without a build suffix: a path segment. */
const VERSION = /^[0-9]{1,9}([.][0-9]{1,9}){0,3}$/;

export interface SimulatedPayload {
  readonly version: string;
  readonly bytes: Buffer;
  /** Lowercase hex, as an UpdateRelease carries them. */
  readonly sha256: string;
  readonly sha1: string;
  readonly size: number;
}

export class SimulatedPayloadError extends StrataError {}

export function isSimulatedPayloadVersion(version: string): boolean {
  return VERSION.test(version);
}

/** The payload of simulated Flatcar `version`. */
export function simulatedPayload(version: string): SimulatedPayload {
  if (!isSimulatedPayloadVersion(version))
    throw new SimulatedPayloadError(
      `version: must be dotted numbers such as 4230.2.4 to have a simulated payload, got ${JSON.stringify(version)}`,
      { field: 'version', version },
    );
  const bytes = Buffer.from(`Strata simulated Flatcar Container Linux ${version}: USR partition update payload\n`);
  return {
    version,
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    sha1: createHash('sha1').update(bytes).digest('hex'),
    size: bytes.length,
  };
}

/**
 * Where a simulated payload server whose base URL is `base` (ending in /) serves `version`:
 * `<base><version>/flatcar_production_update.gz`.
 */
export function simulatedPayloadUrl(base: string, version: string): string {
  if (!base.endsWith('/'))
    throw new SimulatedPayloadError(`the simulated payloads' base URL must end in /, got ${JSON.stringify(base)}`, {
      base,
    });
  return `${base}${version}/${SIMULATED_PAYLOAD_PACKAGE}`;
}

/** The version a request path under the base names, or undefined when it names no simulated payload. */
export function simulatedPayloadVersionOf(path: string): string | undefined {
  const match = /^\/([^/]+)\/([^/]+)$/.exec(path);
  if (match === null || match[2] !== SIMULATED_PAYLOAD_PACKAGE) return undefined;
  const version = match[1] ?? '';
  return isSimulatedPayloadVersion(version) ? version : undefined;
}

/** The spec of an UpdateRelease of simulated `version` served under `base`. */
export function simulatedReleaseSpec(
  base: string,
  version: string,
): { version: string; payloadUrl: string; sha256: string; sha1: string; size: number } {
  const payload = simulatedPayload(version);
  return {
    version,
    payloadUrl: simulatedPayloadUrl(base, version),
    sha256: payload.sha256,
    sha1: payload.sha1,
    size: payload.size,
  };
}
