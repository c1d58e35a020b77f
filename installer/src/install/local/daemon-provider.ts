// Pulumi serializes a dynamic provider's code, with every value it captures,
// into the stack's state. So this provider captures one string (where the
// implementation is) and loads the real code in the provider process.
import type * as pulumi from '@pulumi/pulumi';

type Crud = Required<Omit<pulumi.dynamic.ResourceProvider, 'configure'>>;
type CrudModule = { daemonCrud: Crud };

const IMPLEMENTATION = new URL('./daemon-crud.ts', import.meta.url).href;

export function daemonProvider(): pulumi.dynamic.ResourceProvider {
  const implementation = IMPLEMENTATION;
  const load = async (): Promise<Crud> => ((await import(implementation)) as CrudModule).daemonCrud;
  return {
    check: async (olds, news) => (await load()).check(olds, news),
    diff: async (id, olds, news) => (await load()).diff(id, olds, news),
    create: async (inputs) => (await load()).create(inputs),
    read: async (id, props) => (await load()).read(id, props),
    update: async (id, olds, news) => (await load()).update(id, olds, news),
    delete: async (id, props) => (await load()).delete(id, props),
  };
}
