// A cloud controller boots from its full Ignition kept in a private object
// (S3, Cloud Storage, a blob) that the platform's Pulumi program writes. Each
// rotation step re-renders the controllers' Ignition; this runs the stack's own
// program on it, so that a controller created after (or during) the rotation
// boots with the keys the running ones hold. The preview must show nothing but
// those objects changing: anything else means the directory's render or config
// is not what the stack was made from, and the update is refused untouched.
import type { Stack } from '@pulumi/pulumi/automation/index.js';
import type { ResourceChange } from '../install/events.ts';
import { firstLine, previewChanges } from '../install/phases/provision.ts';
import { EncryptionRotationError } from './encryption-key.ts';

/** The changes a rotation step may not make: any resource but a controller's config object, or such an object made or removed. */
export function foreignChanges(changes: readonly ResourceChange[], controllerConfigType: string): ResourceChange[] {
  return changes.filter(
    (change) => change.type !== controllerConfigType || (change.op !== 'update' && change.op !== 'replace'),
  );
}

function describeChange(change: ResourceChange): string {
  return `${change.op} ${change.type} ${change.name}${change.diffs.length > 0 ? ` (${change.diffs.join(', ')})` : ''}`;
}

export interface ConfigObjectUpdate {
  readonly stack: Stack;
  readonly controllerConfigType: string;
  readonly signal: AbortSignal;
  readonly progress: (message: string) => void;
}

/** Previews, refuses anything but config objects changing, then updates them; resolves with how many changed. */
export async function updateConfigObjects(update: ConfigObjectUpdate): Promise<number> {
  const changes = await previewChanges(update.stack, update.signal);
  const foreign = foreignChanges(changes, update.controllerConfigType);
  if (foreign.length > 0) {
    throw new EncryptionRotationError(
      `updating the controllers' config objects would also change ${foreign.length} other resource(s), so nothing ` +
        `was changed:\n${foreign.map(describeChange).join('\n')}\nThe cluster directory's config or render is not ` +
        `the one the stack was made from: run \`strata install\` with the config the cluster runs, then rotate again.`,
      { foreign: foreign.map((change) => ({ urn: change.urn, op: change.op })) },
    );
  }
  if (changes.length === 0) {
    update.progress("the controllers' config objects already hold these keys");
    return 0;
  }
  update.progress(`writing the new keys into ${changes.length} controller config object(s)`);
  try {
    await update.stack.up({ refresh: true, signal: update.signal });
  } catch (error) {
    throw new EncryptionRotationError(
      `updating the controllers' config objects failed: ${firstLine(error)}`,
      { objects: changes.map((change) => change.urn) },
      { cause: error },
    );
  }
  return changes.length;
}
