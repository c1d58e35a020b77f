// The local daemon resource's real work, loaded in the dynamic provider
// process by daemon-provider.ts; nothing here is serialized into the state.
import type * as pulumi from '@pulumi/pulumi';
import { clusterTopology, loadClusterConfig } from '@strata/assets';
import { waitFor } from '@strata/host';
import { checkPortsFree, ClusterDirectory } from '@strata/platform-local';
import { startDaemon, stopDaemon } from './daemon.ts';
import {
  daemonInputsSchema,
  daemonOutputsSchema,
  ownKeys,
  REPLACING_INPUTS,
  type DaemonInputs,
  type DaemonOutputs,
} from './daemon-inputs.ts';

const PORTS_FREE_TIMEOUT_MS = 30_000;

async function start(inputs: DaemonInputs): Promise<DaemonOutputs> {
  const { pid } = await startDaemon({ dir: inputs.dir, configPath: inputs.configPath });
  return { ...inputs, pid };
}

/** Stops the daemon and proves every port its control plane bound is free again. */
async function stop(inputs: DaemonInputs): Promise<void> {
  await stopDaemon(inputs.dir);
  const topology = clusterTopology(await loadClusterConfig(inputs.configPath, { hostNetworks: [] }));
  await waitFor(
    `the local control plane's ports to be free after stopping ${inputs.dir}`,
    async () => {
      await checkPortsFree(topology);
      return true;
    },
    { timeoutMs: PORTS_FREE_TIMEOUT_MS, intervalMs: 250, retryErrors: true },
  );
}

export const daemonCrud: Required<Omit<pulumi.dynamic.ResourceProvider, 'configure'>> = {
  check: (_olds, news: unknown) => Promise.resolve({ inputs: daemonInputsSchema.parse(ownKeys(news)) }),
  diff: (_id, olds: unknown, news: unknown) => {
    const before = daemonOutputsSchema.partial().parse(ownKeys(olds));
    const after = daemonInputsSchema.parse(ownKeys(news));
    const changed = (Object.keys(after) as (keyof DaemonInputs)[]).filter((key) => before[key] !== after[key]);
    return Promise.resolve({
      changes: changed.length > 0,
      replaces: changed.filter((key) => (REPLACING_INPUTS as readonly string[]).includes(key)),
      // Two daemons of one directory cannot run at once: the old one goes first.
      deleteBeforeReplace: true,
    });
  },
  create: async (news: unknown) => {
    const outputs = await start(daemonInputsSchema.parse(ownKeys(news)));
    return { id: `local:${outputs.dir}`, outs: outputs };
  },
  read: async (id, props: unknown) => {
    const outputs = daemonOutputsSchema.parse(ownKeys(props));
    const pid = await new ClusterDirectory(outputs.dir).runningPid();
    // No daemon: the cluster is gone, and the engine learns so from the empty id.
    if (pid === undefined) return { id: '', props: {} };
    return { id, props: { ...outputs, pid } };
  },
  update: async (_id, olds: unknown, news: unknown) => {
    const before = daemonOutputsSchema.parse(ownKeys(olds));
    const after = daemonInputsSchema.parse(ownKeys(news));
    // The daemon reads its config once: a changed config takes a restart (etcd's data stays in the directory).
    await stop(before);
    return { outs: await start(after) };
  },
  delete: async (_id, props: unknown) => {
    await stop(daemonOutputsSchema.parse(ownKeys(props)));
  },
};
