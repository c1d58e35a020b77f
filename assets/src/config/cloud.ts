import type { Problem } from './problem.ts';

export type Cloud = 'aws' | 'gcp' | 'azure';

interface NamePattern {
  readonly pattern: RegExp;
  readonly what: string;
  readonly example: string;
}

// Shapes of the providers' identifiers, loose enough to accept names a
// provider adds later and tight enough to catch one cloud's value in another's
// section or a value in the wrong field.
export const MACHINE_TYPES: Readonly<Record<Cloud, NamePattern>> = {
  aws: { pattern: /^[a-z][a-z0-9-]*\.[a-z0-9]+$/, what: 'an EC2 instance type', example: 't3.large' },
  gcp: { pattern: /^[a-z][a-z0-9]*(-[a-z0-9]+)+$/, what: 'a Compute Engine machine type', example: 'n2-standard-4' },
  azure: { pattern: /^(Standard|Basic)_[A-Za-z0-9_]+$/, what: 'an Azure VM size', example: 'Standard_D4as_v5' },
};

export const AWS_REGION: NamePattern = {
  pattern: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/,
  what: 'an AWS region',
  example: 'us-east-1',
};
export const GCP_REGION: NamePattern = {
  pattern: /^[a-z]+-[a-z]+\d+$/,
  what: 'a Google Cloud region',
  example: 'us-central1',
};
// 6 to 30 characters, as Google Cloud requires of project IDs.
export const GCP_PROJECT: NamePattern = {
  pattern: /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
  what: 'a Google Cloud project ID',
  example: 'my-project-123',
};
export const AZURE_LOCATION: NamePattern = {
  pattern: /^[a-z][a-z0-9]+$/,
  what: 'an Azure location name',
  example: 'eastus',
};
// Azure numbers a location's availability zones "1", "2" and "3"; one digit
// leaves room for a location with more, and the existence checks ask Azure
// which of them the location has.
export const AZURE_ZONE: NamePattern = {
  pattern: /^[1-9]$/,
  what: 'an Azure availability zone',
  example: '1',
};
// Azure's rule: 1 to 90 letters, digits, "_", "-", ".", "(" or ")", not ending in ".".
// Letters include non-ASCII ones, which JSON Schema regexes cannot portably say, so
// the JSON Schema carries no pattern for it.
export const AZURE_RESOURCE_GROUP: NamePattern = {
  pattern: /^[\p{L}\p{N}_\-.()]{0,89}[\p{L}\p{N}_\-()]$/u,
  what: 'an Azure resource group name',
  example: 'strata-demo',
};

export function checkName(name: NamePattern): (value: string) => Problem | undefined {
  return (value) =>
    name.pattern.test(value) ? undefined : { message: `is not ${name.what}`, hint: `e.g. "${name.example}"` };
}

/**
 * AWS zones are the region plus a letter ("us-east-1a"), or a Local Zone
 * ("us-east-1-bos-1a"); Google Cloud zones are the region, "-" and a letter.
 */
export function zoneBelongsToRegion(cloud: 'aws' | 'gcp', zone: string, region: string): boolean {
  if (!zone.startsWith(region)) {
    return false;
  }
  const rest = zone.slice(region.length);
  return cloud === 'aws' ? /^(-[a-z0-9]+)*[a-z]$/.test(rest) && /^[a-z]$|^-/.test(rest) : /^-[a-z]$/.test(rest);
}
