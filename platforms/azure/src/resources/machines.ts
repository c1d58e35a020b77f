// What controllers and workers share: the image, the admin user, the disks.
import type { AzurePlan } from '../plan.ts';

export const ADMIN_USER = 'core';
export const OS_DISK_GIB = 30;
// Every VM size supports standard SSDs; premium disks need sizes with an "s".
export const DISK_TYPE = 'StandardSSD_LRS';

export function linuxConfiguration(plan: AzurePlan) {
  // Azure requires a key when passwords are off; Ignition writes the same keys for core.
  return {
    disablePasswordAuthentication: true,
    ssh: {
      publicKeys: plan.sshKeys.map((keyData) => ({ path: `/home/${ADMIN_USER}/.ssh/authorized_keys`, keyData })),
    },
  };
}
