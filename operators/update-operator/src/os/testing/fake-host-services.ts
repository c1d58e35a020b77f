// update_engine and logind as a Flatcar host exports them on the system bus,
// played by a test over a private bus with the same library the agent uses.
import { createClient, defineInterface, type DefinedInterface, type MessageBus } from 'dbus-native';
import type { UpdateEngineStatus } from '@strata/api';
import { LOGIN1, UPDATE_ENGINE } from '@strata/api';
import { UPDATE_ENGINE_STATUS_ARGS, updateEngineStatusBody, updateEngineStatusReply } from '@strata/update-engine';

export class FakeHostServices {
  status: UpdateEngineStatus = {
    lastCheckedTime: 0,
    progress: 0,
    currentOperation: 'UPDATE_STATUS_IDLE',
    newVersion: '',
    newSize: 0,
  };
  attemptUpdateCalls = 0;
  /** The `interactive` argument of every Reboot call. */
  readonly rebootCalls: boolean[] = [];
  readonly #bus: MessageBus;
  readonly #updateEngine: DefinedInterface;
  readonly #login1: DefinedInterface;

  private constructor(bus: MessageBus) {
    this.#bus = bus;
    this.#updateEngine = defineInterface({
      name: UPDATE_ENGINE.interface,
      methods: {
        GetStatus: {
          out: UPDATE_ENGINE_STATUS_ARGS,
          handler: () => updateEngineStatusReply(this.status),
        },
        AttemptUpdate: () => {
          this.attemptUpdateCalls += 1;
          return null;
        },
      },
      signals: { StatusUpdate: { args: UPDATE_ENGINE_STATUS_ARGS } },
    });
    this.#login1 = defineInterface({
      name: LOGIN1.interface,
      methods: {
        Reboot: {
          in: { interactive: 'b' },
          handler: ({ interactive }: { interactive: boolean }) => {
            this.rebootCalls.push(interactive);
            return null;
          },
        },
      },
      signals: { PrepareForShutdown: { args: { start: 'b' } } },
    });
  }

  static async start(address: string): Promise<FakeHostServices> {
    const bus = createClient({ busAddress: address });
    const services = new FakeHostServices(bus);
    await bus.ownName(UPDATE_ENGINE.service);
    await bus.ownName(LOGIN1.service);
    await bus.export(UPDATE_ENGINE.path, services.#updateEngine);
    await bus.export(LOGIN1.path, services.#login1);
    return services;
  }

  /** Changes the status and signals it, as update_engine does at every step. */
  publish(status: UpdateEngineStatus): void {
    this.status = status;
    this.#updateEngine.emit['StatusUpdate']?.(...updateEngineStatusBody(status));
  }

  /** Sends a StatusUpdate whose body does not fit the signature, as a broken peer might. */
  publishMalformed(): void {
    this.#bus.sendSignal(UPDATE_ENGINE.path, UPDATE_ENGINE.interface, 'StatusUpdate', 's', ['garbage']);
  }

  announceShutdown(): void {
    this.#login1.emit['PrepareForShutdown']?.(true);
  }

  async stop(): Promise<void> {
    await this.#bus.close();
  }
}
