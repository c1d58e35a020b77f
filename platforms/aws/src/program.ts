// The AWS platform's Pulumi program: an inline program for
// @strata/pulumi-workspace's openStack that turns a render (config, topology,
// each target's Ignition) into a cluster and returns the stack outputs every
// platform returns.
import * as pulumi from '@pulumi/pulumi';
import type { PulumiFn } from '@pulumi/pulumi/automation/index.js';
import { getAmiOutput } from '@pulumi/aws/ec2/getAmi.js';
import { Provider } from '@pulumi/aws/provider.js';
import type { PlatformStackOutputs, ProvisionedNode } from '@strata/api';
import type { ClusterConfig, PlatformProgramInput } from '@strata/assets';
import { AwsProgramError } from './errors.ts';
import { imageQuery } from './image.ts';
import { awsResourceNames, type AwsResourceNames } from './names.ts';
import { networkPlan, type NetworkPlan } from './network.ts';
import { apiLoadBalancer, dnsRecords } from './resources/api.ts';
import { programContext } from './resources/context.ts';
import { controllerMachines, ignitionBucket } from './resources/controllers.ts';
import { securityGroups } from './resources/firewall.ts';
import { clusterNetwork } from './resources/network.ts';
import { workerGroups } from './resources/workers.ts';

/** The stack outputs as the program returns them: the controllers' addresses are known once AWS assigns them. */
export interface AwsProgramOutputs {
  readonly apiEndpoint: PlatformStackOutputs['apiEndpoint'];
  readonly nodes: pulumi.Output<ProvisionedNode[]>;
}

export interface CheckedAwsConfig {
  readonly aws: NonNullable<ClusterConfig['aws']>;
  readonly names: AwsResourceNames;
  readonly network: NetworkPlan;
}

/** Everything that can be wrong with the config without asking AWS; throws an `AwsProgramError` naming the field. */
export function checkAwsConfig(config: ClusterConfig): CheckedAwsConfig {
  if (config.platform !== 'aws' || config.aws === undefined) {
    throw new AwsProgramError(
      `the AWS program needs platform aws and an aws section, not platform ${config.platform}`,
      {
        field: 'platform',
        platform: config.platform,
      },
    );
  }
  const zoneSuffix = `.${config.baseDomain}`;
  if (!config.apiDnsName.endsWith(zoneSuffix)) {
    throw new AwsProgramError(
      `apiDnsName ${config.apiDnsName} is not under baseDomain ${config.baseDomain}, whose Route53 zone gets the API's record`,
      { field: 'apiDnsName', apiDnsName: config.apiDnsName, baseDomain: config.baseDomain },
    );
  }
  return { aws: config.aws, names: awsResourceNames(config), network: networkPlan(config) };
}

function declare(input: PlatformProgramInput, { aws, names, network }: CheckedAwsConfig): Promise<AwsProgramOutputs> {
  const { config, topology, ignition } = input;
  const provider = new Provider(names.cluster, { region: aws.region });
  const ctx = programContext(names, provider);
  const image = getAmiOutput(imageQuery(config.os), { provider });
  const { vpc, subnets } = clusterNetwork(ctx, network);
  const groups = securityGroups(ctx, vpc, network.vpcCidr);
  const bucket = ignitionBucket(ctx);
  const controllers = controllerMachines(ctx, bucket, {
    instanceType: aws.controllerType,
    imageId: image.id,
    subnets,
    securityGroup: groups.controller,
    ignition,
  });
  const { loadBalancer } = apiLoadBalancer(ctx, vpc, subnets, controllers);
  dnsRecords(ctx, config.baseDomain, loadBalancer, controllers);
  const workers = workerGroups(ctx, {
    pools: config.workerPools,
    imageId: image.id,
    subnets,
    securityGroup: groups.worker,
    ignition,
  });
  const nodes = pulumi
    .all(controllers.map((controller) => controller.instance.privateIp))
    .apply((addresses): ProvisionedNode[] => [
      ...controllers.map((controller, index): ProvisionedNode => ({
        name: controller.names.node,
        role: 'controller',
        ...(addresses[index] === undefined ? {} : { address: addresses[index] }),
      })),
      ...workers.map((worker): ProvisionedNode => ({ name: worker.names.target, role: 'worker', count: worker.count })),
    ]);
  return Promise.resolve({ apiEndpoint: topology.apiServerUrl, nodes });
}

/**
 * The inline program for `input`. The input is checked now, so a config the
 * program cannot build fails before a stack is opened.
 */
export function awsProgram(input: PlatformProgramInput): PulumiFn & (() => Promise<AwsProgramOutputs>) {
  const checked = checkAwsConfig(input.config);
  return () => declare(input, checked);
}
