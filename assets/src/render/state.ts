import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/** Where `strata render` remembers what it wrote, inside the asset directory. */
export const STATE_PATH = join('.strata', 'render-state.json');

export const renderStateSchema = z.strictObject({
  version: z.literal(1),
  assets: z.record(
    z.string(),
    z.strictObject({
      fingerprint: z.string(),
      /** Each file as written: its sha256, to tell a hand edit from our own output, and its mode. */
      files: z.record(z.string(), z.strictObject({ sha256: z.string(), mode: z.number().int() })),
    }),
  ),
});

export type RenderState = z.infer<typeof renderStateSchema>;

export async function readRenderState(dir: string): Promise<RenderState> {
  let text: string;
  try {
    text = await readFile(join(dir, STATE_PATH), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, assets: {} };
    throw error;
  }
  return renderStateSchema.parse(JSON.parse(text));
}
