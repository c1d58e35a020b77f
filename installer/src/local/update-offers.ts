// How `strata update offer` reaches a running `strata up`: the nodes that ask
// no update server (Fedora CoreOS; Flatcar nodes ask the cluster's own, ADR
// 0055) get their updates from an object inside the `strata up` process, so
// the command writes the offer into the cluster directory and signals that
// process, which reads it, offers it, and has every node's update_engine check
// now (as `update_engine_client -check_for_update` would) rather than at its
// next periodic check.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { StrataError } from '@strata/api';
import { SECRET_FILE_MODE, writeFileAtomic } from '@strata/host';
import { UpdateEngineUnavailableError, type LocalCluster } from '@strata/platform-local';

export class UpdateOfferError extends StrataError {}

/** The signal `strata update offer` sends to `strata up`. */
export const UPDATE_OFFER_SIGNAL = 'SIGUSR2';

export const updateOfferSchema = z.strictObject({
  version: z
    .string()
    .regex(/^\d+(\.\d+)*$/, 'must be a Flatcar (or Fedora CoreOS) version: dotted numbers, e.g. 4230.2.4'),
  group: z
    .string()
    .regex(/^[a-zA-Z0-9.-]+$/, 'must be an update group name such as stable, beta or alpha')
    .optional(),
});

export type UpdateOffer = z.infer<typeof updateOfferSchema>;

/** Where the offer waits for `strata up` to read it. */
export function updateOfferPath(clusterDir: string): string {
  return join(clusterDir, 'update-offer.json');
}

/** Validates `input`; throws UpdateOfferError naming each bad field. */
export function parseUpdateOffer(input: unknown, source: string): UpdateOffer {
  const result = updateOfferSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`,
    );
    throw new UpdateOfferError(`${source} is invalid: ${problems.join('; ')}`, { source, issues: result.error.issues });
  }
  return result.data;
}

/** Writes the offer atomically, so `strata up` never reads half of it. */
export async function writeUpdateOffer(clusterDir: string, offer: UpdateOffer): Promise<void> {
  const path = updateOfferPath(clusterDir);
  await writeFileAtomic(path, `${JSON.stringify(parseUpdateOffer(offer, 'the update offer'))}\n`, SECRET_FILE_MODE);
}

export async function readUpdateOffer(clusterDir: string): Promise<UpdateOffer> {
  const path = updateOfferPath(clusterDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UpdateOfferError(
      `cannot read the update offer ${path}: ${error instanceof Error ? error.message : String(error)}`,
      { path },
      { cause: error },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UpdateOfferError(`the update offer ${path} is not JSON`, { path }, { cause: error });
  }
  return parseUpdateOffer(json, path);
}

export interface AppliedOffer {
  /** Nodes whose update engine was told to check now. */
  readonly checking: readonly string[];
  /** Nodes whose update engine is not running (the machine is down); they see the offer at their next check. */
  readonly down: readonly string[];
}

/** Offers the version on the cluster's update server and has every node's update engine check for it now. */
export async function applyUpdateOffer(
  cluster: Pick<LocalCluster, 'updates' | 'nodeNames' | 'operatingSystem'>,
  offer: UpdateOffer,
): Promise<AppliedOffer> {
  cluster.updates.offer({ version: offer.version, ...(offer.group === undefined ? {} : { group: offer.group }) });
  const checking: string[] = [];
  const down: string[] = [];
  await Promise.all(
    cluster.nodeNames().map(async (name) => {
      try {
        await cluster.operatingSystem(name).updateEngine.attemptUpdate();
        checking.push(name);
      } catch (error) {
        if (!(error instanceof UpdateEngineUnavailableError)) throw error;
        down.push(name);
      }
    }),
  );
  return { checking: checking.sort(), down: down.sort() };
}
