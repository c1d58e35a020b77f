// Everything the wizard asks, as the text the person typed or chose, and how
// those answers become the cluster config the schema checks and the file holds.
import { API_VERSION, KIND, type Platform } from '@strata/assets';
import { AWS_REGIONS, AZURE_LOCATIONS, DEFAULT_MACHINE_TYPES, GCP_REGIONS, type CloudRegion } from './regions.ts';

/** Every answer is text: what was typed stays as typed (also when invalid), so that going back shows it again. */
export interface Answers {
  readonly platform: Platform;
  readonly apiServerPort: string;
  readonly region: string;
  /** The chosen zones of the region, comma-separated, in the region's order. */
  readonly zones: string;
  readonly gcpProject: string;
  readonly azureResourceGroup: string;
  readonly controllerType: string;
  readonly bootServer: string;
  readonly bootApi: string;
  readonly bootApiCa: string;
  readonly bootApiCert: string;
  readonly bootApiKey: string;
  /** One machine a line: name, MAC and role. */
  readonly machines: string;
  readonly name: string;
  readonly baseDomain: string;
  readonly controllers: string;
  readonly workers: string;
  readonly workerType: string;
  /** "<os>/<channel>". */
  readonly os: string;
  readonly sysextSha512: string;
  readonly podCidr: string;
  readonly serviceCidr: string;
  /** A path from ~/.ssh/*.pub, "paste" or "none". */
  readonly sshKeySource: string;
  /** The public key: the chosen file's line, or what was pasted. */
  readonly sshKey: string;
  /** Bare metal: a private key of ~/.ssh/id_*, or "other" for a path typed into sshIdentity. */
  readonly sshIdentitySource: string;
  /** The private key file the controllers' secrets are delivered with, when typed. */
  readonly sshIdentity: string;
  readonly maxUnavailable: string;
  /** Days of the reboot window ("Mon,Tue"); empty for any time. */
  readonly windowDays: string;
  readonly windowStart: string;
  readonly windowDuration: string;
  readonly timeZone: string;
}

export type FieldId = keyof Answers;

export interface OfferedKey {
  readonly path: string;
  /** The public key line from the file. */
  readonly line: string;
}

export function regionsOf(platform: Platform): readonly CloudRegion[] {
  switch (platform) {
    case 'aws':
      return AWS_REGIONS;
    case 'gcp':
      return GCP_REGIONS;
    case 'azure':
      return AZURE_LOCATIONS;
    default:
      return [];
  }
}

/** The zones preselected in a region: all of them, so that the loss of one zone leaves the others. */
export function defaultZones(platform: Platform, region: string): string {
  return (regionsOf(platform).find((entry) => entry.name === region)?.zones ?? []).join(',');
}

/** The chosen zones as a list. */
export function zoneList(answers: Answers): string[] {
  return answers.zones.split(',').filter((zone) => zone !== '');
}

/** The private half of a public key file, when it is one of the identities found. */
export function identityOf(publicKeyPath: string, identities: readonly string[]): string | undefined {
  return identities.find((identity) => `${identity}.pub` === publicKeyPath);
}

/** The private key file the answers name, or undefined when none is given. */
export function chosenIdentity(answers: Answers): string | undefined {
  const path = answers.sshIdentitySource === 'other' ? answers.sshIdentity.trim() : answers.sshIdentitySource;
  return path === '' ? undefined : path;
}

export function initialAnswers(
  offered: readonly OfferedKey[],
  timeZone = 'UTC',
  identities: readonly string[] = [],
): Answers {
  const key = offered[0]?.path;
  return {
    platform: 'local',
    apiServerPort: '6443',
    region: '',
    zones: '',
    gcpProject: '',
    azureResourceGroup: '',
    controllerType: '',
    bootServer: '',
    bootApi: '',
    bootApiCa: '',
    bootApiCert: '',
    bootApiKey: '',
    machines: '',
    name: '',
    baseDomain: 'example.com',
    controllers: '1',
    workers: '1',
    workerType: '',
    os: 'flatcar/stable',
    sysextSha512: '',
    podCidr: '10.2.0.0/16',
    serviceCidr: '10.3.0.0/16',
    sshKeySource: offered[0]?.path ?? 'none',
    sshKey: offered[0]?.line ?? '',
    sshIdentitySource: (key === undefined ? undefined : identityOf(key, identities)) ?? identities[0] ?? 'other',
    sshIdentity: '',
    maxUnavailable: '1',
    windowDays: '',
    windowStart: '02:00',
    windowDuration: '3h',
    timeZone,
  };
}

/** What changes with the platform: the region list and the machine types of the new cloud. */
export function withPlatform(answers: Answers, platform: Platform): Answers {
  if (platform === answers.platform) return answers;
  const regions = regionsOf(platform);
  const types =
    platform === 'aws' || platform === 'gcp' || platform === 'azure' ? DEFAULT_MACHINE_TYPES[platform] : undefined;
  return {
    ...answers,
    platform,
    region: regions[0]?.name ?? '',
    zones: defaultZones(platform, regions[0]?.name ?? ''),
    controllerType: types?.controller ?? '',
    workerType: types?.worker ?? '',
  };
}

/** A count as the schema sees it: digits become a number, anything else stays text for the schema to name. */
function count(text: string): number | string {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : text;
}

export interface MachineLine {
  /** Index of the line in the field (blank lines keep their place). */
  readonly line: number;
  readonly value: Record<string, string>;
}

/** The non-blank lines of the machines field, each "name mac role" (spaces or commas between). */
export function machineLines(answers: Answers): MachineLine[] {
  return answers.machines.split('\n').flatMap((text, line) => {
    const words = text
      .trim()
      .split(/[\s,;]+/)
      .filter((word) => word !== '');
    if (words.length === 0) return [];
    const [name = '', mac = '', role] = words;
    return [
      {
        line,
        value: {
          name,
          mac,
          ...(role === undefined ? {} : { role }),
          domain: `${name}.${answers.baseDomain}`,
          ...(role === 'worker' ? { pool: 'worker' } : {}),
        },
      },
    ];
  });
}

function platformSection(answers: Answers): Record<string, unknown> {
  const zones = zoneList(answers);
  switch (answers.platform) {
    case 'local':
      return { local: { apiServerPort: count(answers.apiServerPort) } };
    case 'bare-metal':
      return {
        bareMetal: {
          bootServer: { endpoint: answers.bootServer },
          machines: machineLines(answers).map((machine) => machine.value),
        },
      };
    case 'aws':
      return { aws: { region: answers.region, zones, controllerType: answers.controllerType } };
    case 'gcp':
      return {
        gcp: {
          project: answers.gcpProject,
          region: answers.region,
          zones,
          controllerType: answers.controllerType,
        },
      };
    case 'azure':
      return {
        azure: {
          location: answers.region,
          // Azure's zones are optional: none chosen leaves the machines unpinned, as a config without them does.
          ...(zones.length === 0 ? {} : { zones }),
          resourceGroup: answers.azureResourceGroup,
          controllerType: answers.controllerType,
        },
      };
  }
}

/**
 * The cluster config the answers describe, as cluster.yaml will hold it: only
 * what was asked, so that the schema's defaults stay defaults. On bare metal
 * the machines decide the controllers and the worker pool.
 */
export function draftConfig(answers: Answers): Record<string, unknown> {
  const [osName = 'flatcar', channel = 'stable'] = answers.os.split('/');
  const bareMetal = answers.platform === 'bare-metal';
  const cloud = answers.platform !== 'local' && !bareMetal;
  const controllers = bareMetal
    ? machineLines(answers).filter((machine) => machine.value['role'] === 'controller').length
    : count(answers.controllers);
  const key = answers.sshKeySource === 'none' ? '' : answers.sshKey.trim();
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: answers.name,
    baseDomain: answers.baseDomain,
    platform: answers.platform,
    ...platformSection(answers),
    controllers: { count: controllers },
    ...(bareMetal
      ? {}
      : {
          workerPools: [
            {
              name: 'worker',
              count: count(answers.workers),
              ...(cloud ? { instanceType: answers.workerType } : {}),
            },
          ],
        }),
    os: { name: osName, channel },
    ...(answers.platform === 'local' || answers.sysextSha512 === ''
      ? {}
      : { kubernetesSysext: { sha512: answers.sysextSha512 } }),
    networking: { podCidr: answers.podCidr, serviceCidr: answers.serviceCidr },
    ...(key === '' ? {} : { sshAuthorizedKeys: [key] }),
    updates: {
      maxUnavailable: count(answers.maxUnavailable),
      ...(answers.windowDays.trim() === ''
        ? {}
        : {
            windows: [
              {
                days: answers.windowDays.split(/[\s,]+/).filter((day) => day !== ''),
                start: answers.windowStart,
                duration: answers.windowDuration,
                timeZone: answers.timeZone,
              },
            ],
          }),
    },
  };
}
