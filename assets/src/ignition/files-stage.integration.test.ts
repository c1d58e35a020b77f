// The real Ignition (v2.24.0, built by @strata/binaries) applies a bare-metal worker's rendered config to a temporary
// root, as a node's initramfs runs it against /sysroot: its fetch stage reads the config from a file (the `file`
// platform) into a config cache, and its files stage writes the files, directories, links, units, drop-ins, masks,
// presets and users. What it wrote is read back and compared with the config. The kubelet's system extension is a
// remote file: the test serves it over HTTP on the loopback, and Ignition checks its pinned sha512 on the way.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBinary } from '@strata/binaries';
import { runCommand } from '@strata/host';
import { startPayloadServer, type PayloadServer } from '@strata/omaha/testing';
import { validConfig } from '../config/fixtures.ts';
import { ignitionRootDifferences } from '../testing/ignition-root.ts';
import { fixtureConfig, platformRenderDirectory } from '../testing/platform-render.ts';
import { ignitionConfigSchema, type IgnitionConfig } from './schema.ts';

const SYSEXT = Buffer.from('a stand-in for the kubelet system extension image\n');
const SYSEXT_PATH = '/kubernetes-v1.36.3-x86-64.raw';

let ignition: string;
let scratch: string;
let server: PayloadServer;
let sysextUrl: string;

before(async () => {
  assert.equal(
    process.getuid?.(),
    0,
    "Ignition's files stage runs as root: it sets owners and runs useradd in the root it writes (run the tests as root)",
  );
  ignition = await resolveBinary('ignition');
  scratch = await mkdtemp(join(tmpdir(), 'strata-ignition-files-'));
  // Ignition writes a user's SSH keys as that user (it switches to the user's uid to create ~/.ssh), so the user
  // must be able to reach the root, as every user reaches / on a machine; mkdtemp makes directories only root enters.
  await chmod(scratch, 0o755);
  server = await startPayloadServer();
  server.serve(SYSEXT_PATH, SYSEXT);
  sysextUrl = server.url(SYSEXT_PATH);
});

after(async () => {
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});

async function renderedWorker(): Promise<IgnitionConfig> {
  const sha512 = createHash('sha512').update(SYSEXT).digest('hex');
  const config = fixtureConfig({ ...validConfig('bare-metal'), kubernetesSysext: { url: sysextUrl, sha512 } });
  const directory = await platformRenderDirectory('bare-metal');
  try {
    const { topology, ignition } = await directory.render(config);
    const worker = topology.workers[0];
    const text = worker === undefined ? undefined : ignition.get(worker.name);
    assert.ok(text !== undefined, 'the bare-metal fixture has a worker with its Ignition');
    return ignitionConfigSchema.parse(JSON.parse(text));
  } finally {
    await directory.remove();
  }
}

/** A directory for one run of Ignition: its config, config cache and state, and the root it writes. */
async function nodeDirectory(): Promise<string> {
  const dir = await mkdtemp(join(scratch, 'node-'));
  await chmod(dir, 0o755);
  return dir;
}

/**
 * The account files of the OS image the root stands for, and no more: Ignition creates users with `useradd --root`,
 * which edits the root's /etc/passwd, /etc/group, /etc/shadow and /etc/gshadow under their lock and fails ("cannot
 * lock /etc/passwd") where there are none. A node image has them, with root's entries.
 */
async function seedAccounts(root: string): Promise<void> {
  await mkdir(join(root, 'etc'), { recursive: true });
  await writeFile(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  await writeFile(join(root, 'etc', 'group'), 'root:x:0:\n');
  for (const secret of ['shadow', 'gshadow']) {
    await writeFile(join(root, 'etc', secret), secret === 'shadow' ? 'root:*:19000:0:99999:7:::\n' : 'root:*::\n');
    await chmod(join(root, 'etc', secret), 0o600);
  }
}

describe("Ignition's files stage, for real, on a rendered bare-metal worker's config", () => {
  it('writes every file, directory, link, unit and user the config names, as the config says', async () => {
    const config = await renderedWorker();
    const sysextFile = config.storage?.files?.find((file) => file.contents?.source === sysextUrl);
    assert.ok(sysextFile !== undefined, 'the worker downloads the kubelet system extension from the test server');
    assert.ok((config.storage?.links ?? []).length > 0 && (config.systemd?.units ?? []).length > 0);

    const dir = await nodeDirectory();
    const configFile = join(dir, 'config.ign');
    const root = join(dir, 'root');
    await writeFile(configFile, JSON.stringify(config));
    await seedAccounts(root);
    // Ignition's run-time files (config cache, state) outside the root, as in an initramfs' /run.
    const run = (stage: string): Promise<{ code: number | null; stdout: string; stderr: string }> =>
      runCommand(
        ignition,
        [
          '-platform=file',
          `-stage=${stage}`,
          `-root=${root}`,
          `-config-cache=${join(dir, 'ignition.json')}`,
          `-state-file=${join(dir, 'state')}`,
          `-neednet=${join(dir, 'neednet')}`,
          '-log-to-stdout',
        ],
        { env: { ...process.env, IGNITION_CONFIG_FILE: configFile } },
      );

    const fetched = await run('fetch');
    assert.equal(fetched.code, 0, `ignition -stage=fetch failed:\n${fetched.stdout}${fetched.stderr}`);
    assert.match(
      fetched.stdout,
      new RegExp(`using config file at "${configFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`),
    );
    const files = await run('files');
    assert.equal(files.code, 0, `ignition -stage=files failed:\n${files.stdout}${files.stderr}`);
    assert.match(files.stdout, /files passed/);

    assert.deepEqual(await ignitionRootDifferences(root, config, new Map([[sysextUrl, SYSEXT]])), []);
    // The users the config creates, in the root's own account database (useradd --root).
    const passwd = await readFile(join(root, 'etc', 'passwd'), 'utf8');
    for (const user of config.passwd?.users ?? []) {
      assert.match(passwd, new RegExp(`^${user.name}:`, 'm'), `useradd did not create ${user.name}`);
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a remote file whose bytes do not match the pinned hash, and writes no part of it', async () => {
    const config = await renderedWorker();
    const dir = await nodeDirectory();
    const root = join(dir, 'root');
    await seedAccounts(root);
    const tampered: IgnitionConfig = {
      ...config,
      storage: {
        ...config.storage,
        files: (config.storage?.files ?? []).map((file) =>
          file.contents?.source === sysextUrl
            ? { ...file, contents: { ...file.contents, verification: { hash: `sha512-${'0'.repeat(128)}` } } }
            : file,
        ),
      },
    };
    const configFile = join(dir, 'config.ign');
    await writeFile(configFile, JSON.stringify(tampered));
    const args = (stage: string): string[] => [
      '-platform=file',
      `-stage=${stage}`,
      `-root=${root}`,
      `-config-cache=${join(dir, 'ignition.json')}`,
      `-state-file=${join(dir, 'state')}`,
      '-log-to-stdout',
    ];
    const env = { ...process.env, IGNITION_CONFIG_FILE: configFile };
    assert.equal((await runCommand(ignition, args('fetch'), { env })).code, 0);
    const files = await runCommand(ignition, args('files'), { env });
    assert.equal(files.code, 1, `${files.stdout}${files.stderr}`);
    assert.match(
      `${files.stdout}${files.stderr}`,
      /hash verification failed \(calculated [0-9a-f]{128} but expected 0{128}\)/,
    );
    const sysextFile = tampered.storage?.files?.find((file) => file.contents?.source === sysextUrl);
    assert.ok(sysextFile !== undefined);
    await assert.rejects(readFile(join(root, sysextFile.path)), { code: 'ENOENT' });
    await rm(dir, { recursive: true, force: true });
  });
});
