// The providers' real work, loaded by the dynamic provider process through
// provider.ts. Everything here talks to the boot server's write API; nothing
// here is serialized into Pulumi's state.
import { isDeepStrictEqual } from 'node:util';
import type * as pulumi from '@pulumi/pulumi';
import { StrataError } from '@strata/api';
import { BootApiClient } from '@strata/api/boot-client';
import type { BootApi, BootApiEndpoint } from '@strata/api';
import type { Group, Profile } from '@strata/api';
import { diffInputs, PROVIDER_PROPERTY } from './diff.ts';
import {
  ID_PROPERTY,
  INPUT_SCHEMAS,
  type GroupInputs,
  type IgnitionInputs,
  type ProfileInputs,
  type ResourceKind,
} from './inputs.ts';

/** The boot server already holds a resource that this stack did not create. */
export class BootResourceExistsError extends StrataError {}

type Inputs = Record<string, unknown>;

function withoutProvider(inputs: Inputs): Inputs {
  return Object.fromEntries(Object.entries(inputs).filter(([key]) => key !== PROVIDER_PROPERTY));
}

/** What one kind of resource needs from the write API; the generic CRUD below does the rest. */
interface KindAdapter<T extends Inputs> {
  readonly kind: ResourceKind;
  parse(inputs: Inputs): T;
  id(inputs: T): string;
  endpoint(inputs: T): BootApiEndpoint;
  put(api: BootApi, inputs: T): Promise<void>;
  remove(api: BootApi, id: string): Promise<boolean>;
  /** The resource as the server holds it now, in input form, or undefined when it is gone. */
  read(api: BootApi, id: string, endpoint: BootApiEndpoint): Promise<T | undefined>;
}

function toProfile(inputs: ProfileInputs): Profile {
  return {
    id: inputs.profileId,
    name: inputs.name,
    boot: inputs.boot,
    ignition_id: inputs.ignitionId,
    generic_id: inputs.genericId,
    cloud_id: '',
  };
}

function toGroup(inputs: GroupInputs): Group {
  return {
    id: inputs.groupId,
    name: inputs.name,
    profile: inputs.profile,
    selector: inputs.selector,
    metadata: inputs.metadata,
  };
}

const profileAdapter: KindAdapter<ProfileInputs> = {
  kind: 'profile',
  parse: (inputs) => INPUT_SCHEMAS.profile.parse(withoutProvider(inputs)),
  id: (inputs) => inputs.profileId,
  endpoint: (inputs) => inputs.endpoint,
  put: (api, inputs) => api.putProfile(toProfile(inputs)),
  remove: (api, id) => api.deleteProfile(id),
  read: async (api, id, endpoint) => {
    const profile = await api.getProfile(id);
    if (profile === undefined) return undefined;
    return {
      endpoint,
      profileId: profile.id,
      name: profile.name,
      boot: profile.boot,
      ignitionId: profile.ignition_id,
      genericId: profile.generic_id,
    };
  },
};

const groupAdapter: KindAdapter<GroupInputs> = {
  kind: 'group',
  parse: (inputs) => INPUT_SCHEMAS.group.parse(withoutProvider(inputs)),
  id: (inputs) => inputs.groupId,
  endpoint: (inputs) => inputs.endpoint,
  put: (api, inputs) => api.putGroup(toGroup(inputs)),
  remove: (api, id) => api.deleteGroup(id),
  read: async (api, id, endpoint) => {
    const group = await api.getGroup(id);
    if (group === undefined) return undefined;
    return {
      endpoint,
      groupId: group.id,
      name: group.name,
      profile: group.profile,
      selector: group.selector,
      metadata: group.metadata,
    };
  },
};

const ignitionAdapter: KindAdapter<IgnitionInputs> = {
  kind: 'ignition',
  parse: (inputs) => INPUT_SCHEMAS.ignition.parse(withoutProvider(inputs)),
  id: (inputs) => inputs.templateName,
  endpoint: (inputs) => inputs.endpoint,
  put: (api, inputs) => api.putTemplate('ignition', inputs.templateName, inputs.content),
  remove: (api, id) => api.deleteTemplate('ignition', id),
  read: async (api, id, endpoint) => {
    const content = await api.getTemplate('ignition', id);
    return content === undefined ? undefined : { endpoint, templateName: id, content };
  },
};

const ADAPTERS: { readonly [K in ResourceKind]: KindAdapter<Inputs> } = {
  profile: profileAdapter,
  group: groupAdapter,
  ignition: ignitionAdapter,
};

/** One client per operation, closed after it: the provider process should hold no connections between calls. */
async function withApi<T>(endpoint: BootApiEndpoint, work: (api: BootApi) => Promise<T>): Promise<T> {
  const client = new BootApiClient(endpoint);
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

function checkFailures(kind: ResourceKind, inputs: Inputs): pulumi.dynamic.CheckFailure[] {
  const parsed = INPUT_SCHEMAS[kind].safeParse(withoutProvider(inputs));
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => ({
    property: issue.path.map(String).join('.') || '(inputs)',
    // The issue's input could be a private key: the reason names the rule, never the value.
    reason: issue.message,
  }));
}

/** The provider for one kind of resource; provider.ts reaches it through a dynamic import. */
export function crudProvider(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  const adapter = ADAPTERS[kind];
  const idProperty = ID_PROPERTY[kind];
  return {
    check: (_olds: Inputs, news: Inputs) => {
      const failures = checkFailures(kind, news);
      // Unvalidated inputs go back as they came: Pulumi reports the failures and stops.
      if (failures.length > 0) return Promise.resolve({ inputs: news, failures });
      return Promise.resolve({ inputs: { ...adapter.parse(news), [PROVIDER_PROPERTY]: news[PROVIDER_PROPERTY] } });
    },

    diff: (_id: string, olds: Inputs, news: Inputs) => {
      const diff = diffInputs(olds, news, idProperty);
      return Promise.resolve({
        changes: diff.changes,
        replaces: diff.replaces,
        stables: diff.stables,
        deleteBeforeReplace: diff.deleteBeforeReplace,
      });
    },

    create: async (inputs: Inputs) => {
      const resource = adapter.parse(inputs);
      const id = adapter.id(resource);
      await withApi(adapter.endpoint(resource), async (api) => {
        const existing = await adapter.read(api, id, adapter.endpoint(resource));
        if (existing !== undefined) {
          // An install killed between this write and the engine's checkpoint leaves exactly this object behind, and
          // the next run's recovery drops its pending create from the state: the same object under the same id is
          // this stack's own, and is adopted. Anything else under the id is someone else's.
          if (isDeepStrictEqual(adapter.parse(existing), resource)) return;
          throw new BootResourceExistsError(
            `the boot server already has a ${kind} "${id}" that this stack does not manage; delete it there (through the write API) before creating it here`,
            { kind, id },
          );
        }
        await adapter.put(api, resource);
      });
      return { id, outs: resource };
    },

    read: async (id: string, props?: Inputs) => {
      const current = adapter.parse(props ?? {});
      const endpoint = adapter.endpoint(current);
      const found = await withApi(endpoint, (api) => adapter.read(api, id, endpoint));
      // No id tells Pulumi the resource is gone, so a refresh drops it from the state.
      if (found === undefined) return {};
      return { id, props: found };
    },

    update: async (_id: string, _olds: Inputs, news: Inputs) => {
      const resource = adapter.parse(news);
      await withApi(adapter.endpoint(resource), (api) => adapter.put(api, resource));
      return { outs: resource };
    },

    delete: async (id: string, props: Inputs) => {
      const resource = adapter.parse(props);
      // Already gone (deleted by hand) is what delete wanted.
      await withApi(adapter.endpoint(resource), (api) => adapter.remove(api, id));
    },
  };
}
