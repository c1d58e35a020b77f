import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createClient, type MessageBus } from 'dbus-native';
import {
  HOST_FILES,
  LOGIN1,
  UPDATE_ENGINE,
  type NodeOperatingSystem,
  type OsRelease,
  type UpdateEngine,
  type UpdateEngineStatus,
} from '@strata/api';
import { DEFAULT_SYSTEM_BUS_ADDRESS } from '@strata/api';
import { DbusCallError, MalformedSignalError, OsReleaseError } from './errors.ts';
import { readOsRelease } from './os-release.ts';
import { updateEngineStatusBody } from './update-engine-status.ts';

/** The kernel's id of the current boot, which changes at every boot (under the host's root). */
export const BOOT_ID_PATH = HOST_FILES.bootId;

export interface DbusOperatingSystemOptions {
  /** The system bus; default $DBUS_SYSTEM_BUS_ADDRESS, else unix:path=/var/run/dbus/system_bus_socket. */
  readonly busAddress?: string;
  /** Where the host's files are (os-release, update.conf, boot id), e.g. hostPath mounts; default $HOST_ROOT, else "/". */
  readonly root?: string;
  /** How long a D-Bus call may wait for its reply; default 25 s, as libdbus, GDBus and sd-bus. */
  readonly callTimeoutMs?: number;
  /** Told of StatusUpdate signals that could not be read (they are dropped), and of bus errors. Default: a process warning. */
  readonly onProblem?: (error: Error) => void;
  /**
   * Told when the bus connection ends without close(): no signal arrives and no call succeeds any more. The agent's
   * process should then exit and be restarted (its state is on the Node). Default: onProblem.
   */
  readonly onDisconnect?: (error: Error) => void;
}

interface Call {
  readonly service: string;
  readonly path: string;
  readonly interface: string;
  readonly member: string;
  readonly signature?: string;
  readonly body?: unknown[];
}

/**
 * A real Container Linux host, over the system D-Bus: update_engine
 * (com.coreos.update1) for the update status, logind for the reboot, and the
 * files that say which OS and which boot this is. The agent runs on the host
 * it describes, so the release and the boot id are read once, at connect: a
 * reboot ends this process.
 */
export class DbusOperatingSystem implements NodeOperatingSystem {
  readonly updateEngine: UpdateEngine;
  readonly #bus: MessageBus;
  readonly #release: OsRelease;
  readonly #bootId: string;
  readonly #timeout: number;
  readonly #onProblem: (error: Error) => void;
  readonly #statusListeners = new Set<(status: UpdateEngineStatus) => void>();
  readonly #shutdownListeners = new Set<() => Promise<void>>();
  #closing = false;

  private constructor(bus: MessageBus, release: OsRelease, bootId: string, options: DbusOperatingSystemOptions) {
    this.#bus = bus;
    this.#release = release;
    this.#bootId = bootId;
    this.#timeout = options.callTimeoutMs ?? 25_000;
    this.#onProblem = options.onProblem ?? ((error) => process.emitWarning(error));
    this.updateEngine = {
      getStatus: () => this.#getStatus(),
      onStatusUpdate: (listener) => {
        this.#statusListeners.add(listener);
        return () => {
          this.#statusListeners.delete(listener);
        };
      },
      attemptUpdate: async () => {
        await this.#call({ ...UPDATE_ENGINE_TARGET, member: 'AttemptUpdate' });
      },
    };
    const onDisconnect = options.onDisconnect ?? this.#onProblem;
    // A listener, so that a connection error is reported rather than thrown as an unhandled 'error' event.
    bus.connection.on('error', (error: unknown) =>
      this.#onProblem(new DbusCallError(`the system bus connection failed: ${String(error)}`, {}, { cause: error })),
    );
    bus.connection.on('close', (cause: unknown) => {
      if (!this.#closing)
        onDisconnect(
          new DbusCallError(
            'the system bus connection closed; update_engine and logind are out of reach',
            {},
            { cause },
          ),
        );
    });
    bus.signals.on(bus.mangle(UPDATE_ENGINE.path, UPDATE_ENGINE.interface, 'StatusUpdate'), (body: unknown) =>
      this.#statusSignal(body),
    );
    bus.signals.on(bus.mangle(LOGIN1.path, LOGIN1.interface, 'PrepareForShutdown'), (body: unknown) =>
      this.#shutdownSignal(body),
    );
  }

  /** Reads the host's release and boot id, connects to the system bus and subscribes to update_engine's StatusUpdate. */
  static async connect(options: DbusOperatingSystemOptions = {}): Promise<DbusOperatingSystem> {
    const root = options.root ?? (process.env['HOST_ROOT'] || '/');
    const release = await readOsRelease(root);
    const bootId = await readBootId(root);
    const busAddress = options.busAddress ?? process.env['DBUS_SYSTEM_BUS_ADDRESS'] ?? DEFAULT_SYSTEM_BUS_ADDRESS;
    const bus = createClient({ busAddress, timeout: options.callTimeoutMs ?? 25_000 });
    try {
      await new Promise<void>((resolve, reject) => {
        bus.connection.once('connect', () => resolve());
        bus.connection.once('error', (error: unknown) =>
          reject(error instanceof Error ? error : new Error(String(error))),
        );
      });
      await bus.watch(
        `type='signal',sender='${UPDATE_ENGINE.service}',path='${UPDATE_ENGINE.path}',interface='${UPDATE_ENGINE.interface}',member='StatusUpdate'`,
      );
      await bus.watch(
        `type='signal',sender='${LOGIN1.service}',path='${LOGIN1.path}',interface='${LOGIN1.interface}',member='PrepareForShutdown'`,
      );
    } catch (error) {
      await bus.close();
      throw new DbusCallError(
        `cannot use the system bus at ${busAddress}: ${(error as Error).message}`,
        { busAddress },
        { cause: error },
      );
    }
    return new DbusOperatingSystem(bus, release, bootId, options);
  }

  release(): OsRelease {
    return this.#release;
  }

  bootId(): string {
    return this.#bootId;
  }

  /** This process only runs while the host is up. */
  isUp(): boolean {
    return true;
  }

  /** logind's Reboot(interactive=false): returns once logind has accepted it; the host then goes down, and this process with it. */
  async reboot(): Promise<void> {
    await this.#call({ ...LOGIN1_TARGET, member: 'Reboot', signature: 'b', body: [false] });
  }

  /**
   * Runs `listener` on logind's PrepareForShutdown(true). logind does not wait
   * for it (that would take an inhibitor lock, whose file descriptor Node cannot
   * receive over D-Bus), so it should be quick.
   */
  onShutdown(listener: () => Promise<void>): () => void {
    this.#shutdownListeners.add(listener);
    return () => {
      this.#shutdownListeners.delete(listener);
    };
  }

  /** Never fires: the agent starts after the boot it runs in, and a reboot ends it. */
  onBoot(listener: () => Promise<void>): () => void {
    void listener;
    return () => undefined;
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#bus.close();
  }

  async #getStatus(): Promise<UpdateEngineStatus> {
    const reply = await this.#call({ ...UPDATE_ENGINE_TARGET, member: 'GetStatus' });
    const parsed = updateEngineStatusBody.safeParse(reply);
    if (!parsed.success) {
      throw new DbusCallError(
        `update_engine's GetStatus answered something other than (${UPDATE_ENGINE.statusSignature}): ${parsed.error.message}`,
        {
          reply: String(reply),
        },
      );
    }
    return parsed.data;
  }

  #statusSignal(body: unknown): void {
    const parsed = updateEngineStatusBody.safeParse(body);
    if (!parsed.success) {
      this.#onProblem(
        new MalformedSignalError(
          `dropped a StatusUpdate signal that is not (${UPDATE_ENGINE.statusSignature}): ${parsed.error.message}`,
          {},
        ),
      );
      return;
    }
    for (const listener of [...this.#statusListeners]) listener(parsed.data);
  }

  #shutdownSignal(body: unknown): void {
    if (!Array.isArray(body) || body[0] !== true) return;
    for (const listener of [...this.#shutdownListeners]) {
      listener().catch((error: unknown) => this.#onProblem(error instanceof Error ? error : new Error(String(error))));
    }
  }

  async #call(call: Call): Promise<unknown> {
    try {
      return await this.#bus.invoke(
        {
          destination: call.service,
          path: call.path,
          interface: call.interface,
          member: call.member,
          ...(call.signature === undefined ? {} : { signature: call.signature, body: call.body ?? [] }),
        },
        { timeout: this.#timeout },
      );
    } catch (error) {
      const dbusName = (error as { dbusName?: unknown }).dbusName;
      throw new DbusCallError(
        `${call.interface}.${call.member} on ${call.service} failed: ${(error as Error).message}`,
        {
          service: call.service,
          member: call.member,
          dbusName,
        },
        { cause: error },
      );
    }
  }
}

const UPDATE_ENGINE_TARGET = {
  service: UPDATE_ENGINE.service,
  path: UPDATE_ENGINE.path,
  interface: UPDATE_ENGINE.interface,
};
const LOGIN1_TARGET = { service: LOGIN1.service, path: LOGIN1.path, interface: LOGIN1.interface };

async function readBootId(root: string): Promise<string> {
  const path = join(root, BOOT_ID_PATH);
  try {
    const bootId = (await readFile(path, 'utf8')).trim();
    if (bootId === '') throw new Error('it is empty');
    return bootId;
  } catch (error) {
    throw new OsReleaseError(
      `cannot read the boot id from ${path}: ${(error as Error).message}`,
      { path },
      { cause: error },
    );
  }
}
