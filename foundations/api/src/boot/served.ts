// What the boot server's read side served to each machine, by MAC: when it last
// answered its boot script (iPXE or GRUB) and its Ignition config. The write API
// lists it (GET /v1/served), so that an installer can tell a machine that
// booted from one that fetched its config, before it has a Node.
import { z } from 'zod';

export const servedMachineSchema = z.strictObject({
  /** Lower-case, colon-separated, as the read side normalizes a request's mac label. */
  mac: z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5,19}$/, 'must be a normalized MAC address'),
  /** When the read side last answered /ipxe or /grub for this MAC with a 200. */
  bootScriptAt: z.iso.datetime().optional(),
  /** When the read side last answered /ignition for this MAC with a 200. */
  ignitionAt: z.iso.datetime().optional(),
});
export type ServedMachine = z.infer<typeof servedMachineSchema>;
