import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { ClusterConfigError, loadClusterConfig, readPlatformProgramInput, type ClusterConfig } from '@strata/assets';
import { StrataError } from '@strata/api';
import { ClusterDirectory, defaultClusterDir, defaultLocalConfig } from '@strata/platform-local';
import { withLockFile } from '@strata/host';
import { jumpProxyCommand, parseSshJump, SSH } from '@strata/platform-bare-metal';
import { printError } from '../error-output.ts';
import { KNOWN_HOSTS } from '../install/bare-metal/driver.ts';
import { checkSshIdentity } from '../install/bare-metal/preflight.ts';
import { parseBareMetalOptions } from '../install/bare-metal/options.ts';
import { CLOUD_SPECS, type Cloud } from '../install/cloud/platforms.ts';
import { parseStackOutputs } from '../install/cloud/outputs.ts';
import { InstallDirectory, type DirectoryIdentity } from '../install/cluster-dir.ts';
import { recoveredStack } from '../install/phases/provision.ts';
import { bareMetalRotationTarget } from '../rotate/bare-metal-target.ts';
import { cloudRotationTarget } from '../rotate/cloud-target.ts';
import { updateConfigObjects } from '../rotate/config-objects.ts';
import { renderStep } from '../rotate/render-step.ts';
import {
  EncryptionRotationError,
  rotateEncryptionKey,
  type RotationEvent,
  type RotationTarget,
} from '../rotate/encryption-key.ts';
import { localRotationTarget } from '../rotate/local-target.ts';
import type { RotationSsh } from '../rotate/ssh-controllers-target.ts';

interface RotateOptions {
  readonly config?: string;
  readonly dir?: string;
  readonly json?: boolean;
  readonly sshIdentity?: string;
  readonly sshJump?: string;
  readonly sshPort?: string;
  readonly sshUser?: string;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** The config the cluster was rendered from: --config, else the directory's copy, else `strata up`'s default. */
async function configOf(options: RotateOptions): Promise<ClusterConfig> {
  if (options.config !== undefined) return loadClusterConfig(options.config);
  if (options.dir !== undefined && (await exists(join(options.dir, 'cluster.yaml')))) {
    return loadClusterConfig(join(options.dir, 'cluster.yaml'));
  }
  return defaultLocalConfig();
}

function describe(event: RotationEvent): string {
  switch (event.kind) {
    case 'step':
      return {
        add: 'adding a new key that every API server can read',
        promote: 'making the new key the one that writes',
        rewrite: 'writing every Secret again under the new key',
        verify: 'checking in etcd that every Secret is stored under the new key',
        retire: 'removing the old key',
      }[event.step];
    case 'loaded':
      return `  ${event.server} loaded the new keys (${event.seconds.toFixed(0)}s)`;
    case 'rewritten':
      return `  ${event.done}/${event.total} Secrets`;
  }
}

/** The --ssh-* flags, checked (the identity must be a key ssh can use unattended) before anything is opened. */
async function rotationSsh(
  config: ClusterConfig,
  directory: InstallDirectory,
  options: RotateOptions,
): Promise<RotationSsh> {
  const ssh = parseBareMetalOptions({
    ...(options.sshIdentity === undefined ? {} : { sshIdentity: options.sshIdentity }),
    ...(options.sshPort === undefined ? {} : { sshPort: options.sshPort }),
    ...(options.sshUser === undefined ? {} : { sshUser: options.sshUser }),
  });
  const jump = options.sshJump === undefined ? undefined : parseSshJump(options.sshJump);
  const checked = await checkSshIdentity(config.sshAuthorizedKeys, ssh.sshIdentity);
  if (checked.identity === undefined) {
    throw new EncryptionRotationError(checked.failures.join('\n'), { dir: directory.path });
  }
  // ssh runs the hop through the shell: paths it cannot take are refused now, before the stack is opened.
  if (jump !== undefined) {
    jumpProxyCommand(SSH, jump, {
      identityFile: checked.identity,
      knownHostsFile: join(directory.path, KNOWN_HOSTS),
      connectTimeoutSeconds: 10,
    });
  }
  return {
    identityFile: checked.identity,
    port: ssh.sshPort,
    user: ssh.sshUser,
    ...(jump === undefined ? {} : { jump }),
  };
}

/** A cluster `strata install` made on bare metal: its controllers over SSH, under the install's lock. */
async function rotateBareMetal(
  config: ClusterConfig,
  directory: InstallDirectory,
  options: RotateOptions,
  emit: (event: RotationEvent) => void,
) {
  const ssh = await rotationSsh(config, directory, options);
  // An install or destroy running on this directory would render and deliver too.
  return withLockFile(directory.lockPath, async () => {
    const target = await bareMetalRotationTarget(config, directory, ssh);
    return rotateEncryptionKey(target, { render: (step) => renderStep(config, directory, step), onEvent: emit });
  });
}

/**
 * A cluster `strata install` made on a cloud, under the install's lock: each step's render goes into the
 * controllers' config objects through the stack's own program (nothing else may change), then to the running
 * controllers over SSH at the addresses the stack outputs give.
 */
async function rotateCloud(
  cloud: Cloud,
  config: ClusterConfig,
  directory: InstallDirectory,
  identity: DirectoryIdentity,
  options: RotateOptions,
  emit: (event: RotationEvent) => void,
) {
  const ssh = await rotationSsh(config, directory, options);
  const spec = CLOUD_SPECS[cloud];
  const progress = (message: string) => {
    if (!options.json) process.stderr.write(`  ${message}\n`);
  };
  const signal = new AbortController().signal;
  return withLockFile(directory.lockPath, async () => {
    // The program reads the assets when the engine runs it: each step's render is what it writes.
    const stack = await recoveredStack({ directory, identity, progress }, async () =>
      spec.program(await readPlatformProgramInput(directory.assetsDir, config))(),
    );
    const outputs = await stack.outputs();
    if (Object.keys(outputs).length === 0) {
      throw new EncryptionRotationError(
        `the ${cloud} stack of ${directory.path} has no outputs: the cluster was never installed (run \`strata install\`)`,
        { dir: directory.path, platform: cloud },
      );
    }
    const target = await cloudRotationTarget(config, directory, parseStackOutputs(outputs), ssh);
    return rotateEncryptionKey(target, {
      async render(step) {
        const text = await renderStep(config, directory, step);
        await updateConfigObjects({ stack, controllerConfigType: spec.controllerConfigType, signal, progress });
        return text;
      },
      onEvent: emit,
    });
  });
}

async function rotateLocal(config: ClusterConfig, dir: string, emit: (event: RotationEvent) => void) {
  const directory = new ClusterDirectory(dir);
  if ((await directory.runningPid()) === undefined) {
    throw new EncryptionRotationError(
      `no cluster is running in ${directory.path}: start it with \`strata up\` first (every Secret must be written again through the API)`,
      { dir: directory.path },
    );
  }
  const target: RotationTarget = await localRotationTarget(config, directory);
  return rotateEncryptionKey(target, { render: (step) => renderStep(config, directory, step), onEvent: emit });
}

export function rotateCommand(): Command {
  const encryptionKey = new Command('encryption-key')
    .description('replace the key that encrypts Secrets in etcd, on a running local, bare-metal or cloud cluster')
    .option(
      '-c, --config <file>',
      "the cluster.yaml the cluster runs with (default: the directory's cluster.yaml, else strata up's default)",
    )
    .option('-d, --dir <dir>', 'the cluster directory (default: that of the cluster in --config, else "local")')
    .option('--json', 'print each step as one JSON line on stdout')
    .option(
      '--ssh-identity <file>',
      'bare metal and clouds: the private key to reach the controllers (and the jump host) with; its public key must be in sshAuthorizedKeys (default: ~/.ssh/id_ed25519, then ~/.ssh/id_rsa)',
    )
    .option(
      '--ssh-jump <user@host[:port]>',
      "bare metal and clouds: a host to reach the controllers' private addresses through (OpenSSH's ProxyJump), with the same identity",
    )
    .option('--ssh-port <port>', "bare metal and clouds: the controllers' SSH port (default: 22)")
    .option('--ssh-user <user>', 'bare metal and clouds: the user to log in as (default: core, as on Flatcar)')
    .addHelpText(
      'after',
      `
Adds a new key, makes it the one that writes, writes every Secret again, checks
in etcd that none is left under the old key, and only then removes the old key.
Each API server reloads its keys without a restart (within about a minute per
step). Safe to run again if it stops half-way. Exit codes: 0 rotated, 1 failed
(the old key is kept whenever a Secret may still need it).

On a bare-metal cluster made by \`strata install\` (--dir: its cluster directory),
each step's configuration goes to every controller over SSH, as the install
delivered their secrets (the host keys it pinned must match), and etcd is read
on the controllers' client port. A controller that cannot be reached stops the
rotation before any key is added.

On an AWS, GCP or Azure cluster made by \`strata install\`, each step is first
written into the controllers' config objects (S3 object, Cloud Storage object,
blob) through the stack's own Pulumi program, so that a controller created
later boots with the current keys; a preview that would change anything else
stops the rotation with nothing changed. Then each controller gets the file over
SSH at the private address the stack outputs give (through --ssh-jump when this
machine has no route to it; the host keys are pinned on first contact in the
cluster directory's known_hosts). Each API server's /metrics (port 6443) and
etcd (2379, by the controllers' etcd names) must be reachable from here.`,
    )
    .action(async (options: RotateOptions) => {
      const emit = (event: RotationEvent) =>
        options.json
          ? process.stdout.write(`${JSON.stringify(event)}\n`)
          : process.stderr.write(`${describe(event)}${event.kind === 'rewritten' ? '\r' : '\n'}`);
      try {
        const config = await configOf(options);
        const dir = options.dir ?? defaultClusterDir(config.name);
        const installed = new InstallDirectory(dir);
        // A directory `strata install` made names its platform; one `strata up` made has no install record.
        const identity = await installed.identity();
        const platform = identity?.platform ?? 'local';
        const result =
          identity === undefined || platform === 'local'
            ? await rotateLocal(config, dir, emit)
            : platform === 'bare-metal'
              ? await rotateBareMetal(config, installed, options, emit)
              : await rotateCloud(platform, config, installed, identity, options, emit);
        if (options.json) process.stdout.write(`${JSON.stringify({ kind: 'done', ...result })}\n`);
        else
          process.stderr.write(
            `\nSecrets are now encrypted with ${result.key} (${result.secretsRewritten} rewritten).\n`,
          );
      } catch (error) {
        if (!(error instanceof StrataError) && !(error instanceof ClusterConfigError)) throw error;
        printError(error);
        process.exit(1);
      }
    });
  return new Command('rotate').description('rotate cluster credentials').addCommand(encryptionKey);
}
