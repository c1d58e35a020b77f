// The CNCF distribution registry, run as a component: its YAML configuration written here, the process under a
// guardian, ready once `GET /v2/` answers over TLS. It serves the machine lab's pod images so that a node pulls
// nothing from the internet.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { StrataError } from '@strata/api';
import { httpsRequest, logTail, ManagedProcess, waitFor } from '@strata/host';

/** The registry did not start or did not answer. `context`: its address and the end of its log. */
export class RegistryStartError extends StrataError {}

export const registryOptionsSchema = z.strictObject({
  /** The `registry` binary (`resolveBinary('registry')`). */
  binary: z.string().min(1),
  /** `host:port` to listen on; the certificate must name the host. */
  address: z.string().regex(/^[\w.-]+:\d{1,5}$/, 'host:port'),
  /** Where the images are stored (filesystem driver). Created if missing. */
  storageDir: z.string().min(1),
  /** Its configuration and log go here. */
  workDir: z.string().min(1),
  tls: z.strictObject({
    certFile: z.string().min(1),
    keyFile: z.string().min(1),
    /** The CA (PEM) the certificate chains to: the readiness probe trusts it alone. */
    ca: z.string().includes('-----BEGIN CERTIFICATE-----', { message: 'a PEM certificate' }),
  }),
  startTimeoutMs: z.number().int().positive().default(30_000),
});

export type RegistryOptions = z.input<typeof registryOptionsSchema>;

export interface RunningRegistry {
  /** `host:port`, as image references name the registry. */
  readonly address: string;
  readonly configFile: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/** distribution's configuration (version 0.1, its only format): filesystem storage, TLS, nothing else on. */
export function registryConfig(options: z.output<typeof registryOptionsSchema>): string {
  return stringify({
    version: 0.1,
    log: { level: 'info', formatter: 'text' },
    storage: {
      filesystem: { rootdirectory: options.storageDir },
      // Unfinished uploads are purged by a background job that starts hours later; a lab registry lives shorter.
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: {
      addr: options.address,
      tls: { certificate: options.tls.certFile, key: options.tls.keyFile },
      // Without it the registry makes up a random one and warns; it only signs upload state, and there is one instance.
      secret: 'strata-lab-registry',
    },
  });
}

/** Starts the registry and waits until it answers `GET /v2/` with 200 over TLS. */
export async function startRegistry(input: RegistryOptions): Promise<RunningRegistry> {
  const parsed = registryOptionsSchema.safeParse(input);
  if (!parsed.success) {
    throw new RegistryStartError(`not valid registry options: ${z.prettifyError(parsed.error)}`, {
      issues: parsed.error.issues,
    });
  }
  const options = parsed.data;
  await mkdir(options.workDir, { recursive: true });
  await mkdir(options.storageDir, { recursive: true });
  const configFile = join(options.workDir, 'registry.yml');
  await writeFile(configFile, registryConfig(options));
  const running = ManagedProcess.start({
    name: 'registry',
    command: options.binary,
    args: ['serve', configFile],
    // Nothing of this process's environment: distribution reads REGISTRY_* variables as configuration. Its
    // OpenTelemetry exporter would otherwise try to send traces to localhost:4318.
    env: { OTEL_TRACES_EXPORTER: 'none', HOME: options.workDir },
    logFile: join(options.workDir, 'registry.log'),
    gracePeriodMs: 5_000,
  });
  const url = `https://${options.address}/v2/`;
  try {
    await waitFor(
      `the registry to answer GET ${url}`,
      async () => {
        if (!running.running) throw await running.failure('it exited before it answered');
        const answer = await httpsRequest(url, { ca: options.tls.ca }).catch(() => undefined);
        return answer?.status === 200 ? true : undefined;
      },
      { timeoutMs: options.startTimeoutMs, intervalMs: 100 },
    );
  } catch (error) {
    await running.stop();
    const log = await logTail(running.spec.logFile);
    throw new RegistryStartError(
      `the registry on ${options.address} did not answer: ${error instanceof Error ? error.message : String(error)}\nits log ends:\n${log}`,
      { address: options.address, configFile, log },
      { cause: error },
    );
  }
  return {
    address: options.address,
    configFile,
    process: running,
    stop: async () => {
      await running.stop();
    },
  };
}
