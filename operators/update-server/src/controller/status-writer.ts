// The leader's work: write each UpdateGroup's and UpdateChannel's status
// (resolution, version breakdown, rollout progress, observedGeneration) and
// record an Event when something worth a person's attention changes. Machine
// counts change without any resource changing, so groups are also revisited
// on a resync interval.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { UPDATE_CHANNEL, UPDATE_GROUP } from '@strata/api';
import { EventRecorder, isNotFound, kubernetesApiError, runWorkers, WorkQueue, type EventObject } from '@strata/kube';
import type { UpdateStore } from '../store/store.ts';
import type { CatalogController } from './catalog-controller.ts';
import { groupCounts } from './group-counts.ts';
import type { UpdateChannelResource, UpdateGroupResource } from './resources.ts';
import { channelStatus, groupStatus, statusChanged } from './status.ts';

export const UPDATE_SERVER_CONTROLLER = 'update.strata.dev/update-server';
const FIELD_MANAGER = 'strata-update-server';

export interface StatusWriterOptions {
  readonly kubeConfig: KubeConfig;
  readonly controller: CatalogController;
  readonly store: UpdateStore;
  /** The leader's identity, as Events report it. */
  readonly identity: string;
  /** False from the moment the Lease is lost: no write after that. */
  readonly mayWrite: () => boolean;
  readonly resyncMs: number;
  readonly onError: (error: unknown, key: string) => void;
  readonly now?: () => Date;
}

const groupKey = (name: string) => `group/${name}`;
const channelKey = (name: string) => `channel/${name}`;

const eventObject = (
  kind: { apiVersion: string; kind: string },
  resource: { metadata: { name: string; uid: string } },
): EventObject => ({
  apiVersion: kind.apiVersion,
  kind: kind.kind,
  name: resource.metadata.name,
  uid: resource.metadata.uid,
});

/** Runs until `signal` aborts; then drains the queue and resolves. */
export async function runStatusWriter(options: StatusWriterOptions, signal: AbortSignal): Promise<void> {
  const { controller } = options;
  const queue = new WorkQueue();
  const customObjects = options.kubeConfig.makeApiClient(CustomObjectsApi);
  const events = new EventRecorder(options.kubeConfig, {
    reportingController: UPDATE_SERVER_CONTROLLER,
    reportingInstance: options.identity,
  });
  const now = options.now ?? (() => new Date());
  const enqueueAll = (): void => {
    for (const group of controller.groups()) queue.add(groupKey(group.metadata.name));
    for (const channel of controller.channels()) queue.add(channelKey(channel.metadata.name));
  };
  const unsubscribe = controller.onChange(enqueueAll);
  const resync = setInterval(() => {
    for (const group of controller.groups()) queue.add(groupKey(group.metadata.name));
  }, options.resyncMs);
  const stop = (): void => void queue.shutDown();
  signal.addEventListener('abort', stop, { once: true });
  if (signal.aborted) stop();
  enqueueAll();

  const record = (regarding: EventObject, type: 'Normal' | 'Warning', reason: string, note: string): Promise<void> =>
    events
      .record({ regarding, type, reason, action: 'Reconcile', note })
      .then(() => undefined)
      .catch((error: unknown) => options.onError(error, regarding.name));

  const writeStatus = async (
    kind: typeof UPDATE_GROUP | typeof UPDATE_CHANNEL,
    resource: UpdateGroupResource | UpdateChannelResource,
    status: unknown,
  ): Promise<boolean> => {
    if (!statusChanged(resource.status, status) || !options.mayWrite()) return false;
    try {
      await customObjects.replaceClusterCustomObjectStatus({
        group: kind.group,
        version: kind.version,
        plural: kind.plural,
        name: resource.metadata.name,
        // The resourceVersion read makes a write over a newer object a conflict, retried with the newer one.
        body: { ...resource, status },
        fieldManager: FIELD_MANAGER,
      });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw kubernetesApiError(
        { verb: 'update', resource: `${kind.plural}/status`, name: resource.metadata.name },
        error,
      );
    }
  };

  const reconcileChannel = async (name: string): Promise<void> => {
    const resource = controller.channel(name);
    const resolution = controller.resolution().channels.get(name);
    if (resource === undefined || resolution === undefined) return;
    const status = channelStatus({
      ...resolution,
      previous: resource.status,
      generation: resource.metadata.generation ?? 0,
      now: now(),
    });
    const before = resource.status?.conditions?.find(({ type }) => type === 'Resolved');
    if (!(await writeStatus(UPDATE_CHANNEL, resource, status))) return;
    const regarding = eventObject(UPDATE_CHANNEL, resource);
    if (before?.status !== resolution.resolved.status || before.reason !== resolution.resolved.reason) {
      if (resolution.resolved.status === 'False')
        await record(regarding, 'Warning', resolution.resolved.reason, resolution.resolved.message);
      else if (before !== undefined) await record(regarding, 'Normal', 'Resolved', resolution.resolved.message);
    }
    if (resolution.version !== undefined && resolution.version !== resource.status?.version)
      await record(regarding, 'Normal', 'ReleaseChanged', `the channel offers ${resolution.version}`);
  };

  const reconcileGroup = async (name: string): Promise<void> => {
    const resource = controller.group(name);
    const resolution = controller.resolution().groups.get(name);
    if (resource === undefined || resolution === undefined) return;
    const at = now();
    const track = resource.spec.track;
    const { versions, rollout } = await groupCounts(track, resolution, options.store, at);
    const status = groupStatus({
      resolved: resolution.resolved,
      versions,
      rollout,
      previous: resource.status,
      generation: resource.metadata.generation ?? 0,
      now: at,
    });
    const previous = resource.status;
    const before = previous?.conditions?.find(({ type }) => type === 'Resolved');
    if (!(await writeStatus(UPDATE_GROUP, resource, status))) return;
    const regarding = eventObject(UPDATE_GROUP, resource);
    if (before?.status !== resolution.resolved.status || before.reason !== resolution.resolved.reason) {
      if (resolution.resolved.status === 'False')
        await record(regarding, 'Warning', resolution.resolved.reason, resolution.resolved.message);
      else if (before !== undefined) await record(regarding, 'Normal', 'Resolved', resolution.resolved.message);
    }
    if (rollout !== undefined && rollout.version !== previous?.rollout?.version)
      await record(regarding, 'Normal', 'RolloutStarted', `rolling out ${rollout.version} to track ${track}`);
    const everyMachineOn = (counts: readonly { version: string; machines: number }[] | undefined, version: string) =>
      counts !== undefined && counts.length === 1 && counts[0]?.version === version;
    if (
      rollout !== undefined &&
      everyMachineOn(status.versions, rollout.version) &&
      !everyMachineOn(previous?.versions, rollout.version)
    )
      await record(regarding, 'Normal', 'RolloutComplete', `every machine of track ${track} runs ${rollout.version}`);
  };

  try {
    await runWorkers(
      queue,
      2,
      async (key) => {
        const [kind, name = ''] = key.split('/', 2);
        await (kind === 'group' ? reconcileGroup(name) : reconcileChannel(name));
      },
      { onError: options.onError },
    );
  } finally {
    clearInterval(resync);
    unsubscribe();
    signal.removeEventListener('abort', stop);
  }
}
