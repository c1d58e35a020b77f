// Everything the Azure program declares, decided without Pulumi: names,
// addresses, the image, each machine's custom data and the stack outputs. The
// program (program.ts) only turns this plan into resources, so the decisions
// are testable on their own and a bad config fails before any engine starts.
import { platformStackOutputsSchema, type PlatformStackOutputs } from '@strata/api';
import type { PlatformProgramInput } from '@strata/assets';
import { addressPlan, type AddressPlan } from './addresses.ts';
import { CLUSTER_TAG, DEFAULT_WORKER_SIZE } from './constants.ts';
import { AzurePlatformError } from './errors.ts';
import { flatcarImage, type MarketplaceImage } from './image.ts';
import { blobUrl, customData, pointerConfig, renderedIgnition } from './ignition.ts';
import {
  azureResourceNames,
  nameProblem,
  namedResources,
  type AzureResourceNames,
  type ControllerNames,
  type WorkerPoolNames,
} from './names.ts';

export interface ControllerPlan {
  readonly names: ControllerNames;
  readonly address: string;
  /** The availability zone the controller is pinned to; undefined when the config names no zones. */
  readonly zone: string | undefined;
  /** The full rendered Ignition config: the blob's content. */
  readonly ignition: string;
  readonly blobUrl: string;
  /** Base64 of the pointer config. */
  readonly customData: string;
}

export interface WorkerPoolPlan {
  readonly names: WorkerPoolNames;
  readonly count: number;
  readonly size: string;
  /** Base64 of the pool's rendered Ignition config. */
  readonly customData: string;
}

export interface AzurePlan {
  readonly cluster: string;
  readonly location: string;
  /**
   * The availability zones machines are spread over, in the config's order; empty when the config names none, and
   * then nothing is pinned to a zone (ADR 0043).
   */
  readonly zones: readonly string[];
  readonly controllerSize: string;
  readonly apiPort: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly names: AzureResourceNames;
  readonly addresses: AddressPlan;
  readonly image: MarketplaceImage;
  readonly sshKeys: readonly string[];
  readonly controllers: readonly ControllerPlan[];
  readonly workerPools: readonly WorkerPoolPlan[];
  readonly outputs: PlatformStackOutputs;
}

export function azurePlan(input: PlatformProgramInput): AzurePlan {
  const { config, topology } = input;
  const azure = config.azure;
  if (config.platform !== 'azure' || azure === undefined) {
    throw new AzurePlatformError(`the cluster config is for platform ${config.platform}, not azure`, {
      field: 'platform',
      value: config.platform,
    });
  }
  // The config's own refusals come before anything about the render.
  const image = flatcarImage(config.os);
  const names = azureResourceNames(config);
  const problems = namedResources(names).flatMap(({ kind, name }) => nameProblem(kind, name) ?? []);
  if (problems.length > 0) {
    throw new AzurePlatformError(`Azure would refuse these names: ${problems.join('; ')}`, { problems });
  }
  const addresses = addressPlan(config);
  const zones = azure.zones ?? [];
  const controllers = names.controllers.map((controllerNames, index): ControllerPlan => {
    const full = renderedIgnition(input.ignition, controllerNames.node);
    const url = blobUrl(names.storageAccount, controllerNames.container, controllerNames.blob);
    const address = addresses.controllerAddresses[index];
    if (address === undefined) {
      throw new AzurePlatformError(`no address for ${controllerNames.node}`, { node: controllerNames.node });
    }
    return {
      names: controllerNames,
      address,
      // Round-robin, so that 3 controllers in 3 zones keep etcd's quorum when one zone is lost.
      zone: zones.length === 0 ? undefined : zones[index % zones.length],
      ignition: full.text,
      blobUrl: url,
      customData: customData(pointerConfig(url, full), controllerNames.node),
    };
  });
  const pools = new Map(config.workerPools.map((pool) => [pool.name, pool]));
  const workerPools = names.workerPools.map((poolNames): WorkerPoolPlan => {
    const pool = pools.get(poolNames.pool);
    if (pool === undefined) {
      throw new AzurePlatformError(`the topology names worker pool ${poolNames.pool}, which the config lacks`, {
        pool: poolNames.pool,
      });
    }
    return {
      names: poolNames,
      count: pool.count ?? 1,
      size: pool.instanceType ?? DEFAULT_WORKER_SIZE,
      customData: customData(renderedIgnition(input.ignition, poolNames.node).text, poolNames.node),
    };
  });
  const outputs = platformStackOutputsSchema.parse({
    apiEndpoint: topology.apiServerUrl,
    nodes: [
      ...controllers.map((controller) => ({
        name: controller.names.node,
        role: 'controller',
        address: controller.address,
      })),
      ...workerPools.map((pool) => ({ name: pool.names.node, role: 'worker', count: pool.count })),
    ],
  });
  return {
    cluster: config.name,
    location: azure.location,
    zones,
    controllerSize: azure.controllerType,
    apiPort: topology.apiServerPort,
    tags: { [CLUSTER_TAG]: config.name },
    names,
    addresses,
    image,
    sshKeys: config.sshAuthorizedKeys,
    controllers,
    workerPools,
    outputs,
  };
}
