// Facts about network-booting Flatcar Container Linux, as Typhoon's cached
// install uses them: the PXE kernel and initrd are served from the boot
// server's assets, and flatcar-install fetches the disk image from there too.

/** The boot server's assets/ directory holds Flatcar releases as flatcar/<version>/<file>. */
export const FLATCAR_ASSETS_DIR = '/assets/flatcar';
export const FLATCAR_PXE_KERNEL = 'flatcar_production_pxe.vmlinuz';
export const FLATCAR_PXE_INITRD = 'flatcar_production_pxe_image.cpio.gz';

/** Flatcar's release servers and flatcar-install both call the newest release of a channel "current". */
export function flatcarVersion(os: { readonly version?: string | undefined }): string {
  return os.version ?? 'current';
}

/** Asset URLs relative to the boot server, which iPXE resolves against the script's own URL. */
export function flatcarPxeFiles(version: string): { kernel: string; initrd: string[] } {
  const dir = `${FLATCAR_ASSETS_DIR}/${version}`;
  return { kernel: `${dir}/${FLATCAR_PXE_KERNEL}`, initrd: [`${dir}/${FLATCAR_PXE_INITRD}`] };
}

/**
 * The Ignition URL the PXE-booted system fetches at first boot. `${uuid}` and
 * `${mac:hexhyp}` are iPXE settings, expanded by iPXE when it runs the
 * boot server's script, so every machine can share the argument.
 */
export function ignitionUrl(endpoint: string): string {
  return `${endpoint}/ignition?uuid=\${uuid}&mac=\${mac:hexhyp}`;
}

export interface PxeArgsInput {
  readonly endpoint: string;
  readonly consoles: readonly string[];
  readonly extraKernelArgs: readonly string[];
}

/** Kernel arguments of the PXE boot that installs a machine. */
export function flatcarPxeArgs(input: PxeArgsInput): string[] {
  return [
    // UEFI iPXE hands the kernel its initrd by this name.
    `initrd=${FLATCAR_PXE_INITRD}`,
    `flatcar.config.url=${ignitionUrl(input.endpoint)}`,
    // Ignition runs only on a first boot; a PXE-booted system boots "first" every time.
    'flatcar.first_boot=1',
    ...input.consoles.map((console) => `console=${console}`),
    ...input.extraKernelArgs,
  ];
}
