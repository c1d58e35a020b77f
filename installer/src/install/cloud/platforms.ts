// The three clouds, each its package's program, offline preflight and, where
// its SDK can ask, the checks through the provider (Azure's cannot: see its README).
import { AWS_PROVIDER_PLUGIN, awsExistenceChecks, awsPreflight, awsProgram } from '@strata/platform-aws';
import { azurePreflight, azureProgram, providerPlugin as azureProviderPlugin } from '@strata/platform-azure';
import { gcpExistenceChecks, gcpPreflight, gcpProgram, gcpProviderPlugin } from '@strata/platform-gcp';
import { cloudDriver } from './driver.ts';

export const awsDriver = cloudDriver({
  platform: 'aws',
  plugin: () => AWS_PROVIDER_PLUGIN,
  pluginCheckId: 'aws-provider-plugin',
  preflight: awsPreflight,
  program: awsProgram,
  existence: (config) => awsExistenceChecks(config),
});

export const gcpDriver = cloudDriver({
  platform: 'gcp',
  plugin: gcpProviderPlugin,
  pluginCheckId: 'gcp-provider-plugin',
  preflight: gcpPreflight,
  program: gcpProgram,
  existence: (config) => gcpExistenceChecks(config),
});

export const azureDriver = cloudDriver({
  platform: 'azure',
  plugin: azureProviderPlugin,
  pluginCheckId: 'azure-plugin',
  preflight: azurePreflight,
  program: azureProgram,
});
