// The public entry point of @strata/platform-azure: the Azure program, its
// plan and names, the offline preflight checks and those that ask Azure.
export { azureProgram } from './program.ts';
export { CONTROLLER_CONFIG_TYPE } from './resources/controllers.ts';
export { azurePlan, type AzurePlan, type ControllerPlan, type WorkerPoolPlan } from './plan.ts';
export {
  azureResourceNames,
  nameProblem,
  namedResources,
  NAME_RULES,
  type AzureResourceNames,
  type ControllerNames,
  type NameKind,
  type WorkerPoolNames,
} from './names.ts';
export { addressPlan, type AddressPlan } from './addresses.ts';
export {
  azurePreflight,
  credentialCheck as azureCredentialCheck,
  providerPlugin,
  type Environment,
  type PreflightCheck,
} from './preflight.ts';
export { azureExistenceChecks, vmSizeFields, type AzureExistenceOptions } from './existence.ts';
export type { ArmAccess } from './arm.ts';
export { AzurePlatformError } from './errors.ts';
