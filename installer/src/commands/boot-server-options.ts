// `strata boot-server serve` settings: matchbox's flag names, each also read
// from STRATA_BOOT_SERVER_<FLAG> (as matchbox reads MATCHBOX_<FLAG>), checked
// here so that a mistake is reported with the flag, where its value came
// from, and how to fix it, before anything listens.
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { listenAddressSchema, type ListenAddress } from '@strata/boot-server';

export const ENV_PREFIX = 'STRATA_BOOT_SERVER_';

/** The environment variable that stands in for a flag: --data-path -> STRATA_BOOT_SERVER_DATA_PATH. */
export const envVariable = (flag: string): string =>
  `${ENV_PREFIX}${flag.replace(/^--/, '').toUpperCase().replaceAll('-', '_')}`;

export const STORES = ['directory', 'kubernetes'] as const;
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** Whether /assets/ lists a directory without index.html, as Go's file server does. */
export const ASSETS_LISTING = ['off', 'on'] as const;

/** The options as commander hands them over (strings, from flags, the environment or defaults). */
export interface RawServeOptions {
  readonly address: string;
  readonly dataPath: string;
  readonly assetsPath: string;
  readonly assetsListing: string;
  readonly apiAddress?: string;
  readonly rpcAddress?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly caFile?: string;
  readonly store: string;
  readonly kubeconfig?: string;
  readonly namespace?: string;
  readonly logLevel: string;
}

/** Where a value came from, as commander reports it ("cli", "env", "default", ...). */
export type OptionSource = string | undefined;

const FLAGS: Readonly<Record<keyof RawServeOptions, string>> = {
  address: '--address',
  dataPath: '--data-path',
  assetsPath: '--assets-path',
  assetsListing: '--assets-listing',
  apiAddress: '--api-address',
  rpcAddress: '--rpc-address',
  certFile: '--cert-file',
  keyFile: '--key-file',
  caFile: '--ca-file',
  store: '--store',
  kubeconfig: '--kubeconfig',
  namespace: '--namespace',
  logLevel: '--log-level',
};

const TLS_FILES = ['certFile', 'keyFile', 'caFile'] as const;

const optionsSchema = z
  .object({
    address: listenAddressSchema,
    dataPath: z.string().min(1, 'must not be empty'),
    assetsPath: z.string(),
    assetsListing: z.enum(ASSETS_LISTING, { error: `must be one of: ${ASSETS_LISTING.join(', ')}` }),
    apiAddress: listenAddressSchema.optional(),
    rpcAddress: listenAddressSchema.optional(),
    certFile: z.string().min(1, 'must not be empty').optional(),
    keyFile: z.string().min(1, 'must not be empty').optional(),
    caFile: z.string().min(1, 'must not be empty').optional(),
    store: z.enum(STORES, { error: `must be one of: ${STORES.join(', ')}` }),
    kubeconfig: z.string().min(1, 'must not be empty').optional(),
    namespace: z
      .string()
      .regex(
        /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
        'must be a Kubernetes namespace name (lower-case letters, digits and "-")',
      )
      .max(63, 'must be at most 63 characters')
      .optional(),
    logLevel: z.enum(LOG_LEVELS, { error: `must be one of: ${LOG_LEVELS.join(', ')}` }),
  })
  .superRefine((options, context) => {
    // Both APIs serve only mutual TLS, with the same certificate, key and CA, as matchbox's gRPC API does.
    const [flagGiven, api] =
      options.apiAddress !== undefined
        ? [FLAGS.apiAddress, 'the write API']
        : options.rpcAddress !== undefined
          ? [FLAGS.rpcAddress, "matchbox's gRPC API"]
          : [undefined, ''];
    if (flagGiven === undefined) return;
    for (const key of TLS_FILES) {
      if (options[key] === undefined) {
        context.addIssue({
          code: 'custom',
          path: [key],
          message: `is required with ${flagGiven}: ${api} serves only mutual TLS (give ${TLS_FILES.map((name) => FLAGS[name]).join(', ')})`,
        });
      }
    }
  });

export interface WriteApiSettings {
  readonly address: ListenAddress;
  readonly addressText: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem: string;
}

export interface ServeSettings {
  readonly address: ListenAddress;
  readonly addressText: string;
  readonly dataPath: string;
  /** undefined: assets are not served. */
  readonly assetsPath: string | undefined;
  readonly listAssetDirectories: boolean;
  readonly writeApi: WriteApiSettings | undefined;
  /** matchbox's gRPC API (--rpc-address), with the write API's TLS files. */
  readonly rpcApi: WriteApiSettings | undefined;
  readonly store: (typeof STORES)[number];
  readonly kubeconfig: string | undefined;
  readonly namespace: string | undefined;
  readonly logLevel: (typeof LOG_LEVELS)[number];
}

export type ServeSettingsResult =
  | { readonly ok: true; readonly settings: ServeSettings; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly problems: readonly string[]; readonly warnings: readonly string[] };

/** "--cert-file (from STRATA_BOOT_SERVER_CERT_FILE)": which flag, and where its value came from when not from the command line. */
function label(key: keyof RawServeOptions, sources: (key: keyof RawServeOptions) => OptionSource): string {
  const flag = FLAGS[key];
  const source = sources(key);
  if (source === 'env') return `${flag} (from ${envVariable(flag)})`;
  if (source === 'default') return `${flag} (default)`;
  return flag;
}

async function checkReadableFile(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return `${path} is not a file`;
    await access(path, constants.R_OK);
    return undefined;
  } catch (error) {
    return `${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
}

async function readPem(path: string, kind: 'CERTIFICATE' | 'PRIVATE KEY'): Promise<{ pem?: string; problem?: string }> {
  const problem = await checkReadableFile(path);
  if (problem !== undefined) return { problem };
  const pem = await readFile(path, 'utf8');
  if (!new RegExp(`-----BEGIN [A-Z ]*${kind}-----`).test(pem))
    return { problem: `${path} holds no PEM ${kind.toLowerCase()}` };
  return { pem };
}

/**
 * Validates the options and reads the files they name. Problems are usage
 * errors (exit 2); warnings are printed and the server starts anyway.
 */
export async function resolveServeSettings(
  raw: RawServeOptions,
  sources: (key: keyof RawServeOptions) => OptionSource,
): Promise<ServeSettingsResult> {
  const warnings: string[] = [];
  const parsed = optionsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path[0] as keyof RawServeOptions | undefined;
      const value = key === undefined ? undefined : raw[key];
      return key === undefined
        ? issue.message
        : `${label(key, sources)}${value === undefined ? '' : ` ${JSON.stringify(value)}`}: ${issue.message}`;
    });
    return { ok: false, problems, warnings };
  }
  const options = parsed.data;
  const problems: string[] = [];

  if (options.store === 'directory') {
    const info = await stat(options.dataPath).catch(() => undefined);
    if (info === undefined)
      problems.push(
        `${label('dataPath', sources)}: ${options.dataPath} does not exist (create it, with matchbox's layout: groups/, profiles/, ignition/, generic/)`,
      );
    else if (!info.isDirectory())
      problems.push(`${label('dataPath', sources)}: ${options.dataPath} is not a directory`);
    for (const key of ['kubeconfig', 'namespace'] as const) {
      if (options[key] !== undefined) warnings.push(`${label(key, sources)} is ignored with --store directory`);
    }
  } else {
    if (options.kubeconfig !== undefined) {
      const problem = await checkReadableFile(options.kubeconfig);
      if (problem !== undefined) problems.push(`${label('kubeconfig', sources)}: ${problem}`);
    }
    if (sources('dataPath') !== 'default')
      warnings.push(`${label('dataPath', sources)} is ignored with --store kubernetes`);
  }

  const assetsPath = options.assetsPath === '' ? undefined : options.assetsPath;
  if (assetsPath !== undefined) {
    const info = await stat(assetsPath).catch(() => undefined);
    if (info === undefined || !info.isDirectory())
      warnings.push(
        `${label('assetsPath', sources)}: ${assetsPath} is not a directory; /assets/ will answer 404 (give --assets-path "" to turn assets off)`,
      );
  }

  let writeApi: WriteApiSettings | undefined;
  let rpcApi: WriteApiSettings | undefined;
  if (options.apiAddress !== undefined || options.rpcAddress !== undefined) {
    const [cert, key, ca] = await Promise.all([
      readPem(options.certFile ?? '', 'CERTIFICATE'),
      readPem(options.keyFile ?? '', 'PRIVATE KEY'),
      readPem(options.caFile ?? '', 'CERTIFICATE'),
    ]);
    for (const [name, result] of [
      ['certFile', cert],
      ['keyFile', key],
      ['caFile', ca],
    ] as const) {
      if (result.problem !== undefined) problems.push(`${label(name, sources)}: ${result.problem}`);
    }
    const keyInfo = await stat(options.keyFile ?? '').catch(() => undefined);
    if (keyInfo !== undefined && (keyInfo.mode & 0o044) !== 0) {
      warnings.push(
        `${label('keyFile', sources)}: ${options.keyFile} is readable by ${(keyInfo.mode & 0o004) !== 0 ? 'everyone' : 'its group'} (mode ${(keyInfo.mode & 0o777).toString(8).padStart(4, '0')}); run: chmod 600 ${options.keyFile}`,
      );
    }
    if (cert.pem !== undefined && key.pem !== undefined && ca.pem !== undefined) {
      const pems = { certPem: cert.pem, keyPem: key.pem, caPem: ca.pem };
      if (options.apiAddress !== undefined)
        writeApi = { address: options.apiAddress, addressText: raw.apiAddress ?? '', ...pems };
      if (options.rpcAddress !== undefined)
        rpcApi = { address: options.rpcAddress, addressText: raw.rpcAddress ?? '', ...pems };
    }
  } else {
    for (const key of TLS_FILES) {
      if (options[key] !== undefined)
        warnings.push(`${label(key, sources)} is ignored without --api-address or --rpc-address`);
    }
  }

  if (problems.length > 0) return { ok: false, problems, warnings };
  return {
    ok: true,
    warnings,
    settings: {
      address: options.address,
      addressText: raw.address,
      dataPath: options.dataPath,
      assetsPath,
      listAssetDirectories: options.assetsListing === 'on',
      writeApi,
      rpcApi,
      store: options.store,
      kubeconfig: options.kubeconfig,
      namespace: options.namespace,
      logLevel: options.logLevel,
    },
  };
}
