// The three clouds, each its package's program, offline preflight and the
// checks through the provider (Azure's list locations and VM sizes with
// Microsoft's SDK and the provider's token: see its README).
import { AWS_PROVIDER_PLUGIN, awsExistenceChecks, awsPreflight, awsProgram } from '@strata/platform-aws';
import {
  azureExistenceChecks,
  azurePreflight,
  azureProgram,
  providerPlugin as azureProviderPlugin,
} from '@strata/platform-azure';
import { gcpExistenceChecks, gcpPreflight, gcpProgram, gcpProviderPlugin } from '@strata/platform-gcp';
import { cloudDriver, type CloudSpec } from './driver.ts';

export const awsCloud: CloudSpec = {
  platform: 'aws',
  plugin: () => AWS_PROVIDER_PLUGIN,
  pluginCheckId: 'aws-provider-plugin',
  preflight: awsPreflight,
  program: awsProgram,
  existence: (config) => awsExistenceChecks(config),
};

export const gcpCloud: CloudSpec = {
  platform: 'gcp',
  plugin: gcpProviderPlugin,
  pluginCheckId: 'gcp-provider-plugin',
  preflight: gcpPreflight,
  program: gcpProgram,
  existence: (config) => gcpExistenceChecks(config),
};

export const azureCloud: CloudSpec = {
  platform: 'azure',
  plugin: azureProviderPlugin,
  pluginCheckId: 'azure-plugin',
  preflight: azurePreflight,
  program: azureProgram,
  existence: (config) => azureExistenceChecks(config),
};

export const awsDriver = cloudDriver(awsCloud);
export const gcpDriver = cloudDriver(gcpCloud);
export const azureDriver = cloudDriver(azureCloud);
