// What every part of the program shares: the plan, the resource group's
// arguments and the subscription, which IDs of resources not yet created are
// built from.
import type * as pulumi from '@pulumi/pulumi';
import type { AzurePlan } from '../plan.ts';

export interface ProgramContext {
  readonly plan: AzurePlan;
  /** The arguments every regional, taggable resource of the group starts from. */
  readonly inGroup: {
    readonly resourceGroupName: pulumi.Output<string>;
    readonly location: string;
    readonly tags: Readonly<Record<string, string>>;
  };
  readonly subscriptionId: pulumi.Output<string>;
}
