// The bare-metal plan as a Pulumi program: one resource per profile, group
// and Ignition config, wired through outputs so that Pulumi creates a
// template before the profile that names it, and a profile before its groups
// (and deletes in the reverse order).
import * as pulumi from '@pulumi/pulumi';
import type { PulumiFn } from '@pulumi/pulumi/automation/index.js';
import type { BootApiEndpoint } from '@strata/api';
import { BootGroup, BootIgnition, BootProfile } from '../pulumi/resources.ts';
import { BareMetalFlowError } from './errors.ts';
import type { BareMetalPlan } from './plan.ts';

export interface BareMetalProgramOutputs {
  readonly profiles: string[];
  readonly groups: string[];
  readonly ignition: string[];
}

function lookup<T>(map: ReadonlyMap<string, T>, key: string, what: string, owner: string): T | undefined {
  if (key === '') return undefined;
  const found = map.get(key);
  if (found === undefined) {
    throw new BareMetalFlowError(`${owner} names ${what} "${key}", which the plan does not hold`, {
      owner,
      [what]: key,
    });
  }
  return found;
}

/** Declares the plan's resources against the write API at `endpoint`, whose credentials stay secret. */
export function bareMetalProgram(plan: BareMetalPlan, endpoint: BootApiEndpoint): PulumiFn {
  return () => {
    const secretEndpoint = pulumi.secret(endpoint);
    const ignition = new Map(
      plan.templates.map((template) => [
        template.name,
        new BootIgnition(`ignition/${template.name}`, {
          endpoint: secretEndpoint,
          templateName: template.name,
          content: template.content,
        }),
      ]),
    );
    const profiles = new Map(
      plan.profiles.map((profile) => {
        const template = lookup(ignition, profile.ignition_id, 'ignition', `profile "${profile.id}"`);
        return [
          profile.id,
          new BootProfile(`profile/${profile.id}`, {
            endpoint: secretEndpoint,
            profileId: profile.id,
            name: profile.name,
            boot: profile.boot,
            ignitionId: template?.templateName ?? profile.ignition_id,
            genericId: profile.generic_id,
          }),
        ];
      }),
    );
    for (const group of plan.groups) {
      const profile = lookup(profiles, group.profile, 'profile', `group "${group.id}"`);
      new BootGroup(`group/${group.id}`, {
        endpoint: secretEndpoint,
        groupId: group.id,
        name: group.name,
        profile: profile?.profileId ?? group.profile,
        selector: group.selector,
        metadata: group.metadata,
      });
    }
    const outputs: BareMetalProgramOutputs = {
      profiles: [...profiles.keys()],
      groups: plan.groups.map((group) => group.id),
      ignition: [...ignition.keys()],
    };
    return Promise.resolve(outputs);
  };
}
