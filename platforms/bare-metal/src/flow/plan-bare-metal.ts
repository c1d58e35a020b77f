// From a cluster config to what the boot server must hold, per machine, as
// Typhoon's bare-metal module registers it with matchbox:
//   - "<cluster>-<machine>-install": a group selecting the machine's MAC and a
//     profile that PXE-boots Flatcar, whose Ignition installs it to disk; for
//     Strata's node image, a profile that boots the image's initramfs, whose
//     install program writes the image to disk (it fetches no Ignition);
//   - "<cluster>-<machine>-installed": a group selecting the MAC and
//     os=installed, whose profile carries the machine's rendered Ignition,
//     which flatcar-install hands to the installed system, or which the node
//     image's installed first boot fetches.
import { validateIgnition, type ClusterConfig, type Machine } from '@strata/assets';
import { z } from 'zod';
import type { Group, Profile } from '@strata/api';
import { BareMetalFlowError } from './errors.ts';
import { flatcarPxeArgs, flatcarPxeFiles, flatcarVersion } from './flatcar.ts';
import { installIgnition } from './install-ignition.ts';
import { nodeImageInstallBoot, nodeImageReleaseSchema, type NodeImageRelease } from './node-image.ts';
import { ignitionName, installedId, installId } from './names.ts';
import { bareMetalFlowOptionsSchema, type BareMetalFlowOptions, type BareMetalFlowOptionsInput } from './options.ts';
import type { BareMetalPlan, IgnitionTemplate } from './plan.ts';
import { withholdSecrets, type WithheldFile } from '@strata/assets';

export interface BareMetalFlowInput {
  readonly config: ClusterConfig;
  /** Each machine's rendered Ignition config (the assets' ignition/<machine>.ign), by machine name. */
  readonly ignition: ReadonlyMap<string, string>;
  readonly options?: BareMetalFlowOptionsInput;
  /**
   * For os.name strata: the node image release the machines install (the installer's own build of it). Flatcar's
   * come from the boot server's assets by version, as Typhoon's cached install takes them.
   */
  readonly nodeImage?: NodeImageRelease;
}

type InstalledOs =
  | { readonly name: 'flatcar'; readonly channel: string; readonly version: string }
  | { readonly name: 'strata'; readonly release: NodeImageRelease };

interface BareMetalCluster {
  readonly name: string;
  readonly endpoint: string;
  readonly machines: readonly Machine[];
  readonly os: InstalledOs;
  readonly sshAuthorizedKeys: readonly string[];
}

/** The node image release for a strata config: the one given, and the version the config pins if it pins one. */
function nodeImageRelease(config: ClusterConfig, given: NodeImageRelease | undefined): NodeImageRelease {
  if (given === undefined)
    throw new BareMetalFlowError(
      "os.name is strata, and the flow was given no node image release: the installer passes the version and the SHA-256 of the node image's disk.img.zst it built",
      { field: 'os.name', value: config.os.name },
    );
  const parsed = nodeImageReleaseSchema.safeParse(given);
  if (!parsed.success)
    throw new BareMetalFlowError(`invalid node image release: ${z.prettifyError(parsed.error)}`, {
      field: 'nodeImage',
    });
  const pinned = config.os.version;
  if (pinned !== undefined && pinned !== parsed.data.version)
    throw new BareMetalFlowError(
      `os.version is ${pinned}, but this Strata builds node image ${parsed.data.version}: set os.version: ${parsed.data.version}, or leave it out`,
      { field: 'os.version', value: pinned, available: parsed.data.version },
    );
  return parsed.data;
}

function bareMetalCluster(config: ClusterConfig, nodeImage: NodeImageRelease | undefined): BareMetalCluster {
  if (config.platform !== 'bare-metal' || config.bareMetal === undefined) {
    throw new BareMetalFlowError(
      `platform is "${config.platform}"; the bare-metal flow needs platform: bare-metal and a bareMetal section`,
      {
        field: 'platform',
        platform: config.platform,
      },
    );
  }
  if (config.os.name === 'fedora-coreos') {
    throw new BareMetalFlowError(
      `os.name is "${config.os.name}"; the bare-metal flow installs Flatcar Container Linux or Strata's node image: set os.name: flatcar or strata`,
      {
        field: 'os.name',
        value: config.os.name,
      },
    );
  }
  return {
    name: config.name,
    endpoint: config.bareMetal.bootServer.endpoint.replace(/\/+$/, ''),
    machines: config.bareMetal.machines,
    os:
      config.os.name === 'strata'
        ? { name: 'strata', release: nodeImageRelease(config, nodeImage) }
        : { name: 'flatcar', channel: config.os.channel, version: flatcarVersion(config.os) },
    sshAuthorizedKeys: config.sshAuthorizedKeys,
  };
}

function flowOptions(input: BareMetalFlowOptionsInput | undefined): BareMetalFlowOptions {
  const parsed = bareMetalFlowOptionsSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.map(String).join('.') || '(options)'}: ${issue.message}`,
  );
  throw new BareMetalFlowError(`invalid bare-metal flow options:\n  ${problems.join('\n  ')}`, { issues: problems });
}

/** The machine's rendered config, checked: a truncated or foreign file must not reach a machine. */
function renderedIgnition(machine: Machine, ignition: ReadonlyMap<string, string>): string {
  const content = ignition.get(machine.name);
  if (content === undefined) {
    throw new BareMetalFlowError(
      `no rendered Ignition config for machine "${machine.name}"; render the cluster's assets first (strata render), which writes ignition/${machine.name}.ign`,
      { machine: machine.name },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (error) {
    throw new BareMetalFlowError(
      `the rendered Ignition config of machine "${machine.name}" is not JSON; render the assets again`,
      { machine: machine.name },
      { cause: error },
    );
  }
  const issues = validateIgnition(parsed);
  if (issues.length > 0) {
    const lines = issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`);
    throw new BareMetalFlowError(
      `the rendered Ignition config of machine "${machine.name}" is invalid:\n  ${lines.join('\n  ')}`,
      {
        machine: machine.name,
        issues: lines,
      },
    );
  }
  return content;
}

/** What the boot server may serve of the machine's checked config, and what is withheld for delivery over SSH. */
function splitIgnition(machine: Machine, ignition: ReadonlyMap<string, string>) {
  return withholdSecrets(renderedIgnition(machine, ignition), machine.role);
}

/**
 * Per machine, the files the flow withholds from the boot server (what `strata rotate` delivers again over SSH): the
 * same split as `planBareMetal`'s, for any OS, without a plan.
 */
export function withheldFiles(
  input: Pick<BareMetalFlowInput, 'config' | 'ignition'>,
): ReadonlyMap<string, readonly WithheldFile[]> {
  const withheld = new Map<string, readonly WithheldFile[]>();
  for (const machine of input.config.bareMetal?.machines ?? []) {
    const secrets = splitIgnition(machine, input.ignition).withheld;
    if (secrets.length > 0) withheld.set(machine.name, secrets);
  }
  return withheld;
}

function machineMetadata(cluster: BareMetalCluster, machine: Machine): Record<string, string> {
  return {
    cluster: cluster.name,
    machine: machine.name,
    domain: machine.domain,
    role: machine.role,
    ...(machine.pool === undefined ? {} : { pool: machine.pool }),
  };
}

interface MachineEntries {
  readonly profiles: Profile[];
  readonly groups: Group[];
  readonly templates: IgnitionTemplate[];
}

/** The install profile, and the Ignition config it boots with (Flatcar's, which runs flatcar-install) if any. */
function installEntry(
  cluster: BareMetalCluster,
  machine: Machine,
  options: BareMetalFlowOptions,
): { profile: Profile; template?: IgnitionTemplate } {
  const id = installId(cluster.name, machine.name);
  const os = cluster.os;
  if (os.name === 'strata') {
    return {
      profile: {
        id,
        name: `${cluster.name} ${machine.name}: install Strata node image ${os.release.version} to ${options.installDisk}`,
        boot: nodeImageInstallBoot({
          endpoint: cluster.endpoint,
          release: os.release,
          installDisk: options.installDisk,
          consoles: options.consoles,
          extraKernelArgs: options.extraKernelArgs,
        }),
        // The install program runs in the image's initramfs from its kernel arguments: no Ignition config.
        ignition_id: '',
        generic_id: '',
        cloud_id: '',
      },
    };
  }
  return {
    template: {
      name: ignitionName(id),
      content: installIgnition({
        endpoint: cluster.endpoint,
        mac: machine.mac,
        channel: os.channel,
        version: os.version,
        installDisk: options.installDisk,
        sshAuthorizedKeys: cluster.sshAuthorizedKeys,
      }),
    },
    profile: {
      id,
      name: `${cluster.name} ${machine.name}: install Flatcar ${os.version} to ${options.installDisk}`,
      boot: {
        ...flatcarPxeFiles(os.version),
        args: flatcarPxeArgs({
          endpoint: cluster.endpoint,
          consoles: options.consoles,
          extraKernelArgs: options.extraKernelArgs,
        }),
      },
      ignition_id: ignitionName(id),
      generic_id: '',
      cloud_id: '',
    },
  };
}

function machineEntries(
  cluster: BareMetalCluster,
  machine: Machine,
  options: BareMetalFlowOptions,
  installed: string,
): MachineEntries {
  const install = installId(cluster.name, machine.name);
  const final = installedId(cluster.name, machine.name);
  const metadata = machineMetadata(cluster, machine);
  const installing = installEntry(cluster, machine, options);
  return {
    templates: [
      ...(installing.template === undefined ? [] : [installing.template]),
      { name: ignitionName(final), content: installed },
    ],
    profiles: [
      installing.profile,
      {
        id: final,
        name: `${cluster.name} ${machine.name}: installed ${machine.role}`,
        // The installed system boots from disk; this profile only serves its Ignition config.
        boot: { kernel: '', initrd: [], args: [] },
        ignition_id: ignitionName(final),
        generic_id: '',
        cloud_id: '',
      },
    ],
    groups: [
      {
        id: install,
        name: `${cluster.name} ${machine.name}: install`,
        profile: install,
        selector: { mac: machine.mac },
        metadata,
      },
      {
        id: final,
        name: `${cluster.name} ${machine.name}: installed`,
        profile: final,
        // Two selectors outrank the install group's one, so the installer's request gets this group.
        selector: { mac: machine.mac, os: 'installed' },
        metadata,
      },
    ],
  };
}

function assertUniqueIds(kind: string, ids: readonly string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id))
      throw new BareMetalFlowError(`two ${kind} would have the id "${id}"; give every machine its own name`, {
        id,
        kind,
      });
    seen.add(id);
  }
}

const macSchema = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);

/**
 * What the boot server must hold for the cluster: for every machine a PXE
 * install profile and group, the installed system's profile and group, and
 * both Ignition configs. Pure: the same input gives the same plan.
 */
export function planBareMetal(input: BareMetalFlowInput): BareMetalPlan {
  const cluster = bareMetalCluster(input.config, input.nodeImage);
  const options = flowOptions(input.options);
  const known = new Set(cluster.machines.map((machine) => machine.name));
  const strays = [...input.ignition.keys()].filter((name) => !known.has(name));
  if (strays.length > 0) {
    throw new BareMetalFlowError(
      `rendered Ignition configs for machines the cluster config does not list: ${strays.join(', ')}; render the assets again from this config`,
      {
        machines: strays,
      },
    );
  }
  const macs = new Map<string, string>();
  const withheld = new Map<string, readonly WithheldFile[]>();
  const entries = cluster.machines.map((machine) => {
    if (!macSchema.safeParse(machine.mac).success) {
      throw new BareMetalFlowError(
        `machine "${machine.name}": mac "${machine.mac}" is not in lower-case colon form; pass a config parsed by @strata/assets`,
        {
          machine: machine.name,
        },
      );
    }
    const other = macs.get(machine.mac);
    if (other !== undefined) {
      throw new BareMetalFlowError(
        `machines "${other}" and "${machine.name}" have the same mac ${machine.mac}; each machine needs its own`,
        {
          machines: [other, machine.name],
          mac: machine.mac,
        },
      );
    }
    macs.set(machine.mac, machine.name);
    const { served, withheld: secrets } = splitIgnition(machine, input.ignition);
    if (secrets.length > 0) withheld.set(machine.name, secrets);
    return machineEntries(cluster, machine, options, served);
  });
  const plan: BareMetalPlan = {
    profiles: entries.flatMap((entry) => entry.profiles),
    groups: entries.flatMap((entry) => entry.groups),
    templates: entries.flatMap((entry) => entry.templates),
    withheld,
  };
  assertUniqueIds(
    'profiles',
    plan.profiles.map((profile) => profile.id),
  );
  assertUniqueIds(
    'groups',
    plan.groups.map((group) => group.id),
  );
  return plan;
}
