// What `strata-usr-update status --json` says about the node image's /usr slots (ADR 0090): which one booted, the
// running version, each slot's boot entry, and the version the bootloader fell back from.
import { z } from 'zod';
import { runCommand } from '@strata/host';
import { InvalidOsInputError } from '../errors.ts';

/** Where the node image has the tool (in /usr: each slot brings its own). */
export const USR_UPDATE_TOOL_PATH = '/usr/sbin/strata-usr-update';

const slotSchema = z.object({
  state: z.enum(['good', 'pending', 'bad', 'empty']),
  version: z.string(),
});

export const slotStatusSchema = z.object({
  booted: z.enum(['a', 'b']),
  version: z.string().min(1),
  slots: z.object({ a: slotSchema, b: slotSchema }),
  rolledBackFrom: z.string().min(1).nullable(),
});

export type SlotStatus = z.infer<typeof slotStatusSchema>;

/** The tool's answer, parsed; a tool that fails or answers something else is an InvalidOsInputError quoting it. */
export async function readSlotStatus(tool: string = USR_UPDATE_TOOL_PATH, signal?: AbortSignal): Promise<SlotStatus> {
  const result = await runCommand(tool, ['status', '--json'], signal === undefined ? {} : { signal });
  if (result.code !== 0)
    throw new InvalidOsInputError(`${tool} status --json exited with ${result.code}: ${result.stderr.trim()}`, {
      tool,
      code: result.code,
      stderr: result.stderr,
    });
  let json: unknown;
  try {
    json = JSON.parse(result.stdout);
  } catch (error) {
    throw new InvalidOsInputError(
      `${tool} status --json printed no JSON: ${result.stdout.slice(0, 200)}`,
      { tool },
      {
        cause: error,
      },
    );
  }
  const parsed = slotStatusSchema.safeParse(json);
  if (!parsed.success)
    throw new InvalidOsInputError(`${tool} status --json answered an unknown shape: ${parsed.error.message}`, {
      tool,
      stdout: result.stdout,
    });
  return parsed.data;
}

/** The slot an update writes: the one that did not boot. */
export function passiveSlot(status: SlotStatus): 'a' | 'b' {
  return status.booted === 'a' ? 'b' : 'a';
}
