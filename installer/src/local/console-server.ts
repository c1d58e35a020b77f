// The web console of a local cluster (issue 16, ADR 0061): `strata up` makes the console's production build if it is
// not current (its progress shown to the user), then runs the console's own entry point as a supervised process on
// 127.0.0.1 at a fixed port, over TLS with a serving certificate from the cluster CA. The installer never imports
// the console (both are in one layer): it finds its entry point by module resolution and starts it, as it starts the
// operators' binaries for the image map.
import { mkdir, readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StrataError } from '@strata/api';
import {
  ASSET_PATHS,
  CertificateAuthority,
  CONSOLE_HEALTH_PATH,
  readPemPair,
  toPemPair,
  writePemPair,
} from '@strata/assets';
import { ManagedProcess, runCommand, SECRET_FILE_MODE, waitUntilHealthy, writeFileAtomic } from '@strata/host';

export class LocalConsoleError extends StrataError {}

/** Where `strata up` serves the console: loopback only, a fixed port so that a bookmark keeps working. */
export const LOCAL_CONSOLE_HOST = '127.0.0.1';
export const LOCAL_CONSOLE_PORT = 8443;

/** The console's own entry point (`console build`, `console serve`), resolved when needed, not on every command. */
export function consoleBin(): string {
  return fileURLToPath(import.meta.resolve('@strata/console/bin'));
}

/** How long the built console may take to answer its health route once started (a loaded machine is slow). */
const CONSOLE_START_TIMEOUT_MS = 120_000;
/** The serving certificate is issued again by every `strata up`; a year is longer than any run. */
const SERVING_VALIDITY_DAYS = 365;

/** Where a cluster directory keeps the console's serving certificate and session key (beside the assets). */
export function localConsolePaths(clusterDir: string) {
  const dir = join(clusterDir, 'console');
  return {
    dir,
    tlsName: 'serving',
    certFile: join(dir, 'serving.crt'),
    keyFile: join(dir, 'serving.key'),
    sessionSecretFile: join(dir, 'session-secret'),
    caFile: join(clusterDir, 'assets', `${ASSET_PATHS.clusterCa}.crt`),
  };
}

/** A serving certificate for 127.0.0.1 and localhost, from the cluster CA in `assetsDir`. */
export async function issueLocalConsoleCertificate(assetsDir: string, host: string = LOCAL_CONSOLE_HOST) {
  const ca = await CertificateAuthority.fromPem(await readPemPair(assetsDir, ASSET_PATHS.clusterCa));
  return toPemPair(
    await ca.issue({
      commonName: 'strata-console',
      ipAddresses: [host],
      dnsNames: ['localhost'],
      profile: 'server',
      validityDays: SERVING_VALIDITY_DAYS,
    }),
  );
}

/** The session key: kept in the directory, so that a second `strata up` does not sign everyone out. */
async function sessionSecret(path: string): Promise<string> {
  try {
    const existing = (await readFile(path, 'utf8')).trim();
    if (existing.length >= 32) return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32).toString('base64url');
  await writeFileAtomic(path, `${secret}\n`, SECRET_FILE_MODE);
  return secret;
}

export interface LocalConsoleOptions {
  readonly clusterDir: string;
  readonly assetsDir: string;
  readonly kubeconfigPath: string;
  readonly logsDir: string;
  readonly port?: number;
  /**
   * The cluster's own update server (update_engine's SERVER= URL; its origin is used), whose certificate the cluster
   * CA signs; absent (not a Flatcar cluster), the console's update server pages say it is not configured.
   */
  readonly updateServerUrl?: string;
  /** Told what happens, the build's own lines included. */
  readonly progress: (line: string) => void;
}

export interface LocalConsole {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** The CA that signs its certificate: the cluster CA. */
  readonly caFile: string;
  stop(): Promise<void>;
}

/**
 * The console's environment: the cluster (its kubeconfig's cluster entry; the console ignores its user), the session
 * key, and the update server with the cluster CA that signs its certificate (ADR 0066).
 */
export function localConsoleEnvironment(options: {
  readonly kubeconfigPath: string;
  readonly sessionSecret: string;
  readonly caFile: string;
  readonly updateServerUrl?: string;
}): Record<string, string> {
  return {
    STRATA_CONSOLE_KUBECONFIG: options.kubeconfigPath,
    STRATA_CONSOLE_SESSION_SECRET: options.sessionSecret,
    ...(options.updateServerUrl === undefined
      ? {}
      : {
          STRATA_CONSOLE_UPDATE_SERVER_URL: new URL(options.updateServerUrl).origin,
          STRATA_CONSOLE_UPDATE_SERVER_CA_FILE: options.caFile,
        }),
  };
}

/**
 * `console build`: the production build, unless it is current (its inputs' hash), with its lines told to `progress`.
 * Both the supervised console and the console pod of a local cluster (the image map's process) serve that build.
 */
export async function buildLocalConsole(progress: (line: string) => void): Promise<void> {
  const built = await runCommand(process.execPath, [consoleBin(), 'build'], {
    onLine: (line, stream) => {
      if (stream === 'stdout') progress(line);
    },
  });
  if (built.code !== 0)
    throw new LocalConsoleError(`the console could not be built (exit ${built.code}):\n${built.stderr.slice(-4000)}`, {
      code: built.code,
    });
}

/** Builds the console if needed, starts it and waits until it answers its health route over TLS. */
export async function startLocalConsole(options: LocalConsoleOptions): Promise<LocalConsole> {
  const paths = localConsolePaths(options.clusterDir);
  const port = options.port ?? LOCAL_CONSOLE_PORT;
  const bin = consoleBin();
  await buildLocalConsole(options.progress);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await writePemPair(paths.dir, paths.tlsName, await issueLocalConsoleCertificate(options.assetsDir));
  const secret = await sessionSecret(paths.sessionSecretFile);
  const url = `https://${LOCAL_CONSOLE_HOST}:${port}`;
  const console_ = ManagedProcess.start({
    name: 'console',
    command: process.execPath,
    args: [
      bin,
      'serve',
      `--host=${LOCAL_CONSOLE_HOST}`,
      `--port=${port}`,
      `--tls-cert-file=${paths.certFile}`,
      `--tls-key-file=${paths.keyFile}`,
    ],
    env: localConsoleEnvironment({ ...options, caFile: paths.caFile, sessionSecret: secret }),
    logFile: join(options.logsDir, 'console.log'),
  });
  try {
    await waitUntilHealthy(
      console_,
      `${url}${CONSOLE_HEALTH_PATH}`,
      { ca: await readFile(paths.caFile, 'utf8') },
      CONSOLE_START_TIMEOUT_MS,
    );
  } catch (error) {
    await console_.stop();
    if (!(error instanceof StrataError)) throw error;
    throw new LocalConsoleError(
      `the web console did not start: ${error.message}\n(strata up --console-port <port> serves it on another port, --no-console not at all)`,
      { url, ...error.context },
      { cause: error },
    );
  }
  return { url, caFile: paths.caFile, stop: () => console_.stop().then(() => undefined) };
}
