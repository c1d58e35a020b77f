// The three clouds, each its package's program, offline preflight and the
// checks through the provider (Azure's list locations and VM sizes with
// Microsoft's SDK and the provider's token: see its README).
import {
  AWS_PROVIDER_PLUGIN,
  awsExistenceChecks,
  awsPreflight,
  awsProgram,
  CONTROLLER_CONFIG_TYPE as AWS_CONTROLLER_CONFIG,
} from '@strata/platform-aws';
import {
  azureExistenceChecks,
  azurePreflight,
  azureProgram,
  CONTROLLER_CONFIG_TYPE as AZURE_CONTROLLER_CONFIG,
  providerPlugin as azureProviderPlugin,
} from '@strata/platform-azure';
import {
  CONTROLLER_CONFIG_TYPE as GCP_CONTROLLER_CONFIG,
  gcpExistenceChecks,
  gcpPreflight,
  gcpProgram,
  gcpProviderPlugin,
} from '@strata/platform-gcp';
import { cloudDriver, type CloudSpec } from './driver.ts';

export const awsSpec: CloudSpec = {
  platform: 'aws',
  plugin: () => AWS_PROVIDER_PLUGIN,
  pluginCheckId: 'aws-provider-plugin',
  preflight: awsPreflight,
  program: awsProgram,
  controllerConfigType: AWS_CONTROLLER_CONFIG,
  existence: (config) => awsExistenceChecks(config),
};

export const gcpSpec: CloudSpec = {
  platform: 'gcp',
  plugin: gcpProviderPlugin,
  pluginCheckId: 'gcp-provider-plugin',
  preflight: gcpPreflight,
  program: gcpProgram,
  controllerConfigType: GCP_CONTROLLER_CONFIG,
  existence: (config) => gcpExistenceChecks(config),
};

export const azureSpec: CloudSpec = {
  platform: 'azure',
  plugin: azureProviderPlugin,
  pluginCheckId: 'azure-plugin',
  preflight: azurePreflight,
  program: azureProgram,
  controllerConfigType: AZURE_CONTROLLER_CONFIG,
  existence: (config) => azureExistenceChecks(config),
};

export const CLOUD_SPECS = { aws: awsSpec, gcp: gcpSpec, azure: azureSpec } as const;
export type Cloud = keyof typeof CLOUD_SPECS;

export const awsDriver = cloudDriver(awsSpec);
export const gcpDriver = cloudDriver(gcpSpec);
export const azureDriver = cloudDriver(azureSpec);
