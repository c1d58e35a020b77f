import type { z } from 'zod';
import { MACHINE_TYPES, zoneBelongsToRegion } from '../cloud.ts';
import type { Finding } from '../issue.ts';
import type { ConfigReader } from '../reader.ts';
import {
  awsSchema,
  azureSchema,
  bareMetalSchema,
  clusterConfigFieldsSchema,
  gcpSchema,
  localSchema,
  PLATFORM_SECTIONS,
  PLATFORMS,
  workerPoolSchema,
  type Platform,
} from '../schema.ts';
import type { Rule } from './rule.ts';

const SECTION_SCHEMAS = {
  local: localSchema,
  'bare-metal': bareMetalSchema,
  aws: awsSchema,
  gcp: gcpSchema,
  azure: azureSchema,
} as const;

/** The fields a section cannot do without: what the hint for a missing section names. */
function requiredFields(section: { readonly shape: Readonly<Record<string, z.ZodType>> }): string[] {
  return Object.entries(section.shape)
    .filter(([, field]) => !field.safeParse(undefined).success)
    .map(([key]) => key);
}

export function readPlatform(config: ConfigReader): Platform | undefined {
  return config.get(['platform'], clusterConfigFieldsSchema.shape.platform);
}

/** Exactly the section of the chosen platform: a second one would be silently ignored, which is worse than an error. */
export const platformSectionRule: Rule = (config) => {
  const platform = readPlatform(config);
  if (platform === undefined) {
    return [];
  }
  const findings: Finding[] = [];
  for (const other of PLATFORMS) {
    const section = PLATFORM_SECTIONS[other];
    const present = config.has([section]);
    if (other === platform && !present && platform !== 'local') {
      findings.push({
        path: [section],
        message: `is required when platform is ${platform}`,
        hint: `add a section "${section}:" with ${requiredFields(SECTION_SCHEMAS[platform]).join(', ')}`,
        anchor: ['platform'],
      });
    } else if (other !== platform && present) {
      findings.push({
        path: [section],
        message: `configures platform ${other}, but platform is ${platform}`,
        hint: `remove the ${section} section, or set platform: ${other}`,
        atKey: true,
      });
    }
  }
  return findings;
};

/** Container Linux has no passwords: without a key nobody can log in to a broken machine. */
export const sshKeyRule: Rule = (config) => {
  const platform = readPlatform(config);
  const keys = config.get(['sshAuthorizedKeys'], clusterConfigFieldsSchema.shape.sshAuthorizedKeys);
  if (platform === undefined || platform === 'local' || keys === undefined || keys.length > 0) {
    return [];
  }
  return [
    {
      path: ['sshAuthorizedKeys'],
      message: `needs at least one key on platform ${platform}`,
      hint: 'Container Linux machines have no passwords; add your public key, e.g. the line in ~/.ssh/id_ed25519.pub',
      anchor: ['platform'],
    },
  ];
};

export const zoneRule: Rule = (config) => {
  const platform = readPlatform(config);
  if (platform !== 'aws' && platform !== 'gcp') {
    return [];
  }
  const shape = platform === 'aws' ? awsSchema.shape : gcpSchema.shape;
  const region = config.get([platform, 'region'], shape.region);
  if (region === undefined) {
    return [];
  }
  const example = platform === 'aws' ? `${region}a` : `${region}-a`;
  return Array.from({ length: config.length([platform, 'zones']) }, (_, index): Finding[] => {
    const zone = config.get([platform, 'zones', index], shape.zones.element);
    if (zone === undefined || zoneBelongsToRegion(platform, zone, region)) {
      return [];
    }
    return [
      {
        path: [platform, 'zones', index],
        message: `is not a zone of region ${region}`,
        hint: `zones of ${region} look like "${example}"`,
        value: zone,
      },
    ];
  }).flat();
};

/** Worker machine types mean something only where Strata creates the machines. */
export const instanceTypeRule: Rule = (config) => {
  const platform = readPlatform(config);
  if (platform === undefined) {
    return [];
  }
  return Array.from({ length: config.length(['workerPools']) }, (_, index): Finding[] => {
    const path = ['workerPools', index, 'instanceType'];
    const instanceType = config.get(path, workerPoolSchema.shape.instanceType);
    if (instanceType === undefined) {
      return [];
    }
    if (platform === 'local' || platform === 'bare-metal') {
      return [
        {
          path,
          message: `has no effect on platform ${platform}`,
          hint: platform === 'local' ? 'remove it' : 'remove it: on bare metal the machines are what they are',
          value: instanceType,
          atKey: true,
        },
      ];
    }
    const type = MACHINE_TYPES[platform];
    return type.pattern.test(instanceType)
      ? []
      : [{ path, message: `is not ${type.what}`, hint: `e.g. "${type.example}"`, value: instanceType }];
  }).flat();
};
