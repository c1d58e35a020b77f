// After the boot server holds the cluster's profiles: each controller gets
// its withheld secrets over SSH as soon as its sshd answers, all controllers
// at once. The installer cannot see a machine boot; it reports what it can
// see, per machine: the sshd answering, then the secrets delivered.
import { connect } from 'node:net';
import type { Machine, WithheldFile } from '@strata/assets';
import { waitFor } from '@strata/host';
import { deliverWithheldSecrets, SecretDeliveryError } from '@strata/platform-bare-metal';
import { InstallError } from '../errors.ts';

export interface DeliveryPlan {
  readonly controllers: readonly Machine[];
  readonly withheld: ReadonlyMap<string, readonly WithheldFile[]>;
  readonly identityFile: string;
  readonly knownHostsFile: string;
  readonly port: number;
  readonly user: string;
}

const SSHD_POLL_MS = 1_000;

/** Whether something accepts TCP on host:port within a second (a refusal or a timeout is "not yet"). */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1_000 });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

async function deliverTo(
  machine: Machine,
  plan: DeliveryPlan,
  progress: (message: string) => void,
  signal: AbortSignal,
  deadline: number,
): Promise<void> {
  const files = plan.withheld.get(machine.name) ?? [];
  await waitFor(
    `${machine.name}'s sshd at ${machine.domain}:${plan.port}`,
    async () => {
      signal.throwIfAborted();
      return (await accepts(machine.domain, plan.port)) ? true : undefined;
    },
    { timeoutMs: Math.max(0, deadline - Date.now()), intervalMs: SSHD_POLL_MS },
  );
  progress(`${machine.name}: sshd reachable at ${machine.domain}:${plan.port}`);
  // sshd may answer a moment before it lets anyone in (its keys being made): a refused connection is retried,
  // a refused key is not (a machine that does not know the identity will not learn it by waiting).
  await waitFor(
    `the secrets delivered to ${machine.name}`,
    async () => {
      signal.throwIfAborted();
      try {
        await deliverWithheldSecrets(
          { machine: machine.name, host: machine.domain, port: plan.port, user: plan.user },
          files,
          {
            identityFile: plan.identityFile,
            knownHostsFile: plan.knownHostsFile,
          },
        );
        return true;
      } catch (error) {
        if (
          error instanceof SecretDeliveryError &&
          !/Permission denied|Host key verification failed|REMOTE HOST IDENTIFICATION/.test(error.message)
        ) {
          progress(`${machine.name}: not yet: ${error.message.split('\n')[0] ?? ''}`);
          return undefined;
        }
        throw error;
      }
    },
    { timeoutMs: Math.max(0, deadline - Date.now()), intervalMs: SSHD_POLL_MS },
  );
  progress(`${machine.name}: ${files.length} withheld file(s) delivered over SSH`);
}

/** Delivers every controller's withheld files; fails naming each controller that did not get them. */
export async function deliverControllerSecrets(
  plan: DeliveryPlan,
  progress: (message: string) => void,
  signal: AbortSignal,
  deadline: number,
): Promise<void> {
  const results = await Promise.allSettled(
    plan.controllers.map((machine) => deliverTo(machine, plan, progress, signal, deadline)),
  );
  const failed = results.flatMap((result, index) =>
    result.status === 'rejected'
      ? [
          `${plan.controllers[index]?.name ?? '?'}: ${result.reason instanceof Error ? result.reason.message : String(result.reason)}`,
        ]
      : [],
  );
  if (failed.length > 0) {
    throw new InstallError(`the controllers' secrets were not delivered over SSH:\n${failed.join('\n')}`, {
      controllers: failed.length,
    });
  }
}
