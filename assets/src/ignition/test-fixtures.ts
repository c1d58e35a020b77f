import { createHash } from 'node:crypto';
import type {
  IgnitionConfig,
  IgnitionDirectory,
  IgnitionFile,
  IgnitionLink,
  IgnitionSection,
  PasswdGroup,
  PasswdUser,
  Resource,
  SystemdUnit,
} from './schema.ts';

// Typed builders of valid config parts; each test overrides only what it is about.

export const CLUSTER_JSON = '{"name":"test"}';
export const sha512 = (text: string): string => `sha512-${createHash('sha512').update(text).digest('hex')}`;
export const sha256 = (text: string): string => `sha256-${createHash('sha256').update(text).digest('hex')}`;

export const TEST_CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBdummy\n-----END CERTIFICATE-----\n';

export function file(overrides: Partial<IgnitionFile> = {}): IgnitionFile {
  return {
    path: '/etc/strata/cluster.json',
    overwrite: true,
    contents: { source: `data:,${encodeURIComponent(CLUSTER_JSON)}`, verification: { hash: sha512(CLUSTER_JSON) } },
    mode: 0o644,
    user: { name: 'root' },
    group: { id: 0 },
    ...overrides,
  };
}

export function directory(overrides: Partial<IgnitionDirectory> = {}): IgnitionDirectory {
  return { path: '/etc/strata', mode: 0o755, ...overrides };
}

export function link(overrides: Partial<IgnitionLink> = {}): IgnitionLink {
  return { path: '/opt/bin/kubectl', target: '/opt/strata/bin/kubectl', ...overrides };
}

export function unit(overrides: Partial<SystemdUnit> = {}): SystemdUnit {
  return {
    name: 'kubelet.service',
    enabled: true,
    contents:
      '[Unit]\nDescription=Kubelet\n[Service]\nExecStart=/opt/bin/kubelet\n[Install]\nWantedBy=multi-user.target\n',
    dropins: [{ name: '10-strata.conf', contents: '[Service]\nEnvironment=STRATA=1\n' }],
    ...overrides,
  };
}

export function user(overrides: Partial<PasswdUser> = {}): PasswdUser {
  return {
    name: 'core',
    sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey core@strata'],
    groups: ['sudo'],
    ...overrides,
  };
}

export function group(overrides: Partial<PasswdGroup> = {}): PasswdGroup {
  return { name: 'strata', gid: 900, ...overrides };
}

export function resource(overrides: Partial<Resource> = {}): Resource {
  return { source: 'https://assets.example.com/config.ign', ...overrides };
}

export interface ConfigParts {
  readonly version?: string;
  readonly merge?: Resource[];
  readonly certificateAuthorities?: Resource[];
  readonly proxy?: IgnitionSection['proxy'];
  readonly users?: PasswdUser[];
  readonly groups?: PasswdGroup[];
  readonly files?: IgnitionFile[];
  readonly directories?: IgnitionDirectory[];
  readonly links?: IgnitionLink[];
  readonly units?: SystemdUnit[];
}

/** A valid config that uses every part of the schema; `parts` replace whole lists. */
export function config(parts: ConfigParts = {}): IgnitionConfig {
  return {
    ignition: {
      version: parts.version ?? '3.4.0',
      config: { merge: parts.merge ?? [resource({ verification: { hash: sha256('merged') } })] },
      timeouts: { httpResponseHeaders: 10, httpTotal: 600 },
      security: {
        tls: {
          certificateAuthorities: parts.certificateAuthorities ?? [
            { source: `data:,${encodeURIComponent(TEST_CA_PEM)}` },
          ],
        },
      },
      proxy: parts.proxy ?? {
        httpProxy: 'http://proxy.example.com:3128',
        httpsProxy: 'http://proxy.example.com:3128',
        noProxy: ['10.0.0.0/8', '.cluster.local'],
      },
    },
    kernelArguments: { shouldExist: ['console=ttyS0'], shouldNotExist: ['quiet'] },
    passwd: { users: parts.users ?? [user()], groups: parts.groups ?? [group()] },
    storage: {
      files: parts.files ?? [file()],
      directories: parts.directories ?? [directory()],
      links: parts.links ?? [link()],
    },
    systemd: { units: parts.units ?? [unit()] },
  };
}
