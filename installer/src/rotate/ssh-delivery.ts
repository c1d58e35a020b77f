// How the rotation hands a new encryption configuration to controllers that
// are other machines: the file as the renderer put it in each controller's
// Ignition (it is withheld from the boot server like every key), over SSH,
// through the same delivery as the install's withheld secrets.
import { decodeDataUrl, NODE_PATHS, type WithheldFile } from '@strata/assets';
import { deliverWithheldSecrets, SecretDeliveryError, type SshJump } from '@strata/platform-bare-metal';
import { EncryptionRotationError, type RotationTarget } from './encryption-key.ts';

export interface SshController {
  /** The machine's name: the alias its host key is pinned under in known_hosts. */
  readonly name: string;
  readonly host: string;
}

export interface SshAccess {
  readonly identityFile: string;
  /** The cluster directory's known_hosts, where the install pinned each controller's host key. */
  readonly knownHostsFile: string;
  readonly port: number;
  readonly user: string;
  /** The host SSH hops through to controllers with private addresses only. */
  readonly jump?: SshJump;
}

/** Per controller, the withheld files of its Ignition as rendered now. */
export type WithheldFiles = () => Promise<ReadonlyMap<string, readonly WithheldFile[]>>;

/** Runs `work` on every controller at once; fails listing every controller that failed, with ssh's words. */
async function onEvery<T extends { readonly controller: SshController }>(
  items: readonly T[],
  access: SshAccess,
  what: string,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  const results = await Promise.allSettled(items.map(work));
  const failed = results.flatMap((result, index) => {
    const controller = items[index]?.controller;
    if (result.status === 'fulfilled' || controller === undefined) return [];
    if (!(result.reason instanceof SecretDeliveryError)) throw result.reason;
    // The delivery's message names the machine, its address and ssh's own words.
    return [{ controller: controller.name, line: result.reason.message }];
  });
  if (failed.length > 0) {
    throw new EncryptionRotationError(
      `${what} failed on ${failed.length} controller(s):\n${failed.map((f) => f.line).join('\n')}`,
      {
        controllers: failed.map((f) => f.controller),
        port: access.port,
      },
    );
  }
}

/** The encryption configuration among a controller's withheld files; it must say `text` (what the servers will hash). */
function encryptionConfigOf(
  controller: string,
  files: readonly WithheldFile[] | undefined,
  text: string,
): WithheldFile {
  const file = files?.find((candidate) => candidate.path === NODE_PATHS.encryptionConfig);
  if (file === undefined) {
    throw new EncryptionRotationError(
      `${controller}'s rendered Ignition withholds no ${NODE_PATHS.encryptionConfig}: render the cluster again from its config`,
      { controller, path: NODE_PATHS.encryptionConfig },
    );
  }
  const decoded = decodeDataUrl(file.source);
  if (!decoded.ok || Buffer.from(decoded.value.data).toString() !== text) {
    throw new EncryptionRotationError(
      `${controller}'s rendered Ignition carries another ${NODE_PATHS.encryptionConfig} than the asset directory's`,
      { controller, path: NODE_PATHS.encryptionConfig },
    );
  }
  return file;
}

export function sshDelivery(
  controllers: readonly SshController[],
  access: SshAccess,
  withheld: WithheldFiles,
): Pick<RotationTarget, 'reach' | 'deliver'> {
  const target = (controller: SshController) => ({
    machine: controller.name,
    host: controller.host,
    port: access.port,
    user: access.user,
  });
  const options = {
    identityFile: access.identityFile,
    knownHostsFile: access.knownHostsFile,
    ...(access.jump === undefined ? {} : { jump: access.jump }),
  };
  return {
    // An empty delivery opens (and closes) the authenticated connection: the host key and the identity are checked.
    reach: () =>
      onEvery(
        controllers.map((controller) => ({ controller })),
        access,
        'reaching the controllers over SSH',
        ({ controller }) => deliverWithheldSecrets(target(controller), [], options),
      ),
    async deliver(text) {
      const files = await withheld();
      // Every controller's file is checked before any is sent: a render that disagrees sends nothing.
      const items = controllers.map((controller) => ({
        controller,
        file: encryptionConfigOf(controller.name, files.get(controller.name), text),
      }));
      await onEvery(items, access, `delivering ${NODE_PATHS.encryptionConfig}`, ({ controller, file }) =>
        deliverWithheldSecrets(target(controller), [file], options),
      );
    },
  };
}
