// The node's rendered polkit rule for the update agent, judged by a real
// polkitd (with the machine's login1 and systemd action definitions) on a test
// bus: the agent's user may reboot, through either action logind asks for,
// and is refused every other action; another user is left to the defaults.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import { UPDATE_AGENT_HOST_USER, UPDATE_AGENT_POLKIT_ACTIONS } from '@strata/api';
import { UPDATE_AGENT_HOST_PATHS, updateAgentHostFiles } from '@strata/assets';
import { startPolicyBus, type PrivateBus } from '@strata/update-engine/testing';
import { POLKIT_SERVICE, POLKITD_USER, startPolkitd, type RunningPolkitd } from './testing/polkitd.ts';

const OTHER_USER = { name: 'strata-test-other', uid: 4195 };
const users = [{ name: UPDATE_AGENT_HOST_USER.name, uid: UPDATE_AGENT_HOST_USER.uid }, OTHER_USER];

let bus: PrivateBus;
let polkitd: RunningPolkitd;
let agent: ChildProcess;
let other: ChildProcess;

/** A process running as `uid` for polkit to judge, until the tests end. */
function subjectRunningAs(uid: number): ChildProcess {
  return spawn('sleep', ['600'], { uid, gid: uid, stdio: 'ignore' });
}

const pidOf = (child: ChildProcess): number => {
  assert.ok(child.pid !== undefined, 'the subject process started');
  return child.pid;
};

before(async () => {
  const rule = updateAgentHostFiles().find((file) => file.path === UPDATE_AGENT_HOST_PATHS.polkitRule);
  assert.ok(rule !== undefined);
  bus = await startPolicyBus({
    users,
    openServices: [POLKIT_SERVICE],
    owners: [{ user: POLKITD_USER, service: POLKIT_SERVICE }],
    includes: [],
  });
  polkitd = await startPolkitd({
    busAddress: bus.address,
    users,
    rules: { [basename(UPDATE_AGENT_HOST_PATHS.polkitRule)]: rule.contents },
  });
  agent = subjectRunningAs(UPDATE_AGENT_HOST_USER.uid);
  other = subjectRunningAs(OTHER_USER.uid);
});

after(async () => {
  agent.kill();
  other.kill();
  await polkitd.stop();
  await bus.stop();
});

describe("the update agent's polkit rule in a real polkitd", () => {
  it("authorizes the agent's user for the reboot actions logind checks", async () => {
    for (const action of UPDATE_AGENT_POLKIT_ACTIONS) {
      const verdict = await polkitd.check(action, pidOf(agent));
      assert.equal(verdict.code, 0, `${action}: ${verdict.output}`);
    }
  });

  it("refuses the agent's user every action the machine defines but those, and what logind makes reboot imply", async () => {
    const actions = await polkitd.actions();
    assert.ok(actions.includes('org.freedesktop.systemd1.manage-units'), 'the machine defines more than login1');
    const authorized: string[] = [];
    for (const action of actions) {
      const verdict = await polkitd.check(action, pidOf(agent));
      if (verdict.code === 0) authorized.push(action);
      // Refused outright, never "authentication required": the rule answers NO, it does not fall back to defaults.
      else assert.equal(verdict.code, 1, `${action}: ${verdict.output}`);
    }
    // set-wall-message: logind's own definition of org.freedesktop.login1.reboot implies it (polkit's imply
    // annotation: whoever may reboot may set the message shown before the shutdown), and a rule cannot take an
    // implied authorization back.
    assert.deepEqual(
      authorized.sort(),
      [...UPDATE_AGENT_POLKIT_ACTIONS, 'org.freedesktop.login1.set-wall-message'].sort(),
    );
  });

  it('leaves other users to the defaults: no session, so a reboot needs an administrator', async () => {
    const verdict = await polkitd.check('org.freedesktop.login1.reboot', pidOf(other));
    assert.notEqual(verdict.code, 0, verdict.output);
  });
});
