import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, link as hardLink, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { bytesDataUrl, textDataUrl } from '../ignition/data-url.ts';
import type { IgnitionConfig } from '../ignition/schema.ts';
import { config as ignitionConfig, directory, file, link, unit, user } from '../ignition/test-fixtures.ts';
import { IGNITION_PRESET_PATH, ignitionRootDifferences } from './ignition-root.ts';

// Owners are this process's, so that the test needs no root: the comparison reads owners as ids.
const uid = process.getuid?.() ?? 0;
const gid = process.getgid?.() ?? 0;
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey core@strata';
const REMOTE_SOURCE = 'https://assets.example.com/kubernetes.raw';

function config(): IgnitionConfig {
  const owner = { user: { id: uid }, group: { id: gid } };
  return ignitionConfig({
    users: [user({ sshAuthorizedKeys: [KEY] })],
    files: [
      file({ path: '/etc/strata/cluster.json', mode: 0o600, ...owner }),
      file({
        path: '/etc/strata/zipped',
        contents: { source: bytesDataUrl(gzipSync('unzipped\n')), compression: 'gzip' },
        append: [{ source: textDataUrl('appended\n') }],
        ...owner,
      }),
      file({ path: '/opt/extensions/kubernetes.raw', contents: { source: REMOTE_SOURCE }, ...owner }),
    ],
    directories: [directory({ path: '/var/lib/strata', mode: 0o700, ...owner })],
    links: [
      link({ path: '/etc/extensions/kubernetes.raw', target: '/opt/extensions/kubernetes.raw', ...owner }),
      link({ path: '/etc/strata/hard', target: '/etc/strata/cluster.json', hard: true }),
    ],
    units: [unit({ enabled: true }), { name: 'locksmithd.service', mask: true }],
  });
}

/** What Ignition's files stage writes for `config()`, written here by hand. */
async function writeTree(root: string): Promise<void> {
  const write = async (path: string, contents: string | Uint8Array, mode = 0o644): Promise<void> => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), contents);
    await chmod(join(root, path), mode);
  };
  await write('/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\ncore:x:1000:1000::/home/core:/bin/bash\n');
  await write('/etc/strata/cluster.json', '{"name":"test"}', 0o600);
  await write('/etc/strata/zipped', 'unzipped\nappended\n');
  await write('/opt/extensions/kubernetes.raw', 'sysext');
  await mkdir(join(root, '/var/lib/strata'), { recursive: true, mode: 0o700 });
  await chmod(join(root, '/var/lib/strata'), 0o700);
  await mkdir(join(root, '/etc/extensions'), { recursive: true });
  await symlink('/opt/extensions/kubernetes.raw', join(root, '/etc/extensions/kubernetes.raw'));
  await hardLink(join(root, '/etc/strata/cluster.json'), join(root, '/etc/strata/hard'));
  const kubelet = unit();
  await write('/etc/systemd/system/kubelet.service', kubelet.contents ?? '');
  for (const dropin of kubelet.dropins ?? []) {
    await write(`/etc/systemd/system/kubelet.service.d/${dropin.name}`, dropin.contents ?? '');
  }
  await symlink('/dev/null', join(root, '/etc/systemd/system/locksmithd.service'));
  await write(IGNITION_PRESET_PATH, 'enable kubelet.service\n');
  await write('/home/core/.ssh/authorized_keys.d/ignition', `${KEY}\n`);
}

describe('ignitionRootDifferences', () => {
  let scratch: string;
  let root: string;
  const remote = new Map([[REMOTE_SOURCE, Buffer.from('sysext')]]);

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'strata-ignition-root-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('finds none in a root holding everything the config writes', async () => {
    root = await mkdtemp(join(scratch, 'root-'));
    await writeTree(root);
    assert.deepEqual(await ignitionRootDifferences(root, config(), remote), []);
  });

  it('names each path that differs, and how', async () => {
    root = await mkdtemp(join(scratch, 'root-'));
    await writeTree(root);
    await chmod(join(root, '/etc/strata/zipped'), 0o600);
    await writeFile(join(root, '/opt/extensions/kubernetes.raw'), 'other');
    await rm(join(root, '/etc/extensions/kubernetes.raw'));
    await symlink('/elsewhere', join(root, '/etc/extensions/kubernetes.raw'));
    await rm(join(root, '/etc/systemd/system/locksmithd.service'));
    await writeFile(join(root, IGNITION_PRESET_PATH), '');
    await rm(join(root, '/var/lib/strata'), { recursive: true });
    assert.deepEqual(await ignitionRootDifferences(root, config(), remote), [
      '/etc/strata/zipped: mode 600, the config says 644',
      "/opt/extensions/kubernetes.raw: 5 bytes that differ from the config's 6",
      '/var/lib/strata: no directory',
      '/etc/extensions/kubernetes.raw: links to /elsewhere, the config says /opt/extensions/kubernetes.raw',
      '/etc/systemd/system/locksmithd.service: the masked unit does not link to /dev/null',
      `${IGNITION_PRESET_PATH}: no line "enable kubelet.service"`,
    ]);
  });

  it('cannot check a remote source it was not given the bytes of', async () => {
    root = await mkdtemp(join(scratch, 'root-'));
    await writeTree(root);
    const differences = await ignitionRootDifferences(root, config());
    assert.ok(differences.some((line) => line.includes(`its source ${REMOTE_SOURCE} is neither a data URL`)));
  });

  it("names a user whose SSH keys are missing, and an owner the root's accounts do not have", async () => {
    root = await mkdtemp(join(scratch, 'root-'));
    await writeTree(root);
    await rm(join(root, '/home/core/.ssh'), { recursive: true });
    const named = ignitionConfig({
      users: [user({ sshAuthorizedKeys: [KEY] })],
      files: [file({ user: { name: 'nobody' } })],
    });
    await mkdir(join(root, '/etc/strata'), { recursive: true });
    const differences = await ignitionRootDifferences(root, {
      ...named,
      storage: { files: named.storage?.files ?? [] },
      systemd: {},
    });
    assert.ok(
      differences.some((line) => /^\/etc\/strata\/cluster\.json: owner \d+:\d+, the config says NaN:0$/.test(line)),
      differences.join('\n'),
    );
    assert.ok(differences.includes("/home/core/.ssh/authorized_keys.d/ignition: not the user's 1 SSH keys"));
  });
});
