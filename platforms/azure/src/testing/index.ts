// Public test helpers of @strata/platform-azure: Azure cluster configs and their rendered assets.
export { anAzureConfig, renderDirectory, renderedInput, TEST_SSH_KEY, type AzureConfigOptions } from './fixtures.ts';
