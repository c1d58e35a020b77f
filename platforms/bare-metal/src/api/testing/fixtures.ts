// Typed builders for the write API's tests: valid resources that a test
// changes only where it is about something.
import type { Group, Profile } from '../../model/schema.ts';

export function aProfile(overrides: Partial<Profile> & Pick<Profile, 'id'>): Profile {
  return {
    name: `profile ${overrides.id}`,
    boot: { kernel: '/assets/flatcar/vmlinuz', initrd: ['/assets/flatcar/initrd.cpio.gz'], args: ['flatcar.first_boot=yes', 'console=ttyS0'] },
    ignition_id: `${overrides.id}.ign`,
    generic_id: '',
    cloud_id: '',
    ...overrides,
  };
}

export function aGroup(overrides: Partial<Group> & Pick<Group, 'id'>): Group {
  return {
    name: `group ${overrides.id}`,
    profile: 'worker',
    selector: { mac: '52:54:00:12:34:56' },
    metadata: { ssh_authorized_keys: ['ssh-ed25519 AAAA test'], pxe: true },
    ...overrides,
  };
}
