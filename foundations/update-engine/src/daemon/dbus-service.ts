// update_engine's D-Bus face (service com.coreos.update1, object /com/coreos/update1, interface
// com.coreos.update1.Manager), as the update agent's D-Bus adapter reads it on a Flatcar host: GetStatus answering
// (xdssx), AttemptUpdate, and a StatusUpdate signal at every change of status.
import { createClient, defineInterface, type MessageBus } from 'dbus-native';
import { StrataError, UPDATE_ENGINE, type UpdateEngine, type UpdateEngineStatus } from '@strata/api';

/** The system bus could not be used, or update_engine's name is owned by another process. */
export class UpdateEngineBusError extends StrataError {}

/** GetStatus's out-arguments and StatusUpdate's, by name in wire order (`xdssx`). */
export const UPDATE_ENGINE_STATUS_ARGS = {
  last_checked_time: 'x',
  progress: 'd',
  current_operation: 's',
  new_version: 's',
  new_size: 'x',
} as const;

/** A status as GetStatus answers it and StatusUpdate carries it: 64-bit integers as bigint. */
export const updateEngineStatusBody = (status: UpdateEngineStatus) =>
  [
    BigInt(status.lastCheckedTime),
    status.progress,
    status.currentOperation,
    status.newVersion,
    BigInt(status.newSize),
  ] as const;

/** RequestName's flag: fail rather than wait in line behind another owner. */
const DO_NOT_QUEUE = 4;

/** GetStatus's reply, keyed by its out-arguments' names, as a service handler returns it. */
export function updateEngineStatusReply(status: UpdateEngineStatus) {
  const [last_checked_time, progress, current_operation, new_version, new_size] = updateEngineStatusBody(status);
  return { last_checked_time, progress, current_operation, new_version, new_size };
}

export interface ExportedUpdateEngine {
  close(): Promise<void>;
}

/** Owns update_engine's name on the bus at `busAddress` and serves `engine` there until `close()`. */
export async function exportUpdateEngine(engine: UpdateEngine, busAddress: string): Promise<ExportedUpdateEngine> {
  let bus: MessageBus;
  try {
    bus = createClient({ busAddress });
  } catch (error) {
    throw new UpdateEngineBusError(
      `cannot connect to the system bus at ${busAddress}`,
      { busAddress },
      {
        cause: error,
      },
    );
  }
  const manager = defineInterface({
    name: UPDATE_ENGINE.interface,
    methods: {
      GetStatus: {
        out: UPDATE_ENGINE_STATUS_ARGS,
        handler: async () => updateEngineStatusReply(await engine.getStatus()),
      },
      AttemptUpdate: async () => {
        await engine.attemptUpdate();
        return null;
      },
    },
    signals: { StatusUpdate: { args: UPDATE_ENGINE_STATUS_ARGS } },
  });
  const unsubscribe = engine.onStatusUpdate((status) =>
    manager.emit['StatusUpdate']?.(...updateEngineStatusBody(status)),
  );
  try {
    // The object first, so that a caller who finds the name finds the object behind it.
    await bus.export(UPDATE_ENGINE.path, manager);
    const name = await bus.ownName(UPDATE_ENGINE.service, DO_NOT_QUEUE);
    if (!name.isPrimaryOwner) throw new Error(`another process owns ${UPDATE_ENGINE.service}`);
  } catch (error) {
    unsubscribe();
    await bus.close();
    throw new UpdateEngineBusError(
      `cannot serve ${UPDATE_ENGINE.service} on the system bus at ${busAddress}: ${(error as Error).message}`,
      { busAddress, service: UPDATE_ENGINE.service },
      { cause: error },
    );
  }
  return {
    async close() {
      unsubscribe();
      await bus.close();
    },
  };
}
