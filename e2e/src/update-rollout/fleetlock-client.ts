// A FleetLock client as Zincati (Fedora CoreOS's update agent) is one: POST
// /v1/pre-reboot before finalizing an update and rebooting, POST
// /v1/steady-state once booted, each with the header `fleet-lock-protocol:
// true` and the body {"client_params":{"id","group"}}; 200 is success and any
// other answer a failure described by {"kind","value"}, after which Zincati
// asks again. It asks any replica, and a standby's "not the leader" sends it
// to the next one. Its requests leave from the node's own address, as
// Zincati's do from the host: the server accepts a node's requests only from
// that node's addresses. Like Zincati with Strata's rendered base_url, it asks
// over HTTPS, trusting the cluster CA (the node's trust anchor) and nothing
// else, and checks the certificate for the API's DNS name whichever replica's
// address it connects to.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { z } from 'zod';
import { FLEETLOCK_HEADER, FLEETLOCK_HEADER_VALUE, FLEETLOCK_PATHS } from '@strata/update-operator';

const errorBodySchema = z.object({ kind: z.string(), value: z.string() });

export interface FleetLockReply {
  readonly status: number;
  /** The error's kind and value, for any answer but 200. */
  readonly kind?: string;
  readonly value?: string;
  /** The replica that answered, host:port. */
  readonly endpoint: string;
}

export interface ZincatiClientOptions {
  /** The node's app-specific machine id (zincatiClientId of its machine id). */
  readonly id: string;
  /** Zincati's default update group. */
  readonly group?: string;
  /** The node's InternalIP, which every request leaves from (the client socket's local address). */
  readonly from: string;
  /** The FleetLock servers to ask, host:port, in order (the operator's replicas). */
  readonly endpoints: () => Promise<readonly string[]>;
  /** Ask over HTTPS: the only CA trusted (PEM) and the name the certificate must carry. Plain HTTP when absent. */
  readonly tls?: { readonly caPem: string; readonly serverName: string };
}

export class ZincatiClient {
  readonly #options: ZincatiClientOptions;

  constructor(options: ZincatiClientOptions) {
    this.#options = options;
  }

  /** One attempt at a reboot slot (RecursiveLock). */
  preReboot(): Promise<FleetLockReply> {
    return this.#ask(FLEETLOCK_PATHS.preReboot);
  }

  /** One attempt at giving the slot back (UnlockIfHeld). */
  steadyState(): Promise<FleetLockReply> {
    return this.#ask(FLEETLOCK_PATHS.steadyState);
  }

  async #ask(path: string): Promise<FleetLockReply> {
    const endpoints = await this.#options.endpoints();
    let last: FleetLockReply | undefined;
    for (const endpoint of endpoints) {
      let answer: { status: number; text: string };
      try {
        answer = await this.#post(endpoint, path);
      } catch (error) {
        last = {
          status: 0,
          kind: 'unreachable',
          value: error instanceof Error ? error.message : String(error),
          endpoint,
        };
        continue;
      }
      const text = answer.text;
      if (answer.status === 200) return { status: 200, endpoint };
      const parsed = errorBodySchema.safeParse(safeJson(text));
      last = parsed.success
        ? { status: answer.status, kind: parsed.data.kind, value: parsed.data.value, endpoint }
        : { status: answer.status, kind: 'unparsable', value: text, endpoint };
      if (last.kind !== 'not_leader') return last;
    }
    return last ?? { status: 0, kind: 'no_endpoint', value: 'no FleetLock server to ask', endpoint: '' };
  }

  #post(endpoint: string, path: string): Promise<{ status: number; text: string }> {
    const { tls } = this.#options;
    const url = new URL(`${tls === undefined ? 'http' : 'https'}://${endpoint}${path}`);
    const payload = JSON.stringify({
      client_params: { id: this.#options.id, group: this.#options.group ?? 'default' },
    });
    const options = {
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      localAddress: this.#options.from,
      headers: {
        [FLEETLOCK_HEADER]: FLEETLOCK_HEADER_VALUE,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
      },
    };
    return new Promise((resolve, reject) => {
      const onResponse = (response: IncomingMessage): void => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        response.on('error', reject);
      };
      const request =
        tls === undefined
          ? httpRequest(options, onResponse)
          : // `ca` replaces Node's bundled roots; `servername` is the name checked, not the address dialled.
            httpsRequest({ ...options, ca: tls.caPem, servername: tls.serverName }, onResponse);
      request.on('error', reject);
      request.end(payload);
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
