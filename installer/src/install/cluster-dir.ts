// The cluster directory `strata install` works in:
//   cluster.yaml    a copy of the user's config (their file is only ever read)
//   install.json    which cluster and platform the directory belongs to, and its Pulumi backend
//   assets/         the rendered assets (strata render's layout)
//   state/          the Pulumi file backend (unless --backend names another), the workspace, the passphrase
//   journal.jsonl   the install journal
//   logs/           the logs of what install started
// The local platform's daemon (`strata up`) keeps its own files beside these,
// in the same layout (assets/, logs/), through platform-local's ClusterDirectory.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { PLATFORMS, type Platform } from '@strata/assets';
import { writeFileAtomic, SECRET_FILE_MODE } from '@strata/host';
import { ClusterDirectory } from '@strata/platform-local';
import { InstallConfigError, InstallUsageError } from './errors.ts';
import { Journal } from './journal.ts';

const identitySchema = z.strictObject({
  cluster: z.string(),
  platform: z.enum(PLATFORMS),
  backend: z.string(),
  createdAt: z.iso.datetime(),
});
export type DirectoryIdentity = z.infer<typeof identitySchema>;

const BACKEND_SCHEMES = ['file:', 's3:', 'gs:', 'azblob:', 'https:'] as const;

/**
 * A Pulumi backend URL the engine accepts: a local directory (file://), an
 * object store (s3://, gs://, azblob://) or Pulumi Cloud (https://). It is
 * passed to Pulumi as given; only its shape is checked here.
 */
export function checkBackendUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InstallUsageError(
      `--backend "${text}" is not a URL; use file:///path, s3://bucket, gs://bucket, azblob://container or https://api.pulumi.com`,
      { backend: text },
    );
  }
  if (!(BACKEND_SCHEMES as readonly string[]).includes(url.protocol)) {
    throw new InstallUsageError(
      `--backend "${text}" has the scheme "${url.protocol}"; Pulumi backends are ${BACKEND_SCHEMES.map((scheme) => `${scheme}//`).join(', ')}`,
      { backend: text },
    );
  }
  if (url.protocol !== 'file:' && url.protocol !== 'https:' && url.hostname === '') {
    throw new InstallUsageError(`--backend "${text}" names no bucket or container`, { backend: text });
  }
  if (url.username !== '' || url.password !== '') {
    // Credentials in the URL would land in install.json and in process listings.
    throw new InstallUsageError(
      '--backend must not carry credentials; give them to Pulumi through its environment (AWS_*, GOOGLE_*, AZURE_*, PULUMI_ACCESS_TOKEN)',
      { backendScheme: url.protocol },
    );
  }
  return text;
}

export class InstallDirectory {
  readonly path: string;
  readonly local: ClusterDirectory;

  constructor(path: string) {
    this.path = resolve(path);
    this.local = new ClusterDirectory(this.path);
  }

  get configPath(): string {
    return join(this.path, 'cluster.yaml');
  }
  get assetsDir(): string {
    return this.local.assetsDir;
  }
  get logsDir(): string {
    return this.local.logsDir;
  }
  get kubeconfigPath(): string {
    return this.local.kubeconfigPath;
  }
  get stateDir(): string {
    return join(this.path, 'state');
  }
  /** The Pulumi workspace: the engine runs with this as its working directory, so its processes name the cluster directory. */
  get workspaceDir(): string {
    return join(this.stateDir, 'workspace');
  }
  get lockPath(): string {
    return join(this.path, '.install.lock');
  }
  get journal(): Journal {
    return new Journal(join(this.path, 'journal.jsonl'));
  }
  get #identityPath(): string {
    return join(this.path, 'install.json');
  }
  get #passphrasePath(): string {
    return join(this.stateDir, 'passphrase');
  }

  defaultBackend(): string {
    return pathToFileURL(this.stateDir).href;
  }

  async identity(): Promise<DirectoryIdentity | undefined> {
    let text: string;
    try {
      text = await readFile(this.#identityPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const parsed = identitySchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new InstallConfigError(`${this.#identityPath} is not a Strata install record; was it edited?`, {
        path: this.#identityPath,
      });
    }
    return parsed.data;
  }

  /**
   * Claims the directory for this cluster and platform, or refuses one made
   * for another (its keys and state belong to that cluster). The backend, once
   * chosen, stays: the state is where it was written.
   */
  async claim(cluster: string, platform: Platform, backend: string | undefined): Promise<DirectoryIdentity> {
    const existing = await this.identity();
    if (existing !== undefined) {
      if (existing.cluster !== cluster || existing.platform !== platform) {
        throw new InstallConfigError(
          `${this.path} was made for the ${existing.platform} cluster "${existing.cluster}", not the ${platform} cluster "${cluster}". Use another --dir, or strata destroy --dir ${this.path} and remove it first.`,
          {
            dir: this.path,
            existing: { cluster: existing.cluster, platform: existing.platform },
            requested: { cluster, platform },
          },
        );
      }
      if (backend !== undefined && backend !== existing.backend) {
        throw new InstallUsageError(
          `${this.path} keeps its Pulumi state at ${existing.backend}; --backend ${backend} would lose track of what was created. Drop --backend, or use another --dir.`,
          { dir: this.path, backend, existing: existing.backend },
        );
      }
      return existing;
    }
    const upIdentity = await readUpIdentity(this.path);
    if (upIdentity !== undefined && upIdentity !== cluster) {
      throw new InstallConfigError(
        `${this.path} holds the local cluster "${upIdentity}" (made by strata up), not "${cluster}". Use another --dir.`,
        { dir: this.path, existing: upIdentity, requested: cluster },
      );
    }
    await mkdir(this.path, { recursive: true, mode: 0o700 });
    const identity: DirectoryIdentity = {
      cluster,
      platform,
      backend: backend ?? this.defaultBackend(),
      createdAt: new Date().toISOString(),
    };
    await writeFileAtomic(this.#identityPath, `${JSON.stringify(identity, null, 2)}\n`);
    return identity;
  }

  /** Copies the user's config in (their file is read, never written) and returns the copy's fingerprint. */
  async copyConfig(userConfigPath: string): Promise<string> {
    const bytes = await readFile(userConfigPath);
    if (resolve(userConfigPath) !== this.configPath) await writeFileAtomic(this.configPath, bytes);
    return createHash('sha256').update(bytes).digest('hex');
  }

  /** The fingerprint of the config copy, or undefined before the first install. */
  async configFingerprint(): Promise<string | undefined> {
    try {
      return createHash('sha256')
        .update(await readFile(this.configPath))
        .digest('hex');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** The passphrase that encrypts the stack's secrets: made once, 0600, never shown. */
  async passphrase(): Promise<string> {
    try {
      return (await readFile(this.#passphrasePath, 'utf8')).trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const passphrase = randomBytes(32).toString('base64url');
    await writeFileAtomic(this.#passphrasePath, `${passphrase}\n`, SECRET_FILE_MODE);
    return passphrase;
  }
}

/** The cluster name in platform-local's cluster.json, if `strata up` made this directory. */
async function readUpIdentity(dir: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, 'cluster.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = z.object({ name: z.string() }).safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new InstallConfigError(`${join(dir, 'cluster.json')} is not a Strata cluster identity`, { dir });
  }
  return parsed.data.name;
}
