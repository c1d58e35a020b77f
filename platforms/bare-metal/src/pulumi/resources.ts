// The boot server's profiles, groups and Ignition configs as Pulumi resources.
import * as pulumi from '@pulumi/pulumi';
import type { BootApiEndpoint } from '@strata/api';
import { dynamicProvider } from './provider.ts';

/** Type tokens read pulumi-nodejs:dynamic/strata-boot:<Type>. */
const MODULE = 'strata-boot';

/** Marks outputs secret by name, on top of whatever the caller asked for. */
function withSecretOutputs(
  opts: pulumi.CustomResourceOptions | undefined,
  names: readonly string[],
): pulumi.CustomResourceOptions {
  return { ...opts, additionalSecretOutputs: [...new Set([...(opts?.additionalSecretOutputs ?? []), ...names])] };
}

interface EndpointArgs {
  /** The write API and the client certificate to reach it with; kept only as a secret in the state. */
  readonly endpoint: pulumi.Input<BootApiEndpoint>;
}

export interface BootProfileArgs extends EndpointArgs {
  /** The profile's id: its file name on the boot server. Changing it replaces the profile. */
  readonly profileId: pulumi.Input<string>;
  readonly name?: pulumi.Input<string>;
  readonly boot?: pulumi.Input<{
    readonly kernel?: pulumi.Input<string>;
    readonly initrd?: pulumi.Input<pulumi.Input<string>[]>;
    readonly args?: pulumi.Input<pulumi.Input<string>[]>;
  }>;
  /** Name of the Ignition config (see BootIgnition) the profile serves. */
  readonly ignitionId?: pulumi.Input<string>;
  readonly genericId?: pulumi.Input<string>;
}

/** A matchbox profile: what a machine boots and which configs it gets. */
export class BootProfile extends pulumi.dynamic.Resource {
  declare readonly profileId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly boot: pulumi.Output<{ kernel: string; initrd: string[]; args: string[] }>;
  declare readonly ignitionId: pulumi.Output<string>;
  declare readonly genericId: pulumi.Output<string>;

  constructor(name: string, args: BootProfileArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      dynamicProvider('profile'),
      name,
      {
        endpoint: pulumi.secret(args.endpoint),
        profileId: args.profileId,
        name: args.name,
        boot: args.boot,
        ignitionId: args.ignitionId,
        genericId: args.genericId,
      },
      withSecretOutputs(opts, ['endpoint']),
      MODULE,
      'Profile',
    );
  }
}

export interface BootGroupArgs extends EndpointArgs {
  /** The group's id: its file name on the boot server. Changing it replaces the group. */
  readonly groupId: pulumi.Input<string>;
  readonly name?: pulumi.Input<string>;
  /** Id of the profile machines matching the selector boot. */
  readonly profile: pulumi.Input<string>;
  /** Labels a request must carry to match, e.g. { mac: "52:54:00:..", os: "installed" }; none makes the default group. */
  readonly selector?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Data for templates and the /metadata endpoint. */
  readonly metadata?: pulumi.Input<Record<string, unknown>>;
}

/** A matchbox group: which machines (by selector labels) boot which profile. */
export class BootGroup extends pulumi.dynamic.Resource {
  declare readonly groupId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly profile: pulumi.Output<string>;
  declare readonly selector: pulumi.Output<Record<string, string>>;
  declare readonly metadata: pulumi.Output<Record<string, unknown>>;

  constructor(name: string, args: BootGroupArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      dynamicProvider('group'),
      name,
      {
        endpoint: pulumi.secret(args.endpoint),
        groupId: args.groupId,
        name: args.name,
        profile: args.profile,
        selector: args.selector,
        metadata: args.metadata,
      },
      withSecretOutputs(opts, ['endpoint']),
      MODULE,
      'Group',
    );
  }
}

export interface BootIgnitionArgs extends EndpointArgs {
  /** File name under ignition/; end it in .ign for raw Ignition JSON. Changing it replaces the config. */
  readonly templateName: pulumi.Input<string>;
  /** The config text; a secret in the state, since Ignition configs carry credentials. */
  readonly content: pulumi.Input<string>;
}

/** An Ignition config (or template) in the boot server's ignition/ directory. */
export class BootIgnition extends pulumi.dynamic.Resource {
  declare readonly templateName: pulumi.Output<string>;
  declare readonly content: pulumi.Output<string>;

  constructor(name: string, args: BootIgnitionArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      dynamicProvider('ignition'),
      name,
      { endpoint: pulumi.secret(args.endpoint), templateName: args.templateName, content: pulumi.secret(args.content) },
      withSecretOutputs(opts, ['endpoint', 'content']),
      MODULE,
      'Ignition',
    );
  }
}
