// Real network namespaces (root, unshare, nsenter and ip from util-linux and iproute2): made, used, and gone with
// their interfaces when the owner stops, and when the owner is killed with SIGKILL.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { runCommand } from '../process/run-command.ts';
import { waitFor } from '../wait/wait-for.ts';
import { hostIp, NetworkNamespace, NetworkNamespaceError } from './network-namespace.ts';

/** Whether `ip link show dev <name>` finds the interface in this process's namespace. */
async function linkExists(name: string): Promise<boolean> {
  return (await runCommand('ip', ['link', 'show', 'dev', name])).code === 0;
}

const processExists = async (pid: number): Promise<boolean> =>
  readlink(`/proc/${pid}/exe`).then(
    () => true,
    () => false,
  );

describe('NetworkNamespace', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-netns-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is a new namespace with only its loopback, up', async () => {
    const namespace = await NetworkNamespace.create({ name: 'only-lo', logDir: dir });
    try {
      assert.notEqual(await readlink(namespace.path), await readlink('/proc/self/ns/net'));
      const links = (await namespace.ip(['-o', 'link', 'show']))
        .trim()
        .split('\n')
        .map((line) => line.split(':')[1]?.trim());
      assert.deepEqual(links, ['lo']);
      assert.match(await namespace.ip(['-o', 'link', 'show', 'lo']), /[<,]UP[,>]/);
    } finally {
      await namespace.close();
    }
  });

  it('names the command and its error when ip fails inside', async () => {
    const namespace = await NetworkNamespace.create({ name: 'failing', logDir: dir });
    try {
      await assert.rejects(namespace.ip(['link', 'set', 'no-such-link', 'up']), (error: unknown) => {
        assert.ok(error instanceof NetworkNamespaceError);
        assert.match(error.message, /ip link set no-such-link up \(in namespace failing\) failed \(exit \d+\): .+/);
        return true;
      });
    } finally {
      await namespace.close();
    }
  });

  it('takes the host end of a veth pair with it when closed', async () => {
    const namespace = await NetworkNamespace.create({ name: 'closed', logDir: dir });
    const hostEnd = `sn${process.pid.toString(36)}c`;
    await hostIp(['link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', 'inside', 'netns', String(namespace.pid)]);
    assert.ok(await linkExists(hostEnd));
    assert.match(await namespace.ip(['-o', 'link', 'show', 'inside']), /inside@/);
    await namespace.close();
    assert.equal(namespace.alive, false);
    await waitFor(`${hostEnd} to go with its namespace`, async () => ((await linkExists(hostEnd)) ? undefined : true));
    assert.equal(await processExists(namespace.pid), false, 'the holder is gone');
  });

  it('goes with its interfaces when its owner is killed with SIGKILL', async () => {
    const hostEnd = `sn${process.pid.toString(36)}k`;
    const script = join(dir, 'owner.ts');
    const module = new URL('./network-namespace.ts', import.meta.url).href;
    await writeFile(
      script,
      [
        `import { hostIp, NetworkNamespace } from ${JSON.stringify(module)};`,
        `const namespace = await NetworkNamespace.create({ name: 'killed', logDir: ${JSON.stringify(dir)} });`,
        `await hostIp(['link', 'add', ${JSON.stringify(hostEnd)}, 'type', 'veth', 'peer', 'name', 'inside', 'netns', String(namespace.pid)]);`,
        'process.stdout.write(`${namespace.pid}\\n`);',
        'setInterval(() => {}, 60_000);',
      ].join('\n'),
    );
    const owner = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<void>((resolve) => owner.on('exit', () => resolve()));
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        createInterface({ input: owner.stdout }).once('line', resolve);
        owner.once('exit', (code) => reject(new Error(`the owner exited (${String(code)}) before it was ready`)));
      });
      const holderPid = Number(firstLine);
      assert.ok(Number.isInteger(holderPid) && holderPid > 0, `the owner printed the holder's pid: ${firstLine}`);
      assert.ok(await linkExists(hostEnd), `${hostEnd} exists while its owner runs`);
      owner.kill('SIGKILL');
      await exited;
      await waitFor('the holder to be stopped by its guardian', async () =>
        (await processExists(holderPid)) ? undefined : true,
      );
      await waitFor(`${hostEnd} to go with its namespace`, async () =>
        (await linkExists(hostEnd)) ? undefined : true,
      );
    } finally {
      owner.kill('SIGKILL');
      if (await linkExists(hostEnd)) await hostIp(['link', 'del', hostEnd]);
    }
  });
});
