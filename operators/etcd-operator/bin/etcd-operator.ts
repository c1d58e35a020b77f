#!/usr/bin/env node
// The etcd operator's binary: `run` is the Deployment's replica, `await-member` a joining member's init container,
// `member-cert` the init container that obtains a member's certificate (automatic TLS), `seed-fetch` and
// `seed-install` a restored cluster's founding member's seeding steps, `backup-to-directory` a backup pod (ADR 0053).
import { readFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadKubeConfig, podServiceAccountDir } from '@strata/kube';
import { pino } from 'pino';
import {
  awaitMember,
  backupToDirectory,
  DEFAULT_PVC_ROOT,
  fetchSeed,
  installSeed,
  parseSeedSource,
  requestMemberCertificate,
  startEtcdOperator,
  verifySnapshot,
} from '../src/index.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

function stopOnSignals(onStop: (name: string) => void): AbortSignal {
  const stop = new AbortController();
  for (const name of ['SIGTERM', 'SIGINT'] as const) {
    process.once(name, () => {
      onStop(name);
      stop.abort(new Error(`received ${name}`));
    });
  }
  return stop.signal;
}

interface RunFlags {
  readonly kubeconfig?: string;
  readonly identity: string;
  readonly leaseNamespace: string;
  readonly watchNamespace?: string;
  readonly image: string;
  readonly metricsPort: string;
  readonly metricsHost: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly backupScratchDir: string;
  readonly backupPvcRoot: string;
  readonly certificateValiditySeconds?: number;
}

/** The environment variable that sets --certificate-validity-seconds where a pod's arguments are not the test's. */
const CERTIFICATE_VALIDITY_ENV = 'ETCD_OPERATOR_CERTIFICATE_VALIDITY_SECONDS';

function positiveSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 60) {
    throw new InvalidArgumentError('must be a whole number of seconds, at least 60');
  }
  return seconds;
}

const program = new Command('etcd-operator').description('Runs EtcdClusters without ever losing quorum.');

program
  .command('run')
  .description('one operator replica: leader election, then the controller')
  .option('--kubeconfig <path>', "a kubeconfig; the pod's service account when absent")
  .option('--identity <name>', 'this replica in the Lease', process.env['POD_NAME'] ?? hostname())
  .option('--lease-namespace <name>', 'namespace of the Lease', process.env['POD_NAMESPACE'] ?? 'strata-system')
  .option('--watch-namespace <name>', 'only EtcdClusters of this namespace')
  .requiredOption('--image <image>', "the operator's own image, for joining members' init containers")
  .option('--metrics-host <host>', 'address of /metrics, /healthz, /readyz', '0.0.0.0')
  .option('--metrics-port <port>', 'port of /metrics, /healthz, /readyz', '8080')
  .option(
    '--backup-scratch-dir <path>',
    'where snapshots are staged (verified restores under restores/)',
    join(tmpdir(), 'strata-etcd-operator-backups'),
  )
  .option(
    '--backup-pvc-root <path>',
    'where restores and recoveries read claims mounted into the operator: <root>/<namespace>/<claim> (backups to a claim run in their own pod)',
    DEFAULT_PVC_ROOT,
  )
  .addOption(
    new Option(
      '--certificate-validity-seconds <seconds>',
      "caps the lifetime of automatic TLS's member and client certificates (renewed at two thirds of it); for tests",
    )
      .env(CERTIFICATE_VALIDITY_ENV)
      .argParser(positiveSeconds),
  )
  .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('info'))
  .action(async (flags: RunFlags) => {
    const logger = pino({ level: flags.logLevel }).child({ identity: flags.identity });
    const signal = stopOnSignals((name) => logger.info({ signal: name }, 'stopping'));
    const running = await startEtcdOperator({
      kubeConfig: loadKubeConfig(
        flags.kubeconfig === undefined
          ? { serviceAccountDir: podServiceAccountDir() }
          : { kubeconfigPath: flags.kubeconfig },
      ),
      identity: flags.identity,
      leaseNamespace: flags.leaseNamespace,
      operatorImage: flags.image,
      metrics: { host: flags.metricsHost, port: Number(flags.metricsPort) },
      logger,
      signal,
      ...(flags.watchNamespace === undefined ? {} : { watchNamespace: flags.watchNamespace }),
      backups: { scratchDirectory: flags.backupScratchDir, pvcRoot: flags.backupPvcRoot },
      ...(flags.certificateValiditySeconds === undefined
        ? {}
        : { certificateValidityCapSeconds: flags.certificateValiditySeconds }),
    });
    await running.stopped;
  });

interface AwaitMemberFlags {
  readonly endpoints: string;
  readonly peerUrl: string;
  readonly cacert?: string;
  readonly cert?: string;
  readonly key?: string;
}

program
  .command('await-member')
  .description('return once the cluster lists a member with this peer URL')
  .requiredOption('--endpoints <urls>', "client URLs of the cluster's members, comma-separated")
  .requiredOption('--peer-url <url>', "this pod's peer URL")
  .option('--cacert <path>', "the members' CA (https endpoints)")
  .option('--cert <path>', 'client certificate (https endpoints)')
  .option('--key <path>', "the client certificate's key")
  .action(async (flags: AwaitMemberFlags) => {
    const logger = pino({ level: 'info' });
    const signal = stopOnSignals(() => undefined);
    const tls =
      flags.cacert === undefined || flags.cert === undefined || flags.key === undefined
        ? undefined
        : {
            ca: await readFile(flags.cacert, 'utf8'),
            cert: await readFile(flags.cert, 'utf8'),
            key: await readFile(flags.key, 'utf8'),
          };
    await awaitMember({
      endpoints: flags.endpoints.split(',').filter((url) => url !== ''),
      peerURL: flags.peerUrl,
      signal,
      ...(tls === undefined ? {} : { tls }),
      onError: (error) => logger.debug({ err: error }, 'an endpoint did not answer'),
    });
    logger.info({ peerURL: flags.peerUrl }, 'the cluster lists this member');
  });

interface MemberCertFlags {
  readonly dir: string;
  readonly podName: string;
  readonly podIp: string;
  readonly namespace: string;
  readonly commonName: string;
  readonly expirationSeconds?: string;
}

program
  .command('member-cert')
  .description("make this member's key here and get its certificate from the operator through a CSR")
  .requiredOption('--dir <path>', 'where tls.key (0600) and tls.crt are written')
  .requiredOption('--pod-name <name>', "this pod's name", process.env['POD_NAME'])
  .requiredOption('--pod-ip <ip>', "this pod's IP", process.env['POD_IP'])
  .requiredOption('--namespace <name>', "this pod's namespace", process.env['POD_NAMESPACE'])
  .requiredOption('--common-name <cn>', "the cluster's member CN, which the signer requires")
  .option('--expiration-seconds <seconds>', "the certificate's asked lifetime")
  .action(async (flags: MemberCertFlags) => {
    const logger = pino({ level: 'info' });
    const csr = await requestMemberCertificate({
      kubeConfig: loadKubeConfig({ serviceAccountDir: podServiceAccountDir() }),
      namespace: flags.namespace,
      podName: flags.podName,
      podIP: flags.podIp,
      commonName: flags.commonName,
      directory: flags.dir,
      ...(flags.expirationSeconds === undefined ? {} : { expirationSeconds: Number(flags.expirationSeconds) }),
    });
    logger.info({ csr, pod: flags.podName }, 'certificate issued');
  });

interface SeedFlags {
  readonly dataDir: string;
  readonly seedDir: string;
}

program
  .command('seed-fetch')
  .description("a restored member's first seeding step: fetch and verify its snapshot (nothing when already seeded)")
  .requiredOption('--data-dir <path>', "the member's data directory")
  .requiredOption('--seed-dir <path>', "the pod's seed directory")
  .requiredOption('--backup-mount <path>', 'where a backup claim is mounted')
  .requiredOption('--source <json>', 'the seed source (the EtcdCluster annotation etcd.strata.dev/restore-seed)')
  .action(async (flags: SeedFlags & { readonly backupMount: string; readonly source: string }) => {
    const logger = pino({ level: 'info' });
    const source = parseSeedSource(flags.source, '--source');
    const outcome = await fetchSeed({
      source,
      dataDir: flags.dataDir,
      seedDir: flags.seedDir,
      backupMount: flags.backupMount,
      env: process.env,
    });
    logger.info(
      { outcome, snapshot: source.name, revision: source.revision, sha256: source.sha256 },
      outcome === 'seeded'
        ? 'fetched and verified the snapshot'
        : 'the data directory holds a member already: it is kept, nothing fetched',
    );
  });

program
  .command('seed-install')
  .description("a restored member's last seeding step: move the restored data into the empty data directory")
  .requiredOption('--data-dir <path>', "the member's data directory")
  .requiredOption('--seed-dir <path>', "the pod's seed directory")
  .action(async (flags: SeedFlags) => {
    const logger = pino({ level: 'info' });
    const outcome = await installSeed({ dataDir: flags.dataDir, seedDir: flags.seedDir });
    logger.info(
      { outcome, dataDir: flags.dataDir },
      outcome === 'seeded' ? 'installed the restored data' : 'the data directory holds a member already: kept',
    );
  });

interface BackupToDirectoryFlags {
  readonly name: string;
  readonly endpoints: string;
  readonly claim: string;
  readonly claimMount: string;
  readonly path: string;
  readonly scratchDir: string;
  readonly resultFile: string;
  readonly recorded: string;
  readonly retention?: string;
  readonly tlsDir?: string;
}

program
  .command('backup-to-directory')
  .description("a backup pod: a verified snapshot of the best member into the claim's directory, then retention")
  .requiredOption('--name <name>', 'the EtcdBackup: the prefix of every backup it takes')
  .requiredOption('--endpoints <urls>', 'client URLs of the members to choose from, comma-separated')
  .requiredOption('--claim <name>', 'the claim, for the recorded location')
  .requiredOption('--claim-mount <path>', 'where the claim is mounted')
  .option('--path <path>', "the backups' directory below the claim's root", '')
  .requiredOption('--scratch-dir <path>', 'where the snapshot is staged and verified')
  .requiredOption('--result-file <path>', 'where the result (JSON) goes: the termination message path')
  .option('--recorded <json>', 'the backups recorded so far: [{ name, takenAt }]', '[]')
  .option('--retention <json>', '{ maxBackups, maxAge }')
  .option('--tls-dir <path>', 'ca.crt, tls.crt and tls.key for https endpoints')
  .action(async (flags: BackupToDirectoryFlags) => {
    const logger = pino({ level: 'info' });
    const signal = stopOnSignals(() => undefined);
    const result = await backupToDirectory({
      name: flags.name,
      endpoints: flags.endpoints.split(',').filter((url) => url !== ''),
      claim: flags.claim,
      claimMount: flags.claimMount,
      path: flags.path,
      scratchDirectory: flags.scratchDir,
      resultFile: flags.resultFile,
      recorded: flags.recorded,
      retention: flags.retention,
      tlsDirectory: flags.tlsDir,
      signal,
    });
    if (result.outcome === 'failed') {
      logger.error({ reason: result.reason }, result.message);
      process.exitCode = 1;
      return;
    }
    logger.info({ record: result.record, removed: result.removed }, 'stored');
  });

interface VerifySnapshotFlags {
  readonly file: string;
  readonly location: string;
  readonly sha256: string;
  readonly revision?: number;
  readonly resultFile: string;
}

program
  .command('verify-snapshot')
  .description('a verifying pod: check a snapshot on a claim against its recorded sha256 and revision')
  .requiredOption('--file <path>', 'the snapshot, on the claim mounted read-only')
  .requiredOption('--location <url>', 'where it is as recorded (pvc://…), for messages')
  .requiredOption('--sha256 <hex>', 'the sha256 recorded for it')
  .option('--revision <number>', 'the revision recorded for it', (value) => Number.parseInt(value, 10))
  .requiredOption('--result-file <path>', 'where the result (JSON) goes: the termination message path')
  .action(async (flags: VerifySnapshotFlags) => {
    const logger = pino({ level: 'info' });
    const result = await verifySnapshot(flags);
    if (result.outcome === 'failed') {
      logger.error({ reason: result.reason }, result.message);
      process.exitCode = 1;
      return;
    }
    logger.info({ sha256: result.sha256, revision: result.revision }, 'verified');
  });

await program.parseAsync();
