// The cloud rotation's SSH part as a process of its own, for a test that runs
// it under a hosts file naming simulated machines: what `strata rotate
// encryption-key` does on a cloud cluster once each step's config objects are
// written (which needs the cloud; the programs' mock tests cover it), with the
// controllers at the addresses the stack outputs given here name. Prints each
// rotation event as one JSON line, then `{"kind":"done",...}`.
import { z } from 'zod';
import { platformStackOutputsSchema } from '@strata/api';
import { loadClusterConfig } from '@strata/assets';
import { parseSshJump } from '@strata/platform-bare-metal';
import { InstallDirectory } from '../install/cluster-dir.ts';
import { cloudRotationTarget } from '../rotate/cloud-target.ts';
import { rotateEncryptionKey } from '../rotate/encryption-key.ts';
import { renderStep } from '../rotate/render-step.ts';

export const cloudRotationInputSchema = z.strictObject({
  config: z.string().min(1),
  dir: z.string().min(1),
  outputs: platformStackOutputsSchema,
  identityFile: z.string().min(1),
  port: z.int().min(1).max(65_535),
  user: z.string().min(1),
  jump: z.string().min(1),
});
export type CloudRotationInput = z.infer<typeof cloudRotationInputSchema>;

export const CLOUD_ROTATION_SCRIPT = new URL(import.meta.url).pathname;

async function main(text: string): Promise<void> {
  const input = cloudRotationInputSchema.parse(JSON.parse(text));
  const config = await loadClusterConfig(input.config);
  const directory = new InstallDirectory(input.dir);
  const target = await cloudRotationTarget(config, directory, input.outputs, {
    identityFile: input.identityFile,
    port: input.port,
    user: input.user,
    jump: parseSshJump(input.jump),
  });
  const result = await rotateEncryptionKey(target, {
    render: (step) => renderStep(config, directory, step),
    onEvent: (event) => process.stdout.write(`${JSON.stringify(event)}\n`),
  });
  process.stdout.write(`${JSON.stringify({ kind: 'done', ...result })}\n`);
}

if (process.argv[1] === CLOUD_ROTATION_SCRIPT) await main(process.argv[2] ?? '');
