// Test data: MachineProfile and MachineGroup specs both checkers must accept, and specs both must refuse naming the
// same field. crds.test.ts runs them through the zod schemas, boot-crds.integration.test.ts through a real API server
// with the generated CRDs.
import type { z } from 'zod';
import { MACHINE_GROUP, MACHINE_PROFILE, machineGroupSpecSchema, machineProfileSpecSchema } from './crds.ts';

type Path = readonly (string | number)[];

export type BootKind = typeof MACHINE_PROFILE.kind | typeof MACHINE_GROUP.kind;

export interface ValidBootCase {
  readonly name: string;
  readonly kind: BootKind;
  readonly spec: Record<string, unknown>;
}

export interface InvalidBootCase {
  readonly name: string;
  readonly kind: BootKind;
  /** Deliberately untyped: what a user might write. */
  readonly spec: Record<string, unknown>;
  /** The field both checkers must name, from the object's root (so starting with 'spec'). */
  readonly field: Path;
  /** The rule is CEL, so the API server's refusal carries the zod message word for word. */
  readonly sameMessage?: boolean;
}

/** The zod schema of a kind's spec. */
export function bootSpecSchema(kind: BootKind): z.ZodType {
  return kind === MACHINE_PROFILE.kind ? machineProfileSpecSchema : machineGroupSpecSchema;
}

/** The resource's plural, for the API server's URL. */
export function bootPlural(kind: BootKind): string {
  return kind === MACHINE_PROFILE.kind ? MACHINE_PROFILE.plural : MACHINE_GROUP.plural;
}

const profile = (name: string, spec: Record<string, unknown>): ValidBootCase => ({
  name,
  kind: MACHINE_PROFILE.kind,
  spec,
});
const group = (name: string, spec: Record<string, unknown>): ValidBootCase => ({
  name,
  kind: MACHINE_GROUP.kind,
  spec,
});
const badProfile = (
  name: string,
  spec: Record<string, unknown>,
  field: Path,
  sameMessage?: boolean,
): InvalidBootCase => ({
  name,
  kind: MACHINE_PROFILE.kind,
  spec,
  field: ['spec', ...field],
  ...(sameMessage === undefined ? {} : { sameMessage }),
});
const badGroup = (
  name: string,
  spec: Record<string, unknown>,
  field: Path,
  sameMessage?: boolean,
): InvalidBootCase => ({
  name,
  kind: MACHINE_GROUP.kind,
  spec,
  field: ['spec', ...field],
  ...(sameMessage === undefined ? {} : { sameMessage }),
});

const labels = (count: number) =>
  Object.fromEntries(Array.from({ length: count }, (_, index) => [`label-${index}`, `${index}`]));

export const VALID_BOOT_SPECS: readonly ValidBootCase[] = [
  profile('an empty profile (every default)', {}),
  profile('a complete profile', {
    name: 'Flatcar worker',
    boot: {
      kernel: '/assets/flatcar/vmlinuz',
      initrd: ['/assets/flatcar/initrd.cpio.gz'],
      args: ['flatcar.first_boot=yes', 'console=ttyS0'],
    },
    ignition_id: 'worker.ign',
    generic_id: 'worker.txt',
    cloud_id: 'worker.yaml',
  }),
  profile('a boot section with the kernel alone', { boot: { kernel: 'http://example.com/vmlinuz' } }),
  profile('template names with dots inside', { ignition_id: '.hidden', generic_id: 'a..b', cloud_id: '...' }),
  profile('a template name of 253 characters', { ignition_id: 'i'.repeat(253) }),
  profile('256 kernel arguments', { boot: { args: Array.from({ length: 256 }, (_, index) => `a${index}`) } }),
  profile('a kernel path of 4096 characters', { boot: { kernel: `/${'k'.repeat(4095)}` } }),
  profile('a name of 1024 characters', { name: 'n'.repeat(1024) }),
  profile('a field matchbox does not know (dropped by both)', { ignitionId: 'typo.ign', ignition_id: 'x.ign' }),
  group('an empty group (the default group, every default)', {}),
  group('a complete group', {
    name: 'Rack 1, node 1',
    profile: 'worker',
    selector: { mac: '52:54:00:12:34:56', os: 'installed' },
    metadata: {
      hostname: 'node1',
      ssh_authorized_keys: ['ssh-ed25519 AAAA'],
      network: { dhcp: true, mtu: 9000, dns: null },
    },
  }),
  group('64 selector labels', { selector: labels(64) }),
  group('an empty selector value', { selector: { os: '' } }),
  group('deeply nested metadata', { metadata: { a: { b: { c: { d: [[1, 2], { e: 'f' }] } } } } }),
];

export const INVALID_BOOT_SPECS: readonly InvalidBootCase[] = [
  badProfile('an initrd that is not a list', { boot: { initrd: 'x' } }, ['boot', 'initrd']),
  badProfile('a kernel argument that is not a string', { boot: { args: ['a', 5] } }, ['boot', 'args', 1]),
  badProfile('boot that is not an object', { boot: '/vmlinuz' }, ['boot']),
  badProfile('a name that is not a string', { name: 7 }, ['name']),
  badProfile('an ignition_id that leaves its directory', { ignition_id: '../etc/shadow' }, ['ignition_id']),
  badProfile('an ignition_id of ".."', { ignition_id: '..' }, ['ignition_id'], true),
  badProfile('a generic_id of "."', { generic_id: '.' }, ['generic_id'], true),
  badProfile('a cloud_id with a backslash', { cloud_id: 'a\\b' }, ['cloud_id']),
  badProfile('an ignition_id with NUL', { ignition_id: 'a\u0000b' }, ['ignition_id']),
  badProfile('an ignition_id of 254 characters', { ignition_id: 'i'.repeat(254) }, ['ignition_id']),
  badProfile('257 kernel arguments', { boot: { args: Array.from({ length: 257 }, (_, index) => `a${index}`) } }, [
    'boot',
    'args',
  ]),
  badProfile('a kernel path of 4097 characters', { boot: { kernel: `/${'k'.repeat(4096)}` } }, ['boot', 'kernel']),
  badProfile('an initrd of 4097 characters', { boot: { initrd: [`/${'i'.repeat(4096)}`] } }, ['boot', 'initrd', 0]),
  badProfile('a name of 1025 characters', { name: 'n'.repeat(1025) }, ['name']),
  badGroup('a selector value that is not a string', { selector: { mac: 5 } }, ['selector', 'mac']),
  badGroup('65 selector labels', { selector: labels(65) }, ['selector']),
  badGroup('a selector value of 1025 characters', { selector: { mac: 'm'.repeat(1025) } }, ['selector', 'mac']),
  badGroup('metadata that is not an object', { metadata: 'x' }, ['metadata']),
  badGroup('metadata that is a list', { metadata: ['x'] }, ['metadata']),
  badGroup('a profile of ".."', { profile: '..' }, ['profile'], true),
  badGroup('a profile with a slash', { profile: 'a/b' }, ['profile']),
];
