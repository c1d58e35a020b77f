// The node image's update_engine as a process (`bin.ts`), on a private dbus-daemon, checking with a real update
// server (SQLite store) and downloading from a payload server on loopback. strata-usr-update is a stand-in here (a
// shell script that keeps the "slot" in a file): the real tool needs the node image's disk, and its own test boots
// one (`foundations/node-image/src/node-image-disk-boot.lab.test.ts`).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createClient, type MessageBus } from 'dbus-native';
import { UPDATE_ENGINE, type UpdateStatus } from '@strata/api';
import { waitFor } from '@strata/host';
import { ERROR_CODE } from '@strata/omaha';
import { startPayloadServer, type PayloadServer } from '@strata/omaha/testing';
import {
  aCatalog,
  historySteps,
  openSqliteStore,
  startTestUpdateServer,
  type Release,
  type TestUpdateServer,
} from '@strata/update-server/testing';
import { startPrivateBus, type PrivateBus } from '../testing/private-bus.ts';
import type { SlotStatus } from './slot-status.ts';

const BIN = join(dirname(fileURLToPath(import.meta.url)), 'bin.ts');
const RUNNING = '0.7.0';

/** A node image release whose payload the payload server holds; `corrupt` serves other bytes than announced. */
function releaseOn(payloads: PayloadServer, version: string, options: { corrupt?: boolean } = {}): Release {
  // Several MiB, so that the payload streams through in many chunks.
  const bytes = randomBytes(6 * 1024 * 1024 + 123);
  const path = `/strata/${version}/usr.ext4`;
  payloads.serve(path, options.corrupt === true ? Buffer.concat([bytes.subarray(1), Buffer.from('x')]) : bytes);
  return {
    version,
    payloadUrl: payloads.url(path),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    sha1: createHash('sha1').update(bytes).digest('hex'),
    size: bytes.length,
  };
}

const slotStatus = (overrides: Partial<SlotStatus> = {}): SlotStatus => ({
  booted: 'a',
  version: RUNNING,
  slots: { a: { state: 'good', version: RUNNING }, b: { state: 'empty', version: '' } },
  rolledBackFrom: null,
  ...overrides,
});

/**
 * A machine's root (machine-id, boot id, os-release, update.conf) and a stand-in strata-usr-update whose passive
 * slot is the file `slot`, whose `status --json` answers `status.json`, and which logs each call to `calls`.
 */
async function aMachine(root: string, name: string, server: string) {
  const dir = join(root, name);
  const write = async (path: string, content: string) => {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  };
  await write('etc/machine-id', `${createHash('md5').update(name).digest('hex')}\n`);
  await write('proc/sys/kernel/random/boot_id', '6b8ee7c5-5c0b-4a4e-9d2e-0a7b3c1d2e3f\n');
  await write('etc/os-release', `ID=strata\nVERSION_ID=${RUNNING}\n`);
  await write('etc/flatcar/update.conf', `GROUP=stable\nSERVER=${server}\n`);
  await mkdir(join(dir, 'etc/ssl/certs'), { recursive: true });
  await mkdir(join(dir, 'state'), { recursive: true });
  const tool = join(dir, 'strata-usr-update');
  await writeFile(
    tool,
    `#!/bin/sh
set -eu
D=${dir}
echo "$*" >>"$D/calls"
case $1 in
  status) cat "$D/status.json" ;;
  write)
    if [ -e "$D/refuse-write" ]; then echo "strata-usr-update: no partition named USR-B on this machine" >&2; exit 1; fi
    cat >"$D/slot"; [ "$(stat -c %s "$D/slot")" = "$2" ] || { echo "short write" >&2; exit 1; } ;;
  commit)
    got=$(head -c "$3" "$D/slot" | sha256sum | cut -d' ' -f1)
    [ "$got" = "$2" ] || { echo "slot reads back $got, not $2" >&2; exit 1; }
    sed 's/"b":{"state":"empty","version":""}/"b":{"state":"pending","version":"'"$4"'"}/' "$D/status.json" >"$D/status.new"
    mv "$D/status.new" "$D/status.json" ;;
  *) exit 2 ;;
esac
`,
  );
  await chmod(tool, 0o755);
  const setStatus = (status: SlotStatus) => writeFile(join(dir, 'status.json'), `${JSON.stringify(status)}\n`);
  await setStatus(slotStatus());
  const machineId = (await readFile(join(dir, 'etc/machine-id'), 'utf8')).trim();
  return {
    dir,
    machineId,
    setStatus,
    calls: async () => (await readFile(join(dir, 'calls'), 'utf8').catch(() => '')).trim().split('\n'),
    start: (busAddress: string) => startDaemon(busAddress, dir, tool),
  };
}

interface Daemon {
  readonly process: ChildProcess;
  readonly output: () => string;
  stop(): Promise<number | null>;
}

function startDaemon(busAddress: string, dir: string, tool: string): Daemon {
  const child = spawn(
    process.execPath,
    [
      BIN,
      `--bus-address=${busAddress}`,
      `--root=${dir}`,
      `--tool=${tool}`,
      `--state-dir=${join(dir, 'state')}`,
      // Checks only on AttemptUpdate.
      '--first-check-delay-ms=600000',
      '--log-level=debug',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    process: child,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

interface Status {
  readonly lastCheckedTime: bigint;
  readonly progress: number;
  readonly operation: UpdateStatus;
  readonly newVersion: string;
  readonly newSize: bigint;
}

const statusOf = (body: readonly unknown[]): Status => ({
  lastCheckedTime: body[0] as bigint,
  progress: body[1] as number,
  operation: body[2] as UpdateStatus,
  newVersion: body[3] as string,
  newSize: body[4] as bigint,
});

/** The agent's view: GetStatus and StatusUpdate over the bus. */
async function anAgent(busAddress: string) {
  const bus: MessageBus = createClient({ busAddress });
  const signals: Status[] = [];
  bus.signals.on(bus.mangle(UPDATE_ENGINE.path, UPDATE_ENGINE.interface, 'StatusUpdate'), (body: unknown[]) =>
    signals.push(statusOf(body)),
  );
  await bus.watch(
    `type='signal',path='${UPDATE_ENGINE.path}',interface='${UPDATE_ENGINE.interface}',member='StatusUpdate'`,
  );
  const invoke = (member: string) =>
    bus.invoke({
      destination: UPDATE_ENGINE.service,
      path: UPDATE_ENGINE.path,
      interface: UPDATE_ENGINE.interface,
      member,
    });
  return {
    signals,
    getStatus: async () => statusOf((await invoke('GetStatus')) as unknown[]),
    attemptUpdate: () => invoke('AttemptUpdate'),
    close: () => bus.close(),
  };
}

describe('the node image update_engine (stand-in strata-usr-update) with a real update server', () => {
  let root: string;
  let bus: PrivateBus;
  let payloads: PayloadServer;
  let server: TestUpdateServer;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-update-engine-'));
    bus = await startPrivateBus();
    payloads = await startPayloadServer();
    server = await startTestUpdateServer({
      store: openSqliteStore({ path: join(root, 'updates.db') }),
      catalog: aCatalog({ release: undefined }),
    });
  });

  after(async () => {
    await server.close();
    await payloads.close();
    await bus.stop();
    await rm(root, { recursive: true, force: true });
  });

  /**
   * A machine offered `release`, with its update_engine running and the agent's view of it (both stopped after the
   * test), once update_engine answers on the bus; `reboot` stops it, changes what the slots say and starts it again.
   */
  async function aRunningMachine(
    t: TestContext,
    name: string,
    release: Release,
    options: { refuseWrite?: boolean } = {},
  ) {
    server.setCatalog(aCatalog({ release }));
    const machine = await aMachine(root, name, server.url);
    if (options.refuseWrite === true) await writeFile(join(machine.dir, 'refuse-write'), '');
    const agent = await anAgent(bus.address);
    t.after(() => agent.close());
    const onTheBus = () => waitFor('update_engine on the bus', () => agent.getStatus().catch(() => undefined), 20_000);
    let daemon = machine.start(bus.address);
    t.after(() => daemon.stop());
    const first = await onTheBus();
    return {
      machine,
      agent,
      first,
      daemon: () => daemon,
      reboot: async (status: SlotStatus) => {
        assert.equal(await daemon.stop(), 0);
        await machine.setStatus(status);
        daemon = machine.start(bus.address);
        await onTheBus();
      },
    };
  }

  it('streams an offered /usr into the passive slot, commits it, and after the reboot reports the update complete', async (t) => {
    const release = releaseOn(payloads, '0.7.1');
    const { machine, agent, first, reboot } = await aRunningMachine(t, 'updates', release);
    assert.equal(first.operation, 'UPDATE_STATUS_IDLE');
    assert.equal(first.lastCheckedTime, 0n);

    await agent.attemptUpdate();
    const staged = await waitFor(
      'UPDATED_NEED_REBOOT',
      () => agent.signals.find((status) => status.operation === 'UPDATE_STATUS_UPDATED_NEED_REBOOT'),
      60_000,
    );
    assert.equal(staged.newVersion, release.version);
    assert.equal(staged.newSize, BigInt(release.size));
    // Every status in update_engine's order, progress rising while downloading.
    const operations = agent.signals.map((status) => status.operation).filter((op, i, all) => op !== all[i - 1]);
    assert.deepEqual(operations, [
      'UPDATE_STATUS_CHECKING_FOR_UPDATE',
      'UPDATE_STATUS_UPDATE_AVAILABLE',
      'UPDATE_STATUS_DOWNLOADING',
      'UPDATE_STATUS_VERIFYING',
      'UPDATE_STATUS_FINALIZING',
      'UPDATE_STATUS_UPDATED_NEED_REBOOT',
    ]);
    const progress = agent.signals.filter((s) => s.operation === 'UPDATE_STATUS_DOWNLOADING').map((s) => s.progress);
    assert.ok(progress.length > 10, `progress signalled ${progress.length} times`);
    assert.deepEqual(
      progress,
      [...progress].sort((a, b) => a - b),
    );
    assert.equal(progress.at(-1), 1);
    assert.equal((await agent.getStatus()).operation, 'UPDATE_STATUS_UPDATED_NEED_REBOOT');

    // The slot holds exactly the payload, committed with its digest, size and version.
    const slot = await readFile(join(machine.dir, 'slot'));
    assert.equal(createHash('sha256').update(slot).digest('hex'), release.sha256);
    assert.deepEqual(await machine.calls(), [
      'status --json',
      `write ${release.size}`,
      `commit ${release.sha256} ${release.size} ${release.version}`,
      'status --json',
    ]);
    const record = join(machine.dir, 'state/staged.json');
    assert.deepEqual(JSON.parse(await readFile(record, 'utf8')), {
      version: release.version,
      previousVersion: RUNNING,
    });
    assert.equal((await stat(record)).mode & 0o777, 0o600);
    assert.deepEqual(historySteps(await server.store.history(machine.machineId)), [
      `granted ${release.version}`,
      `downloading ${release.version}`,
      `downloaded ${release.version}`,
      `installed ${release.version}`,
    ]);

    // The reboot: slot B came up with the new version; the next boot's first check says so.
    await reboot(
      slotStatus({
        booted: 'b',
        version: release.version,
        slots: { a: { state: 'good', version: RUNNING }, b: { state: 'good', version: release.version } },
      }),
    );
    await agent.attemptUpdate();
    await waitFor(
      'the completed update in the history',
      async () => {
        const history = historySteps(await server.store.history(machine.machineId));
        return history.at(-1) === `complete ${release.version}` ? history : undefined;
      },
      30_000,
    );
    await waitFor('the record forgotten once reported', () =>
      stat(record).then(
        () => undefined,
        (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? true : undefined),
      ),
    );
  });

  it('fails a payload whose sha256 is wrong with error 10 and never commits it', async (t) => {
    const release = releaseOn(payloads, '0.7.2', { corrupt: true });
    const { machine, agent } = await aRunningMachine(t, 'corrupt', release);
    await agent.attemptUpdate();
    await waitFor(
      'REPORTING_ERROR_EVENT then IDLE',
      () => {
        const ops = agent.signals.map((status) => status.operation);
        const error = ops.indexOf('UPDATE_STATUS_REPORTING_ERROR_EVENT');
        return error >= 0 && ops.slice(error).includes('UPDATE_STATUS_IDLE') ? true : undefined;
      },
      60_000,
    );
    assert.deepEqual(await machine.calls(), ['status --json', `write ${release.size}`]);
    assert.deepEqual(historySteps(await server.store.history(machine.machineId)), [
      `granted ${release.version}`,
      `downloading ${release.version}`,
      `error ${release.version} ${ERROR_CODE.payloadHashMismatch}`,
    ]);
    await assert.rejects(stat(join(machine.dir, 'state/staged.json')), { code: 'ENOENT' });
  });

  it("fails with error 14 and the tool's own words when strata-usr-update refuses to write", async (t) => {
    const release = releaseOn(payloads, '0.7.4');
    const { machine, agent, daemon } = await aRunningMachine(t, 'refused', release, { refuseWrite: true });
    await agent.attemptUpdate();
    await waitFor(
      'the failure in the history',
      async () => {
        const history = historySteps(await server.store.history(machine.machineId));
        return history.at(-1)?.startsWith('error') === true ? history : undefined;
      },
      60_000,
    );
    assert.deepEqual(historySteps(await server.store.history(machine.machineId)), [
      `granted ${release.version}`,
      `downloading ${release.version}`,
      `error ${release.version} ${ERROR_CODE.downloadWrite}`,
    ]);
    assert.deepEqual(await machine.calls(), ['status --json', `write ${release.size}`]);
    await waitFor('the failure in the log', () =>
      /strata-usr-update write exited with 1: strata-usr-update: no partition named USR-B on this machine/.test(
        daemon().output(),
      )
        ? true
        : undefined,
    );
  });

  it('runs on a machine without slots (a network boot), with its version from os-release', async (t) => {
    server.setCatalog(aCatalog({ release: undefined }));
    const machine = await aMachine(root, 'no-slots', server.url);
    // The tool cannot say which slot booted: its status fails, as the real one does without mount.usr=.
    await rm(join(machine.dir, 'status.json'));
    await writeFile(join(machine.dir, 'etc/os-release'), 'NAME="Strata node image"\nID=strata\nVERSION_ID="0.7.0"\n');
    const agent = await anAgent(bus.address);
    t.after(() => agent.close());
    const daemon = machine.start(bus.address);
    t.after(() => daemon.stop());
    const first = await waitFor('update_engine on the bus', () => agent.getStatus().catch(() => undefined), 20_000);
    assert.equal(first.operation, 'UPDATE_STATUS_IDLE');
    await agent.attemptUpdate();
    const record = await waitFor('the check on the server', () => server.store.machine(machine.machineId), 30_000);
    assert.equal(record.currentVersion, RUNNING);
    assert.match(daemon.output(), /the \/usr slots cannot be read/);
  });

  it('reports a staged version the bootloader fell back from as error 44, and is not offered it again', async (t) => {
    const release = releaseOn(payloads, '0.7.3');
    const { machine, agent, reboot } = await aRunningMachine(t, 'rollback', release);
    await agent.attemptUpdate();
    await waitFor(
      'UPDATED_NEED_REBOOT',
      () => agent.signals.find((status) => status.operation === 'UPDATE_STATUS_UPDATED_NEED_REBOOT'),
      60_000,
    );
    // Slot B's one try failed: the bootloader booted slot A again, and B's entry ran out of tries.
    await reboot(
      slotStatus({
        slots: { a: { state: 'good', version: RUNNING }, b: { state: 'bad', version: release.version } },
        rolledBackFrom: release.version,
      }),
    );
    agent.signals.length = 0;
    await agent.attemptUpdate();
    const idle = await waitFor(
      'the check after the fallback',
      () => agent.signals.find((status) => status.operation === 'UPDATE_STATUS_IDLE' && status.lastCheckedTime > 0n),
      30_000,
    );
    assert.equal(idle.newVersion, '', 'the failed version is not offered again');
    const record = await server.store.machine(machine.machineId);
    assert.equal(record?.lastErrorCode, ERROR_CODE.rollback);
    assert.equal(record.holdReason, 'failed-before');
    assert.deepEqual(historySteps(await server.store.history(machine.machineId)), [
      `granted ${release.version}`,
      `downloading ${release.version}`,
      `downloaded ${release.version}`,
      `installed ${release.version}`,
      `error ${release.version} ${ERROR_CODE.rollback} rollback`,
    ]);
  });
});
