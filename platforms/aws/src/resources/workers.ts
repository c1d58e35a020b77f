// The workers: per pool, a launch template whose user data is the pool's
// Ignition config (its only secret is the bootstrap token, which can only ask
// for a node certificate), and an autoscaling group of `count` machines.
import * as pulumi from '@pulumi/pulumi';
import { Group } from '@pulumi/aws/autoscaling/group.js';
import { LaunchTemplate } from '@pulumi/aws/ec2/launchTemplate.js';
import type { SecurityGroup } from '@pulumi/aws/ec2/securityGroup.js';
import type { Subnet } from '@pulumi/aws/ec2/subnet.js';
import type { WorkerPool } from '@strata/assets';
import { AwsProgramError } from '../errors.ts';
import type { WorkerPoolNames } from '../names.ts';
import type { ProgramContext } from './context.ts';
import {
  DEFAULT_WORKER_TYPE,
  MAX_USER_DATA_BYTES,
  METADATA_OPTIONS,
  ROOT_DEVICE,
  ROOT_VOLUME_GIB,
  ROOT_VOLUME_TYPE,
} from './machine.ts';

export interface WorkerGroup {
  readonly names: WorkerPoolNames;
  readonly count: number;
  readonly group: Group;
}

export interface WorkerSettings {
  readonly pools: readonly WorkerPool[];
  readonly imageId: pulumi.Input<string>;
  readonly subnets: readonly Subnet[];
  readonly securityGroup: SecurityGroup;
  /** Each pool's rendered Ignition config, by its target name. */
  readonly ignition: ReadonlyMap<string, string>;
}

export function workerGroups(ctx: ProgramContext, settings: WorkerSettings): WorkerGroup[] {
  return ctx.names.workerPools.map((names, index): WorkerGroup => {
    const pool = settings.pools[index];
    if (pool?.name !== names.pool) {
      throw new AwsProgramError(`worker pool ${names.pool} is not in the config`, { pool: names.pool });
    }
    const content = settings.ignition.get(names.target);
    if (content === undefined) {
      throw new AwsProgramError(`the render holds no Ignition config for worker pool ${names.pool}`, {
        pool: names.pool,
        target: names.target,
      });
    }
    const bytes = Buffer.byteLength(content);
    if (bytes > MAX_USER_DATA_BYTES) {
      throw new AwsProgramError(
        `worker pool ${names.pool}'s Ignition config is ${bytes} bytes; EC2 user data holds at most ${MAX_USER_DATA_BYTES}`,
        { pool: names.pool, bytes, max: MAX_USER_DATA_BYTES },
      );
    }
    const template = new LaunchTemplate(
      names.launchTemplate,
      {
        name: names.launchTemplate,
        imageId: settings.imageId,
        instanceType: pool.instanceType ?? DEFAULT_WORKER_TYPE,
        vpcSecurityGroupIds: [settings.securityGroup.id],
        // Launch templates take user data base64-encoded; secret, so the state keeps the token encrypted.
        userData: pulumi.secret(Buffer.from(content).toString('base64')),
        metadataOptions: METADATA_OPTIONS,
        blockDeviceMappings: [
          {
            deviceName: ROOT_DEVICE,
            ebs: { volumeSize: ROOT_VOLUME_GIB, volumeType: ROOT_VOLUME_TYPE, encrypted: 'true' },
          },
        ],
        tagSpecifications: ['instance', 'volume'].map((resourceType) => ({
          resourceType,
          tags: ctx.tags(names.target),
        })),
        tags: ctx.tags(names.launchTemplate),
      },
      ctx.opts(),
    );
    const group = new Group(
      names.autoscalingGroup,
      {
        name: names.autoscalingGroup,
        minSize: pool.count,
        maxSize: pool.count,
        desiredCapacity: pool.count,
        vpcZoneIdentifiers: settings.subnets.map((subnet) => subnet.id),
        launchTemplate: { id: template.id, version: pulumi.interpolate`${template.latestVersion}` },
        healthCheckType: 'EC2',
        tags: Object.entries(ctx.tags(names.target)).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
      },
      ctx.opts(),
    );
    return { names, count: pool.count, group };
  });
}
