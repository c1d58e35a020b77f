import { spawn } from 'node:child_process';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { DownloadError } from './errors.ts';
import type { ComponentSpec, ReleaseSpec } from './components.ts';
import type { Progress } from './go-build.ts';

const DOWNLOAD_TIMEOUT_MS = 10 * 60 * 1000;

export function releaseArch(): string {
  const arches: Partial<Record<NodeJS.Architecture, string>> = { x64: 'amd64', arm64: 'arm64' };
  const arch = arches[process.arch];
  if (arch === undefined) {
    throw new DownloadError(`no official release binaries for CPU architecture ${process.arch}`, {
      arch: process.arch,
    });
  }
  return arch;
}

export function downloadBaseUrl(release: ReleaseSpec, env: NodeJS.ProcessEnv): string | undefined {
  if (release.download === undefined) return undefined;
  return (env[release.download.baseUrlVariable] ?? release.download.defaultBaseUrl).replace(/\/+$/, '');
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new DownloadError(
      `GET ${url} failed: ${cause?.code ?? cause?.message ?? String(error)}`,
      { url },
      { cause: error },
    );
  }
  if (!response.ok) {
    throw new DownloadError(`GET ${url} answered ${response.status} ${response.statusText}`, {
      url,
      status: response.status,
    });
  }
  return new Uint8Array(await response.arrayBuffer());
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function verify(url: string, bytes: Uint8Array, expected: string | undefined): void {
  if (expected === undefined) throw new DownloadError(`no published checksum for ${url}`, { url });
  const actual = sha256(bytes);
  if (actual !== expected) {
    throw new DownloadError(`checksum mismatch for ${url}: published ${expected}, downloaded ${actual}`, {
      url,
      expected,
      actual,
    });
  }
}

function untar(archive: string, member: string, into: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', ['-xzf', archive, '-C', into, member], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new DownloadError(`tar could not extract ${member}: ${stderr.trim()}`, { archive, member })),
    );
  });
}

/**
 * Downloads the official release binaries of `components` into `stagingDir`
 * and checks each against the checksum the release publishes.
 * Returns the staged path of each component.
 */
export async function downloadRelease(
  release: ReleaseSpec,
  components: readonly ComponentSpec[],
  stagingDir: string,
  env: NodeJS.ProcessEnv,
  progress: Progress,
): Promise<Map<ComponentSpec['name'], string>> {
  const base = downloadBaseUrl(release, env);
  if (release.download === undefined || base === undefined) {
    throw new DownloadError(
      `${release.name} publishes no checksums to check a download against; it is built from Go modules`,
      {
        release: release.name,
      },
    );
  }
  const arch = releaseArch();
  const staged = new Map<ComponentSpec['name'], string>();
  if (release.download.layout === 'file-per-component') {
    for (const component of components) {
      const url = `${base}/${release.version}/bin/linux/${arch}/${component.name}`;
      progress(`downloading ${url}`);
      const published = new TextDecoder()
        .decode(await fetchBytes(`${url}.sha256`))
        .trim()
        .split(/\s+/)[0];
      const bytes = await fetchBytes(url);
      verify(url, bytes, published);
      const path = join(stagingDir, component.name);
      await writeFile(path, bytes, { mode: 0o755 });
      staged.set(component.name, path);
    }
    return staged;
  }
  const { archive: archivePath, checksums, member } = release.download;
  const url = `${base}/${archivePath(arch)}`;
  const archiveName = archivePath(arch).split('/').pop() ?? '';
  progress(`downloading ${url}`);
  const sums = new TextDecoder().decode(await fetchBytes(`${base}/${checksums}`));
  const published = sums
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find((fields) => fields[1]?.replace(/^\*/, '') === archiveName)?.[0];
  const bytes = await fetchBytes(url);
  verify(url, bytes, published);
  const archive = join(stagingDir, archiveName);
  await writeFile(archive, bytes);
  // A separate directory: an archive's folder may have a component's own name (pulumi/pulumi).
  const unpacked = join(stagingDir, 'unpacked');
  await mkdir(unpacked);
  for (const component of components) {
    const inside = member(arch, component.name);
    await untar(archive, inside, unpacked);
    const path = join(stagingDir, component.name);
    await rename(join(unpacked, inside), path);
    staged.set(component.name, path);
  }
  return staged;
}
