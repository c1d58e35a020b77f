// The three clouds, each its package's program and offline preflight.
import { AWS_PROVIDER_PLUGIN, awsPreflight, awsProgram } from '@strata/platform-aws';
import { azurePreflight, azureProgram, providerPlugin as azureProviderPlugin } from '@strata/platform-azure';
import { gcpPreflight, gcpProgram, gcpProviderPlugin } from '@strata/platform-gcp';
import { cloudDriver } from './driver.ts';

export const awsDriver = cloudDriver({
  platform: 'aws',
  plugin: () => AWS_PROVIDER_PLUGIN,
  pluginCheckId: 'aws-provider-plugin',
  preflight: awsPreflight,
  program: awsProgram,
});

export const gcpDriver = cloudDriver({
  platform: 'gcp',
  plugin: gcpProviderPlugin,
  pluginCheckId: 'gcp-provider-plugin',
  preflight: gcpPreflight,
  program: gcpProgram,
});

export const azureDriver = cloudDriver({
  platform: 'azure',
  plugin: azureProviderPlugin,
  pluginCheckId: 'azure-plugin',
  preflight: azurePreflight,
  program: azureProgram,
});
