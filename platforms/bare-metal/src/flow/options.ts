// Settings of the bare-metal flow that cluster.yaml does not (yet) carry.
// Defaults follow Typhoon's bare-metal module.
import { z } from 'zod';

/** iPXE splits the kernel command line on spaces, so one argument may hold none. */
const kernelArgument = z
  .string()
  .min(1, 'must not be empty')
  .regex(/^\S+$/, 'must not contain whitespace: give each kernel argument as its own list item');

export const bareMetalFlowOptionsSchema = z.strictObject({
  /** The disk flatcar-install writes Container Linux to, on every machine. */
  installDisk: z
    .string()
    .regex(/^\/dev\/\S+$/, 'must be a device path such as /dev/sda or /dev/disk/by-path/...')
    .default('/dev/sda'),
  /** `console=` kernel arguments, in order; the last one is where the kernel's messages go by default. */
  consoles: z.array(kernelArgument).default(['tty0', 'ttyS0']),
  /** More kernel arguments for the PXE boot that installs the machines (e.g. `flatcar.autologin`). */
  extraKernelArgs: z.array(kernelArgument).default([]),
});

export type BareMetalFlowOptions = z.output<typeof bareMetalFlowOptionsSchema>;
export type BareMetalFlowOptionsInput = z.input<typeof bareMetalFlowOptionsSchema>;
