// `strata lab up` and `strata lab down` as a user runs them: real QEMU machines on the lab's network, whose iPXE
// firmware gets its address from the lab's DHCP server and asks a boot server on the lab's host address for
// /boot.ipxe; then nothing is left, after `lab down` and after a SIGKILL of the lab's process.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { access, mkdtemp, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCommand, waitFor } from '@strata/host';
import { LabStateSchema, type LabState } from '@strata/lab';
import { runStrata } from '../testing/run-strata.ts';

/** Apart from other tests' labs on the default subnet (each lane has its own namespace, but a run by hand may not). */
const SUBNET = '10.216.0.0/24';
const HOST = '10.216.0.1';
/** iPXE under TCG gets its lease and asks within seconds on an idle machine; CI runs other lanes beside it. */
const FIRMWARE_TIMEOUT_MS = 120_000;

const processExists = (pid: number): Promise<boolean> =>
  readlink(`/proc/${pid}/exe`).then(
    () => true,
    () => false,
  );
const linkExists = async (name: string): Promise<boolean> =>
  (await runCommand('ip', ['link', 'show', 'dev', name])).code === 0;

/** A boot server's read side as far as this test needs it: who asked for what. */
function startRecorder(port: number): Promise<{ server: Server; requests: { from: string; path: string }[] }> {
  const requests: { from: string; path: string }[] = [];
  const server = createServer((request, response) => {
    requests.push({ from: request.socket.remoteAddress ?? '', path: request.url ?? '' });
    // What a boot server answers for a machine it does not know: iPXE then tries again later.
    response.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolve({ server, requests }));
  });
}

describe('strata lab up and down', { timeout: 600_000 }, () => {
  let dir: string;
  const port = 18_080;
  const upArgs = () => ['lab', 'up', '--machines', '2', '--dir', dir, '--subnet', SUBNET, '--memory', '256', '--json'];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-lab-cli-'));
  });
  after(async () => {
    await runStrata(['lab', 'down', '--dir', dir]);
    await rm(dir, { recursive: true, force: true });
  });

  /** Proves nothing of `state` is left: its processes, its host interface, its disks. */
  async function assertNothingLeft(state: LabState): Promise<void> {
    for (const pid of [state.pid, ...state.machines.map((machine) => machine.pid)])
      assert.equal(await processExists(pid), false, `process ${pid} is gone`);
    assert.equal(await linkExists(state.hostInterface), false, `${state.hostInterface} is gone`);
    assert.deepEqual(
      await readdir(dir).then((names) => names.filter((name) => name === 'disks' || name === 'lab.json')),
      [],
    );
  }

  it('starts machines whose iPXE asks the boot server on the lab network, refuses a second up, and stops them all', async () => {
    // UEFI (OVMF), as machines installing Strata's node image boot; the SIGKILL test below takes the default SeaBIOS.
    const up = await runStrata([
      'lab',
      'up',
      ...upArgs().slice(2),
      '--boot-server',
      `http://${HOST}:${port}`,
      '--firmware',
      'uefi',
    ]);
    assert.equal(up.code, 0, up.stderr + up.stdout);
    const state = LabStateSchema.parse(JSON.parse(up.stdout));
    assert.equal(state.firmware, 'uefi');
    // Each machine's own firmware variables: two machines never share their boot entries.
    for (const machine of state.machines) await access(join(dir, 'machines', machine.hostname, 'OVMF_VARS.fd'));
    assert.deepEqual(
      state.machines.map(({ hostname, mac, address }) => ({ hostname, mac, address })),
      [
        { hostname: 'lab-1', mac: '52:54:00:1a:00:00', address: '10.216.0.10' },
        { hostname: 'lab-2', mac: '52:54:00:1a:00:01', address: '10.216.0.11' },
      ],
    );
    assert.equal(state.hostAddress, HOST);
    assert.equal(state.bootServer, `http://${HOST}:${port}`);

    // The host end exists now: the boot server listens on the lab's host address, as a user's would.
    const { server, requests } = await startRecorder(port);
    try {
      await waitFor(
        "both machines' iPXE to ask for /boot.ipxe from their own addresses",
        () => {
          const askers = new Set(requests.filter((request) => request.path === '/boot.ipxe').map((r) => r.from));
          return askers.has('10.216.0.10') && askers.has('10.216.0.11') ? true : undefined;
        },
        { timeoutMs: FIRMWARE_TIMEOUT_MS, intervalMs: 250 },
      );
    } finally {
      server.close();
    }

    const again = await runStrata(upArgs());
    assert.equal(again.code, 3, again.stderr + again.stdout);
    assert.match(again.stdout, new RegExp(`runs already in .* \\(pid ${state.pid}\\); stop it first: strata lab down`));

    const down = await runStrata(['lab', 'down', '--dir', dir, '--json']);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual((JSON.parse(down.stdout) as { stopped: unknown }).stopped, { pid: state.pid, how: 'SIGTERM' });
    await assertNothingLeft(state);

    const downAgain = await runStrata(['lab', 'down', '--dir', dir]);
    assert.equal(downAgain.code, 0);
    assert.match(downAgain.stderr, /No lab in /);
  });

  it('leaves nothing running after a SIGKILL of the lab, and lab down removes the rest', async () => {
    const up = await runStrata(upArgs());
    assert.equal(up.code, 0, up.stderr + up.stdout);
    const state = LabStateSchema.parse(JSON.parse(up.stdout));
    process.kill(state.pid, 'SIGKILL');
    // The guardians of QEMU, dnsmasq and the namespace's holder stop them when the lab's process dies.
    await waitFor('the machines to stop with their lab', async () => {
      for (const machine of state.machines) if (await processExists(machine.pid)) return undefined;
      return true;
    });
    await waitFor(`${state.hostInterface} to go with the namespace`, async () =>
      (await linkExists(state.hostInterface)) ? undefined : true,
    );
    const down = await runStrata(['lab', 'down', '--dir', dir, '--json']);
    assert.equal(down.code, 0, down.stderr);
    const result = JSON.parse(down.stdout) as { stopped: unknown; leftovers: { killed: unknown[] } };
    assert.equal(result.stopped, null, 'the lab was not running any more');
    assert.deepEqual(result.leftovers.killed, [], 'nothing of it was still alive');
    await assertNothingLeft(state);
  });

  it('refuses bad flags, naming them, and makes nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['--machines', '0'], /--machines: lab machines: at least 1/],
      [
        ['--machines', '2', '--subnet', '8.8.8.0/24'],
        /--subnet: lab subnet "8\.8\.8\.0\/24": must be in a private range/,
      ],
      [['--machines', '2', '--boot-server', 'ftp://x'], /--boot-server: lab bootServer: /],
      [['--machines', '2', '--memory', '64'], /--memory: lab memoryMiB: /],
      [['--machines', 'two'], /a whole number/],
      [
        ['--machines', '2', '--firmware', 'efi'],
        /--firmware <firmware>' argument 'efi' is invalid\. Allowed choices are bios, uefi/,
      ],
    ];
    const fresh = await mkdtemp(join(tmpdir(), 'strata-lab-cli-'));
    try {
      for (const [flags, message] of cases) {
        const result = await runStrata(['lab', 'up', '--dir', fresh, ...flags]);
        assert.equal(result.code, 2, `${flags.join(' ')}: ${result.stderr}`);
        assert.match(result.stderr, message);
      }
      assert.deepEqual(await readdir(fresh), [], 'nothing was made');
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });
});
