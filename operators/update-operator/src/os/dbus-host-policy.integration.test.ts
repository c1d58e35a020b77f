// The node's rendered D-Bus policy for the update agent, in a real dbus-daemon
// with a system bus's default policy: the agent's user (its fixed uid) may
// make the calls the agent's adapter makes, and is refused the one it never
// makes; without the policy file the same user could make it, so the refusal
// is the policy's doing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LOGIN1, UPDATE_AGENT_HOST_USER, UPDATE_ENGINE } from '@strata/api';
import { UPDATE_AGENT_HOST_PATHS, updateAgentHostFiles } from '@strata/assets';
import { z } from 'zod';
import { BOOT_ID_PATH } from './dbus-operating-system.ts';
import { FakeHostServices } from './testing/fake-host-services.ts';
import { startPolicyBus, type PrivateBus } from '@strata/update-engine/testing';

const AGENT_CALLS = fileURLToPath(new URL('./testing/agent-calls.ts', import.meta.url));
const outcomesSchema = z.object({
  uid: z.number(),
  getStatus: z.string(),
  reboot: z.string(),
  attemptUpdate: z.string(),
});

const rendered = (path: string): string => {
  const file = updateAgentHostFiles().find((candidate) => candidate.path === path);
  assert.ok(file !== undefined, `no rendered ${path}`);
  return file.contents;
};

let root: string;

/** The agent's calls, made by a process running as the agent's uid against `bus`. */
async function callsAsAgent(bus: PrivateBus): Promise<z.infer<typeof outcomesSchema>> {
  const { stdout } = await promisify(execFile)(process.execPath, [AGENT_CALLS, bus.address, root], {
    uid: UPDATE_AGENT_HOST_USER.uid,
    gid: UPDATE_AGENT_HOST_USER.gid,
    cwd: dirname(AGENT_CALLS),
    timeout: 30_000,
  });
  return outcomesSchema.parse(JSON.parse(stdout));
}

async function withHost<T>(bus: PrivateBus, run: (host: FakeHostServices) => Promise<T>): Promise<T> {
  const host = await FakeHostServices.start(bus.address);
  try {
    return await run(host);
  } finally {
    await host.stop();
  }
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'strata-agent-host-'));
  await chmod(root, 0o755);
  for (const [path, text] of [
    [
      'etc/os-release',
      'ID=flatcar\nVERSION_ID=4230.2.3\nPRETTY_NAME="Flatcar Container Linux by Kinvolk 4230.2.3 (Oklo)"\n',
    ],
    ['usr/share/flatcar/update.conf', 'GROUP=stable\n'],
    [BOOT_ID_PATH, '6f1c1e0a-6c55-4d0c-9d5e-2f1a3c2b9e11\n'],
  ] as const) {
    await mkdir(dirname(join(root, path)), { recursive: true, mode: 0o755 });
    await writeFile(join(root, path), text, { mode: 0o644 });
  }
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("the update agent's D-Bus policy in a real dbus-daemon", () => {
  const users = [{ name: UPDATE_AGENT_HOST_USER.name, uid: UPDATE_AGENT_HOST_USER.uid }];
  const openServices = [UPDATE_ENGINE.service, LOGIN1.service];

  it("lets the agent's uid read update_engine's status and ask logind to reboot, and refuses AttemptUpdate", async () => {
    const bus = await startPolicyBus({ users, openServices, includes: [rendered(UPDATE_AGENT_HOST_PATHS.dbusPolicy)] });
    try {
      await withHost(bus, async (host) => {
        const outcomes = await callsAsAgent(bus);
        assert.equal(outcomes.uid, UPDATE_AGENT_HOST_USER.uid);
        assert.equal(outcomes.getStatus, 'ok');
        assert.equal(outcomes.reboot, 'ok');
        assert.deepEqual(host.rebootCalls, [false]);
        assert.match(outcomes.attemptUpdate, /Rejected send message, \d+ matched rules; type="method_call"/);
        assert.equal(host.attemptUpdateCalls, 0, 'update_engine never saw the refused call');
      });
    } finally {
      await bus.stop();
    }
  });

  it('without the policy file, the same uid could call AttemptUpdate: the refusal is the policy’s', async () => {
    const bus = await startPolicyBus({ users, openServices, includes: [] });
    try {
      await withHost(bus, async (host) => {
        const outcomes = await callsAsAgent(bus);
        assert.deepEqual([outcomes.getStatus, outcomes.reboot, outcomes.attemptUpdate], ['ok', 'ok', 'ok']);
        assert.equal(host.attemptUpdateCalls, 1);
      });
    } finally {
      await bus.stop();
    }
  });
});
