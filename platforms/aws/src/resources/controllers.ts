// The controllers: one instance each, whose full Ignition config (the
// cluster's private keys) sits in a private S3 object that only its own
// instance role may read; its user data holds only a pointer to that object.
import * as pulumi from '@pulumi/pulumi';
import { Instance } from '@pulumi/aws/ec2/instance.js';
import type { SecurityGroup } from '@pulumi/aws/ec2/securityGroup.js';
import type { Subnet } from '@pulumi/aws/ec2/subnet.js';
import { InstanceProfile } from '@pulumi/aws/iam/instanceProfile.js';
import { Role } from '@pulumi/aws/iam/role.js';
import { RolePolicy } from '@pulumi/aws/iam/rolePolicy.js';
import { Bucket } from '@pulumi/aws/s3/bucket.js';
import { BucketObjectv2 } from '@pulumi/aws/s3/bucketObjectv2.js';
import { BucketPublicAccessBlock } from '@pulumi/aws/s3/bucketPublicAccessBlock.js';
import { AwsProgramError } from '../errors.ts';
import { ignitionPointer, s3Url } from '../ignition-pointer.ts';
import type { ControllerNames } from '../names.ts';
import type { ProgramContext } from './context.ts';
import { METADATA_OPTIONS, ROOT_VOLUME_GIB, ROOT_VOLUME_TYPE } from './machine.ts';

/**
 * The resource that holds a controller's full Ignition: the one kind a key rotation updates, through the stack's
 * own program (the user data's pointer is ignored on a running instance, so nothing else follows).
 */
export const CONTROLLER_CONFIG_TYPE = 'aws:s3/bucketObjectv2:BucketObjectv2';

export interface ControllerMachine {
  readonly names: ControllerNames;
  readonly instance: Instance;
}

export interface ControllerSettings {
  readonly instanceType: string;
  readonly imageId: pulumi.Input<string>;
  readonly subnets: readonly Subnet[];
  readonly securityGroup: SecurityGroup;
  /** Each controller's rendered Ignition config, by node name. */
  readonly ignition: ReadonlyMap<string, string>;
}

const EC2_ASSUME_ROLE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

function readOnly(objectArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: objectArn }],
  });
}

export function ignitionBucket(ctx: ProgramContext): Bucket {
  const name = `${ctx.names.cluster}-ignition`;
  const bucket = new Bucket(
    name,
    // Destroying the cluster removes the bucket with whatever it holds.
    { bucketPrefix: ctx.names.ignitionBucketPrefix, forceDestroy: true, tags: ctx.tags(name) },
    ctx.opts(),
  );
  new BucketPublicAccessBlock(
    name,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    ctx.opts(),
  );
  return bucket;
}

export function controllerMachines(
  ctx: ProgramContext,
  bucket: Bucket,
  settings: ControllerSettings,
): ControllerMachine[] {
  return ctx.names.controllers.map((names, index): ControllerMachine => {
    const content = settings.ignition.get(names.node);
    if (content === undefined) {
      throw new AwsProgramError(`the render holds no Ignition config for controller ${names.node}`, {
        target: names.node,
      });
    }
    const subnet = settings.subnets[index % settings.subnets.length];
    if (subnet === undefined) {
      throw new AwsProgramError('the cluster has no subnet to put controllers in', { field: 'aws.zones' });
    }
    const object = new BucketObjectv2(
      names.ignitionKey,
      {
        bucket: bucket.id,
        key: names.ignitionKey,
        // Secret: the state file keeps it encrypted.
        content: pulumi.secret(content),
        contentType: 'application/json',
        serverSideEncryption: 'AES256',
        tags: ctx.tags(names.ignitionKey),
      },
      ctx.opts(),
    );
    const role = new Role(
      names.role,
      { name: names.role, assumeRolePolicy: EC2_ASSUME_ROLE, tags: ctx.tags(names.role) },
      ctx.opts(),
    );
    const policy = new RolePolicy(
      names.rolePolicy,
      {
        name: names.rolePolicy,
        role: role.name,
        policy: pulumi.interpolate`${bucket.arn}/${object.key}`.apply(readOnly),
      },
      ctx.opts(),
    );
    const profile = new InstanceProfile(
      names.instanceProfile,
      { name: names.instanceProfile, role: role.name, tags: ctx.tags(names.instanceProfile) },
      ctx.opts(),
    );
    const instance = new Instance(
      names.node,
      {
        ami: settings.imageId,
        instanceType: settings.instanceType,
        subnetId: subnet.id,
        vpcSecurityGroupIds: [settings.securityGroup.id],
        iamInstanceProfile: profile.name,
        userData: pulumi
          .all([bucket.bucket, object.key])
          .apply(([name, key]) => ignitionPointer(s3Url(name, key), content)),
        metadataOptions: METADATA_OPTIONS,
        rootBlockDevice: { volumeSize: ROOT_VOLUME_GIB, volumeType: ROOT_VOLUME_TYPE, encrypted: true },
        tags: ctx.tags(names.node),
        volumeTags: ctx.tags(names.node),
      },
      ctx.opts({
        // The object and the grant to read it must exist before Ignition fetches it on first boot.
        dependsOn: [object, policy],
        // Ignition runs once, on first boot: a newer AMI or a new render (a key rotation's among them) must not
        // replace a controller and its etcd member; the update operator moves the OS forward in place. A
        // controller created again gets the pointer to the object as it is then, hash included.
        ignoreChanges: ['ami', 'userData'],
      }),
    );
    return { names, instance };
  });
}
