// Typed builders for boot-server tests: valid resources that a test changes
// only where it is about something.
import { groupSchema, profileSchema, type Group, type GroupInput, type Profile, type ProfileInput } from '@strata/api';

let counter = 0;
const nextId = (prefix: string) => `${prefix}-${(counter += 1)}`;

/** A Flatcar PXE profile; `id` defaults to a fresh one, `ignition_id` to "<id>.ign". */
export function aProfile(overrides: Partial<ProfileInput> = {}): Profile {
  const id = overrides.id ?? nextId('profile');
  return profileSchema.parse({
    id,
    name: `profile ${id}`,
    boot: {
      kernel: '/assets/flatcar/current/flatcar_production_pxe.vmlinuz',
      initrd: ['/assets/flatcar/current/flatcar_production_pxe_image.cpio.gz'],
      args: ['initrd=flatcar_production_pxe_image.cpio.gz', 'flatcar.first_boot=yes', 'console=ttyS0'],
    },
    ignition_id: `${id}.ign`,
    ...overrides,
  });
}

/** A group selecting one MAC for profile "worker"; `id` defaults to a fresh one. */
export function aGroup(overrides: Partial<GroupInput> = {}): Group {
  const id = overrides.id ?? nextId('group');
  return groupSchema.parse({
    id,
    name: `group ${id}`,
    profile: 'worker',
    selector: { mac: '52:54:00:12:34:56' },
    metadata: {},
    ...overrides,
  });
}

/** The MAC address of machine number n, in colon form: 52:54:00:xx:xx:xx. */
export function macOf(n: number): string {
  const hex = n.toString(16).padStart(6, '0');
  return `52:54:00:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`;
}

export interface IgnitionConfigOptions {
  readonly version?: string;
  /** Extra top-level sections merged in. */
  readonly sections?: Readonly<Record<string, unknown>>;
}

/** The text of a small Ignition config (a template when it contains {{...}} in its values). */
export function anIgnitionConfig(options: IgnitionConfigOptions = {}): string {
  return JSON.stringify({ ignition: { version: options.version ?? '3.3.0' }, ...options.sections }, null, 2);
}
