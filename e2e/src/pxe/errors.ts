import { StrataError } from '@strata/api';

/** The packages every PXE end-to-end test needs on the host, as Debian names them. */
export const PXE_HOST_PACKAGES = 'qemu-system-x86 ipxe-qemu linux-image-amd64 busybox-static cpio dnsmasq-base';

/** A program, ROM or kernel the PXE test needs is not installed on this machine. */
export class HostToolMissingError extends StrataError {
  constructor(what: string, context: Record<string, unknown>) {
    super(`${what}. Install the PXE test's host packages: apt-get install ${PXE_HOST_PACKAGES}`, context);
  }
}

/** Building the test initramfs failed. */
export class InitrdBuildError extends StrataError {}

/** A QEMU machine did not boot through to printing its Ignition config. */
export class PxeBootError extends StrataError {}
