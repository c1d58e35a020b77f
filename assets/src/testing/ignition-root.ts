// What an Ignition config's files stage must have written into a root directory, read back and compared: the files
// (contents, mode, owner), directories, links, systemd units, drop-ins, masks and presets, and each user's SSH keys.
// Used by the test that runs the real Ignition against a temporary root; each difference is one line naming the path.
import { lstat, readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeDataUrl } from '../ignition/data-url.ts';
import type { IgnitionConfig, NodeOwner, Resource } from '../ignition/schema.ts';

/** Ignition's defaults for a node without a mode: files 0644, directories 0755 (its spec says so). */
const DEFAULT_FILE_MODE = 0o644;
const DEFAULT_DIRECTORY_MODE = 0o755;
const SYSTEMD_DIR = '/etc/systemd/system';
/** Where Ignition records an enabled or disabled unit, as a systemd preset. */
export const IGNITION_PRESET_PATH = '/etc/systemd/system-preset/20-ignition.preset';

/** The bytes of a resource that the files stage wrote. A data URL decodes here; any other source must be given. */
export type RemoteContents = ReadonlyMap<string, Uint8Array>;

function resourceBytes(resource: Resource, remote: RemoteContents): Uint8Array | string {
  const source = resource.source ?? '';
  let bytes: Uint8Array;
  if (source.startsWith('data:')) {
    const decoded = decodeDataUrl(source);
    if (!decoded.ok) return `its source does not decode: ${decoded.reason}`;
    bytes = decoded.value.data;
  } else {
    const served = remote.get(source);
    if (served === undefined) return `its source ${source} is neither a data URL nor one of the remote contents given`;
    bytes = served;
  }
  return resource.compression === 'gzip' ? gunzipSync(bytes) : bytes;
}

/** A name or id in the root's own account database, as Ignition looks owners up in the root it writes to. */
async function accountId(root: string, database: 'passwd' | 'group', owner: NodeOwner | undefined): Promise<number> {
  if (owner?.id !== undefined) return owner.id;
  if (owner?.name === undefined) return 0;
  const lines = (await readFile(join(root, 'etc', database), 'utf8')).split('\n');
  const entry = lines.map((line) => line.split(':')).find((fields) => fields[0] === owner.name);
  const id = entry?.[2];
  return id === undefined ? Number.NaN : Number(id);
}

interface Owned {
  readonly path: string;
  readonly user?: NodeOwner | undefined;
  readonly group?: NodeOwner | undefined;
}

async function ownerDifferences(root: string, node: Owned, uid: number, gid: number): Promise<string[]> {
  const user = await accountId(root, 'passwd', node.user);
  const group = await accountId(root, 'group', node.group);
  return uid === user && gid === group ? [] : [`${node.path}: owner ${uid}:${gid}, the config says ${user}:${group}`];
}

async function fileDifferences(
  root: string,
  path: string,
  expected: Uint8Array,
  mode: number,
  owner?: Owned,
): Promise<string[]> {
  const found = await lstat(join(root, path)).catch(() => undefined);
  if (found === undefined) return [`${path}: missing`];
  if (!found.isFile()) return [`${path}: not a regular file`];
  const differences: string[] = [];
  if ((found.mode & 0o7777) !== mode) {
    differences.push(`${path}: mode ${(found.mode & 0o7777).toString(8)}, the config says ${mode.toString(8)}`);
  }
  const contents = await readFile(join(root, path));
  if (!contents.equals(expected)) {
    differences.push(`${path}: ${contents.length} bytes that differ from the config's ${expected.length}`);
  }
  if (owner !== undefined) differences.push(...(await ownerDifferences(root, owner, found.uid, found.gid)));
  return differences;
}

/**
 * Every way `root` differs from what the files stage of `config` writes; empty when it holds all of it. Files whose
 * source is not a data URL are compared with `remote`, the bytes the test served at that source.
 */
export async function ignitionRootDifferences(
  root: string,
  config: IgnitionConfig,
  remote: RemoteContents = new Map(),
): Promise<string[]> {
  const differences: string[] = [];
  for (const file of config.storage?.files ?? []) {
    const parts = [...(file.contents === undefined ? [] : [file.contents]), ...(file.append ?? [])];
    const chunks: Uint8Array[] = [];
    for (const part of parts) {
      const bytes = resourceBytes(part, remote);
      if (typeof bytes === 'string') differences.push(`${file.path}: ${bytes}`);
      else chunks.push(bytes);
    }
    differences.push(
      ...(await fileDifferences(root, file.path, Buffer.concat(chunks), file.mode ?? DEFAULT_FILE_MODE, file)),
    );
  }
  for (const directory of config.storage?.directories ?? []) {
    const found = await lstat(join(root, directory.path)).catch(() => undefined);
    if (found === undefined || !found.isDirectory()) {
      differences.push(`${directory.path}: no directory`);
      continue;
    }
    const mode = directory.mode ?? DEFAULT_DIRECTORY_MODE;
    if ((found.mode & 0o7777) !== mode) {
      differences.push(
        `${directory.path}: mode ${(found.mode & 0o7777).toString(8)}, the config says ${mode.toString(8)}`,
      );
    }
    differences.push(...(await ownerDifferences(root, directory, found.uid, found.gid)));
  }
  for (const link of config.storage?.links ?? []) {
    const found = await lstat(join(root, link.path)).catch(() => undefined);
    if (found === undefined) {
      differences.push(`${link.path}: missing`);
    } else if (link.hard === true) {
      // A hard link's target is joined to the root, as Ignition joins it.
      const target = await stat(join(root, link.target)).catch(() => undefined);
      if (target === undefined || target.ino !== found.ino || target.dev !== found.dev) {
        differences.push(`${link.path}: not a hard link of ${link.target}`);
      }
    } else if (!found.isSymbolicLink()) {
      differences.push(`${link.path}: not a symbolic link`);
    } else {
      const target = await readlink(join(root, link.path));
      if (target !== link.target) differences.push(`${link.path}: links to ${target}, the config says ${link.target}`);
      differences.push(...(await ownerDifferences(root, link, found.uid, found.gid)));
    }
  }
  const presets: string[] = [];
  for (const unit of config.systemd?.units ?? []) {
    const path = `${SYSTEMD_DIR}/${unit.name}`;
    if (unit.mask === true) {
      const target = await readlink(join(root, path)).catch(() => undefined);
      if (target !== '/dev/null') differences.push(`${path}: the masked unit does not link to /dev/null`);
    } else if ((unit.contents ?? '') !== '') {
      differences.push(...(await fileDifferences(root, path, Buffer.from(unit.contents ?? ''), DEFAULT_FILE_MODE)));
    }
    for (const dropin of unit.dropins ?? []) {
      if ((dropin.contents ?? '') === '') continue;
      const dropinPath = `${SYSTEMD_DIR}/${unit.name}.d/${dropin.name}`;
      differences.push(
        ...(await fileDifferences(root, dropinPath, Buffer.from(dropin.contents ?? ''), DEFAULT_FILE_MODE)),
      );
    }
    if (unit.enabled !== undefined) presets.push(`${unit.enabled ? 'enable' : 'disable'} ${unit.name}`);
  }
  if (presets.length > 0) {
    const written = await readFile(join(root, IGNITION_PRESET_PATH), 'utf8').catch(() => '');
    const lines = written.split('\n').filter((line) => line !== '');
    for (const preset of presets) {
      if (!lines.includes(preset)) differences.push(`${IGNITION_PRESET_PATH}: no line "${preset}"`);
    }
  }
  for (const user of config.passwd?.users ?? []) {
    const keys = user.sshAuthorizedKeys ?? [];
    if (keys.length === 0) continue;
    const passwd = (await readFile(join(root, 'etc', 'passwd'), 'utf8').catch(() => '')).split('\n');
    const home = passwd.map((line) => line.split(':')).find((fields) => fields[0] === user.name)?.[5];
    if (home === undefined) {
      differences.push(`/etc/passwd: no user ${user.name}`);
      continue;
    }
    // Ignition writes a user's keys as a fragment of authorized_keys.d, one key a line.
    const path = `${home}/.ssh/authorized_keys.d/ignition`;
    const written = await readFile(join(root, path), 'utf8').catch(() => undefined);
    if (written !== `${keys.join('\n')}\n`) differences.push(`${path}: not the user's ${keys.length} SSH keys`);
  }
  return differences;
}
