import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import {
  applyRenderPlan,
  ASSET_PATHS,
  ClusterConfigError,
  clusterTopology,
  loadClusterConfig,
  planClusterRender,
  type ClusterConfig,
  type EncryptionKeyRotationStep,
} from '@strata/assets';
import { StrataError } from '@strata/api';
import { ClusterDirectory, defaultClusterDir, defaultLocalConfig } from '@strata/platform-local';
import { readFile } from 'node:fs/promises';
import { withLockFile } from '@strata/host';
import { printError } from '../error-output.ts';
import { checkSshIdentity } from '../install/bare-metal/preflight.ts';
import { parseBareMetalOptions } from '../install/bare-metal/options.ts';
import { InstallDirectory } from '../install/cluster-dir.ts';
import { bareMetalRotationTarget } from '../rotate/bare-metal-target.ts';
import {
  EncryptionRotationError,
  rotateEncryptionKey,
  type RotationEvent,
  type RotationTarget,
} from '../rotate/encryption-key.ts';
import { localRotationTarget } from '../rotate/local-target.ts';
import { rotationPath } from '../rotate/platform.ts';

interface RotateOptions {
  readonly config?: string;
  readonly dir?: string;
  readonly json?: boolean;
  readonly sshIdentity?: string;
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

/**
 * One rotation step through the renderer, refusing a plan that would change
 * anything but the keys and the controllers' Ignition that carries them: a
 * config other than the one the cluster runs would re-render it.
 */
async function renderStep(
  config: ClusterConfig,
  directory: Pick<ClusterDirectory, 'path' | 'assetsDir'>,
  step: EncryptionKeyRotationStep,
) {
  const plan = await planClusterRender({ config, dir: directory.assetsDir, encryptionKeyRotation: step });
  const allowed = new Set([
    ASSET_PATHS.encryptionConfig,
    ...clusterTopology(config).controllers.map((controller) => ASSET_PATHS.ignition(controller.name)),
  ]);
  const foreign = [...plan.writes.map((file) => file.path), ...plan.deletes].filter((path) => !allowed.has(path));
  if (foreign.length > 0) {
    throw new EncryptionRotationError(
      `the config given is not the one ${directory.path} was rendered from: rotating with it would also rewrite ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}. Pass the --config the cluster runs with.`,
      { dir: directory.path, foreign: foreign.length },
    );
  }
  await applyRenderPlan(plan);
  return readFile(join(directory.assetsDir, ASSET_PATHS.encryptionConfig), 'utf8');
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

/** A cluster `strata install` made on bare metal: its controllers over SSH, under the install's lock. */
async function rotateBareMetal(
  config: ClusterConfig,
  directory: InstallDirectory,
  options: RotateOptions,
  emit: (event: RotationEvent) => void,
) {
  const ssh = parseBareMetalOptions({
    ...(options.sshIdentity === undefined ? {} : { sshIdentity: options.sshIdentity }),
    ...(options.sshPort === undefined ? {} : { sshPort: options.sshPort }),
    ...(options.sshUser === undefined ? {} : { sshUser: options.sshUser }),
  });
  const checked = await checkSshIdentity(config.sshAuthorizedKeys, ssh.sshIdentity);
  if (checked.identity === undefined) {
    throw new EncryptionRotationError(checked.failures.join('\n'), { dir: directory.path });
  }
  const identityFile = checked.identity;
  // An install or destroy running on this directory would render and deliver too.
  return withLockFile(directory.lockPath, async () => {
    const target = await bareMetalRotationTarget(config, directory, {
      identityFile,
      port: ssh.sshPort,
      user: ssh.sshUser,
    });
    return rotateEncryptionKey(target, { render: (step) => renderStep(config, directory, step), onEvent: emit });
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
    .description('replace the key that encrypts Secrets in etcd, on a running local or bare-metal cluster')
    .option(
      '-c, --config <file>',
      "the cluster.yaml the cluster runs with (default: the directory's cluster.yaml, else strata up's default)",
    )
    .option('-d, --dir <dir>', 'the cluster directory (default: that of the cluster in --config, else "local")')
    .option('--json', 'print each step as one JSON line on stdout')
    .option(
      '--ssh-identity <file>',
      'bare metal: the private key to reach the controllers with; its public key must be in sshAuthorizedKeys (default: ~/.ssh/id_ed25519, then ~/.ssh/id_rsa)',
    )
    .option('--ssh-port <port>', "bare metal: the controllers' SSH port (default: 22)")
    .option('--ssh-user <user>', 'bare metal: the user to log in as (default: core, as on Flatcar)')
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
rotation before any key is added. Cloud clusters are refused.`,
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
        const path = rotationPath(identity?.platform ?? 'local');
        const result =
          path === 'bare-metal'
            ? await rotateBareMetal(config, installed, options, emit)
            : await rotateLocal(config, dir, emit);
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
