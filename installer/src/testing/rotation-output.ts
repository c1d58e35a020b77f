// What `strata rotate encryption-key --json` prints, read back by the
// rotation's integration tests: one JSON event a line, then the `done` line.
import assert from 'node:assert/strict';
import { z } from 'zod';

export const rotationLineSchema = z.looseObject({ kind: z.string() });
export type RotationLine = z.infer<typeof rotationLineSchema>;

const doneSchema = z.object({ kind: z.literal('done'), key: z.string(), secretsRewritten: z.number() });

export function rotationLines(stdout: string): RotationLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => rotationLineSchema.parse(JSON.parse(line)));
}

/**
 * A whole rotation's output on `servers` API servers (more than one): every step in order, each server seen to load
 * each of the three distributions; resolves with its `done` line.
 */
export function completedRotation(stdout: string, servers: number): z.infer<typeof doneSchema> {
  const events = rotationLines(stdout);
  assert.deepEqual(
    events.filter((event) => event.kind === 'step').map((event) => event['step']),
    ['add', 'promote', 'rewrite', 'verify', 'retire'],
  );
  assert.equal(events.filter((event) => event.kind === 'loaded').length, 3 * servers);
  return doneSchema.parse(events.at(-1));
}
