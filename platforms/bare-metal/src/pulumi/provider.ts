// Pulumi serializes a dynamic provider's code, with every value it captures,
// into the stack's state, in plain text. So the provider captures nothing but
// two strings (which implementation, which kind) and loads the real code in
// the provider process; the write API's credentials travel as a secret input.
import type * as pulumi from '@pulumi/pulumi';
import type { ResourceKind } from './inputs.ts';

type Crud = Required<pulumi.dynamic.ResourceProvider>;
type CrudModule = { crudProvider(kind: ResourceKind): pulumi.dynamic.ResourceProvider };

const IMPLEMENTATION = new URL('./crud.ts', import.meta.url).href;

/** A provider whose serialized form is a few lines: each method imports crud.ts and delegates to it. */
export function dynamicProvider(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  const implementation = IMPLEMENTATION;
  const resourceKind = kind;
  const load = async (): Promise<Crud> =>
    ((await import(implementation)) as CrudModule).crudProvider(resourceKind) as Crud;
  return {
    check: async (olds, news) => (await load()).check(olds, news),
    diff: async (id, olds, news) => (await load()).diff(id, olds, news),
    create: async (inputs) => (await load()).create(inputs),
    read: async (id, props) => (await load()).read(id, props),
    update: async (id, olds, news) => (await load()).update(id, olds, news),
    delete: async (id, props) => (await load()).delete(id, props),
  };
}
