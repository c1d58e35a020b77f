// The Azure program: turns the plan (plan.ts) into Azure resources through
// @pulumi/azure-native, importing one module file per resource kind so that
// loading the program does not load the whole SDK.
import type { PulumiFn } from '@pulumi/pulumi/automation/index.js';
import { getClientConfigOutput } from '@pulumi/azure-native/authorization/getClientConfig.js';
import { ResourceGroup } from '@pulumi/azure-native/resources/resourceGroup.js';
import type { PlatformStackOutputs } from '@strata/api';
import type { PlatformProgramInput } from '@strata/assets';
import { azurePlan, type AzurePlan } from './plan.ts';
import { declareControllers } from './resources/controllers.ts';
import { declareDns } from './resources/dns.ts';
import { declareNetwork } from './resources/network.ts';
import { declareWorkers } from './resources/workers.ts';

function declare(plan: AzurePlan): PlatformStackOutputs {
  const { names, location, tags } = plan;
  const group = new ResourceGroup(names.resourceGroup, { resourceGroupName: names.resourceGroup, location, tags });
  const context = {
    plan,
    inGroup: { resourceGroupName: group.name, location, tags },
    subscriptionId: getClientConfigOutput().subscriptionId,
  };
  const network = declareNetwork(context);
  declareDns(context, network.network, network.apiIp);
  declareControllers(context, network);
  declareWorkers(context, network);
  return plan.outputs;
}

/**
 * The inline program for `openStack` of @strata/pulumi-workspace. The plan is made now, so that a config or
 * render the program cannot use fails here, before any engine starts.
 */
export function azureProgram(input: PlatformProgramInput): PulumiFn {
  const plan = azurePlan(input);
  return () => Promise.resolve(declare(plan));
}
