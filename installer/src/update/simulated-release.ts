// A local cluster's releases for `strata update promote <version>`: its
// machines are simulated, and so are their payloads (the same bytes for a
// version wherever they are computed, served by `strata up`), so the CLI can
// publish the UpdateRelease of any version a user promotes. A cluster says it
// serves simulated payloads by an annotation on its rendered release; any
// other cluster's releases are the user's to publish.
import { SIMULATED_PAYLOADS_ANNOTATION, StrataError } from '@strata/api';
import { updateReleaseName } from '@strata/assets';
import { isSimulatedPayloadVersion, simulatedReleaseSpec } from '@strata/omaha';
import type { UpdateReleaseResource, UpdateResources } from '@strata/update-server';
import { z } from 'zod';
import { UpdateUsageError } from './update-options.ts';

/** An annotation that names no usable base URL: the cluster's rendered release was edited. */
export class SimulatedPayloadsAnnotationError extends StrataError {}

const baseUrlSchema = z.url({ protocol: /^https?$/ }).endsWith('/');

export interface PublishedRelease {
  readonly name: string;
  readonly version: string;
  readonly payloadUrl: string;
}

/** The base URL the cluster's releases say its simulated payloads are served under, if any says so. */
export function simulatedPayloadsBase(releases: readonly UpdateReleaseResource[]): string | undefined {
  const marked = releases.find(
    (release) => release.metadata.annotations?.[SIMULATED_PAYLOADS_ANNOTATION] !== undefined,
  );
  if (marked === undefined) return undefined;
  const value = marked.metadata.annotations?.[SIMULATED_PAYLOADS_ANNOTATION] ?? '';
  const base = baseUrlSchema.safeParse(value);
  if (!base.success)
    throw new SimulatedPayloadsAnnotationError(
      `UpdateRelease ${marked.metadata.name}: annotation ${SIMULATED_PAYLOADS_ANNOTATION} must be an http(s) URL ending in /, got ${JSON.stringify(value)}`,
      { release: marked.metadata.name, annotation: SIMULATED_PAYLOADS_ANNOTATION },
    );
  return base.data;
}

/**
 * Publishes the release of `version` when no UpdateRelease has that version and the cluster serves simulated
 * payloads; otherwise writes nothing and answers undefined (the promotion then finds the release, or says none has
 * the version).
 */
export async function publishSimulatedRelease(
  resources: Pick<UpdateResources, 'releases' | 'createRelease'>,
  version: string,
): Promise<PublishedRelease | undefined> {
  const releases = await resources.releases();
  if (releases.some((release) => release.spec.version === version)) return undefined;
  const base = simulatedPayloadsBase(releases);
  if (base === undefined) return undefined;
  if (!isSimulatedPayloadVersion(version))
    throw new UpdateUsageError(
      `<version>: this cluster's machines are simulated, and a simulated release is dotted numbers such as 4230.2.4 (got ${JSON.stringify(version)})`,
      { flag: '<version>' },
    );
  const name = updateReleaseName(version);
  const spec = simulatedReleaseSpec(base, version);
  await resources.createRelease(name, spec, { [SIMULATED_PAYLOADS_ANNOTATION]: base });
  return { name, version, payloadUrl: spec.payloadUrl };
}
