// An update server's release for a /usr payload: the payload served by the lab's payload server, with the digests and
// size update_engine checks it against.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { UsrPayload } from '@strata/node-image/testing';
import type { PayloadServer } from '@strata/omaha/testing';
import { ERROR_CODE } from '@strata/omaha';
import type { Release } from '@strata/update-server/testing';

export async function serveUsrRelease(payloads: PayloadServer, payload: UsrPayload): Promise<Release> {
  const path = `/strata/${payload.version}/usr.ext4`;
  payloads.serveFile(path, payload.path);
  const sha1 = createHash('sha1');
  await pipeline(createReadStream(payload.path), sha1);
  return {
    version: payload.version,
    payloadUrl: payloads.url(path),
    sha256: payload.sha256,
    sha1: sha1.digest('hex'),
    size: (await stat(payload.path)).size,
  };
}

/** What the update server records for a machine that took `version` and booted it (`historySteps` lines). */
export function updateHistory(version: string): string[] {
  return [...took(version), `complete ${version}`];
}

/**
 * What the update server records for a machine that took `good` and then `broken`, which failed to boot and rolled
 * back: each grant, download and install, the first's completion and the second's error 44.
 */
export function updateThenRollbackHistory(good: string, broken: string): string[] {
  return [...updateHistory(good), ...took(broken), `error ${broken} ${ERROR_CODE.rollback} rollback`];
}

function took(version: string): string[] {
  return [`granted ${version}`, `downloading ${version}`, `downloaded ${version}`, `installed ${version}`];
}
