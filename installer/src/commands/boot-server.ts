import { Command, Option } from 'commander';
import { StrataError } from '@strata/api';
import { resolveBinary } from '@strata/binaries';
import {
  ButaneTranslator,
  createBootLogger,
  DataDirectoryStore,
  KubernetesBootStore,
  loadBootKubeConfig,
  startBootServer,
  startGrpcApi,
  startWriteApi,
  ServedMachines,
  type BootLogger,
  type BootServer,
  type RunningGrpcApi,
  type RunningWriteApi,
  type WritableBootStore,
} from '@strata/boot-server';
import {
  envVariable,
  ASSETS_LISTING,
  LOG_LEVELS,
  resolveServeSettings,
  STORES,
  type RawServeOptions,
  type ServeSettings,
} from './boot-server-options.ts';
import { CommandGroup } from './command-group.ts';

/** A flag that can also come from STRATA_BOOT_SERVER_<FLAG>. */
function flag(flags: string, description: string): Option {
  const long = flags.split(' ')[0] ?? flags;
  return new Option(flags, description).env(envVariable(long));
}

const SERVE_HELP = `
Every flag can also be set with an environment variable, STRATA_BOOT_SERVER_ and
the flag's name in upper case (STRATA_BOOT_SERVER_ADDRESS, ..._DATA_PATH, ...),
as matchbox reads MATCHBOX_ADDRESS; a flag on the command line wins.

An existing matchbox data directory serves unchanged:
  strata boot-server serve --address 0.0.0.0:8080 --data-path /var/lib/matchbox

The write API (profiles, groups, templates) listens only with --api-address, and
only for clients with a certificate signed by --ca-file (mutual TLS, TLS 1.2+):
  strata boot-server serve --api-address 0.0.0.0:8081 \\
    --cert-file server.crt --key-file server.key --ca-file ca.crt

matchbox's gRPC API (for bootcmd and terraform-provider-matchbox) listens only with
--rpc-address, as matchbox's -rpc-address, with the same TLS files:
  strata boot-server serve --rpc-address 0.0.0.0:8081 \\
    --cert-file server.crt --key-file server.key --ca-file ca.crt

With --store kubernetes, profiles and groups are MachineProfile and MachineGroup
resources (boot.strata.dev/v1alpha1) and templates are ConfigMaps in --namespace;
every replica watches them and answers alike.

Stops cleanly on SIGTERM or Ctrl-C (exit 0).`;

async function openStore(settings: ServeSettings, logger: BootLogger): Promise<WritableBootStore> {
  if (settings.store === 'directory') return DataDirectoryStore.open({ dataPath: settings.dataPath, logger });
  const { kubeConfig, namespace } = loadBootKubeConfig(settings.kubeconfig);
  return KubernetesBootStore.start({ kubeConfig, namespace: settings.namespace ?? namespace, logger });
}

function serveCommand(): Command {
  return new Command('serve')
    .description(
      "serve matchbox's endpoints (iPXE, GRUB, Ignition, metadata, assets) from a matchbox data directory or Kubernetes, and optionally the write API",
    )
    .addOption(flag('--address <host:port>', 'where the boot endpoints listen (HTTP)').default('127.0.0.1:8080'))
    .addOption(
      flag(
        '--data-path <dir>',
        'the matchbox data directory (groups/, profiles/, ignition/, generic/, cloud/)',
      ).default('/var/lib/matchbox'),
    )
    .addOption(
      flag('--assets-path <dir>', 'the directory served under /assets/; "" turns assets off').default(
        '/var/lib/matchbox/assets',
      ),
    )
    .addOption(
      flag(
        '--assets-listing <off|on>',
        `list an /assets/ directory that has no index.html, as matchbox does: ${ASSETS_LISTING.join(' or ')}`,
      ).default('off'),
    )
    .addOption(
      flag(
        '--api-address <host:port>',
        'where the write API listens (HTTPS with client certificates); off when not given',
      ),
    )
    .addOption(
      flag(
        '--rpc-address <host:port>',
        "where matchbox's gRPC API listens (mutual TLS with the same files); off when not given",
      ),
    )
    .addOption(flag('--cert-file <file>', "the write API's serving certificate (PEM)"))
    .addOption(flag('--key-file <file>', "the write API's private key (PEM, mode 0600)"))
    .addOption(flag('--ca-file <file>', 'the CA whose client certificates may use the write API (PEM)'))
    .addOption(
      flag('--store <kind>', `where profiles, groups and templates live: ${STORES.join(' or ')}`).default('directory'),
    )
    .addOption(
      flag(
        '--kubeconfig <file>',
        'with --store kubernetes: the kubeconfig (default: $KUBECONFIG, ~/.kube/config, or in-cluster)',
      ),
    )
    .addOption(
      flag(
        '--namespace <name>',
        "with --store kubernetes: the namespace (default: the kubeconfig context's, else default)",
      ),
    )
    .addOption(flag('--log-level <level>', `${LOG_LEVELS.join(', ')}`).default('info'))
    .addHelpText('after', SERVE_HELP)
    .action(async (raw: RawServeOptions, command: Command) => {
      const say = (line: string) => process.stderr.write(`${line}\n`);
      const resolved = await resolveServeSettings(raw, (key) => command.getOptionValueSource(key));
      for (const warning of resolved.warnings) say(`warning: ${warning}`);
      if (!resolved.ok) {
        for (const problem of resolved.problems) say(`error: ${problem}`);
        say('(run `strata boot-server serve --help` for usage)');
        process.exit(2);
      }
      const settings = resolved.settings;
      const logger = createBootLogger({ level: settings.logLevel });
      // Butane templates are translated as matchbox translates them; without butane they are served as rendered.
      const butane = await resolveBinary('butane').then(
        (butanePath) => new ButaneTranslator({ butanePath }),
        (error: unknown) => {
          if (!(error instanceof StrataError)) throw error;
          say(`warning: Butane templates will be served as rendered, untranslated: ${error.message}`);
          return undefined;
        },
      );

      let store: WritableBootStore | undefined;
      let boot: BootServer | undefined;
      let writeApi: RunningWriteApi | undefined;
      let rpcApi: RunningGrpcApi | undefined;
      const shutDown = async () => {
        await rpcApi?.close();
        await writeApi?.close();
        await boot?.close();
        await store?.close();
      };
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        say(`${signal}: stopping the boot server …`);
        shutDown().then(
          () => {
            say('stopped.');
            process.exit(0);
          },
          (error: unknown) => {
            say(`error while stopping: ${error instanceof Error ? error.message : String(error)}`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));

      try {
        store = await openStore(settings, logger);
        // One record of what the read side served, listed by the write API (GET /v1/served) for the installer.
        const served = new ServedMachines();
        boot = await startBootServer({
          address: settings.addressText,
          store,
          assetsPath: settings.assetsPath ?? '',
          listAssetDirectories: settings.listAssetDirectories,
          butane,
          logger,
          served,
        });
        if (settings.writeApi !== undefined) {
          const { addressText, certPem, keyPem, caPem } = settings.writeApi;
          writeApi = await startWriteApi({
            address: addressText,
            store,
            tls: { certPem, keyPem, caPem },
            logger,
            served,
          });
        }
        if (settings.rpcApi !== undefined) {
          const { addressText, certPem, keyPem, caPem } = settings.rpcApi;
          rpcApi = await startGrpcApi({ address: addressText, store, tls: { certPem, keyPem, caPem }, logger });
        }
      } catch (error) {
        if (!(error instanceof StrataError) && !isListenError(error)) throw error;
        say(`error: ${error instanceof Error ? error.message : String(error)}`);
        await shutDown().catch((closeError: unknown) =>
          say(`error while stopping: ${closeError instanceof Error ? closeError.message : String(closeError)}`),
        );
        process.exit(1);
      }
      const storeText =
        settings.store === 'directory'
          ? `data directory ${settings.dataPath}`
          : `Kubernetes namespace ${(store as KubernetesBootStore).namespace}`;
      say(
        `boot server listening on ${boot.url} (${storeText}; assets ${settings.assetsPath === undefined ? 'off' : `from ${settings.assetsPath}`})`,
      );
      if (writeApi !== undefined)
        say(`write API listening on ${writeApi.url} (mutual TLS: client certificates signed by --ca-file)`);
      else say('write API off (give --api-address, --cert-file, --key-file and --ca-file to turn it on)');
      if (rpcApi !== undefined)
        say(`matchbox gRPC API listening on ${rpcApi.endpoint} (mutual TLS: client certificates signed by --ca-file)`);
    });
}

/** The address is taken or not ours: the user's to fix, not a bug. */
function isListenError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES';
}

export function bootServerCommand(): Command {
  return new CommandGroup('boot-server')
    .description('a matchbox-compatible network boot server for bare-metal machines (PXE/iPXE, GRUB, Ignition)')
    .addCommand(serveCommand());
}
