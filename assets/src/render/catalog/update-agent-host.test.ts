import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UPDATE_AGENT_POLKIT_ACTIONS } from '@strata/api';
import { decodeDataUrl } from '../../ignition/data-url.ts';
import { ignitionConfigSchema } from '../../ignition/schema.ts';
import { renderConfig } from '../../testing/fixtures.ts';
import { ASSET_PATHS } from '../layout.ts';
import { applyRenderPlan, planClusterRender } from '../render.ts';
import { UPDATE_AGENT_HOST_PATHS, updateAgentHostFiles } from './update-agent-host.ts';

const EXPECTED = {
  [UPDATE_AGENT_HOST_PATHS.sysusers]: 'u strata-update-agent 4194 "Strata update agent" - -\n',
  [UPDATE_AGENT_HOST_PATHS.dbusPolicy]: `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<!-- The Strata update agent (strata-update-agent, uid 4194) sends only what it calls: update_engine's status and
     logind's Reboot. A user policy applies after the services' default ones, and its later rules win. -->
<busconfig>
  <policy user="strata-update-agent">
    <deny send_type="method_call"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus" send_member="Hello"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus" send_member="AddMatch"/>
    <deny send_destination="com.coreos.update1"/>
    <deny send_destination="org.freedesktop.login1"/>
    <allow send_destination="com.coreos.update1" send_interface="com.coreos.update1.Manager" send_member="GetStatus"/>
    <allow send_destination="org.freedesktop.login1" send_interface="org.freedesktop.login1.Manager" send_member="Reboot"/>
  </policy>
</busconfig>
`,
  [UPDATE_AGENT_HOST_PATHS.polkitRule]: `// The Strata update agent (strata-update-agent, uid 4194) may reboot its node through logind, and nothing else:
// every other action is refused outright rather than left to the defaults.
polkit.addRule(function (action, subject) {
  if (subject.user !== "strata-update-agent") return polkit.Result.NOT_HANDLED;
  var allowed = ["org.freedesktop.login1.reboot", "org.freedesktop.login1.reboot-multiple-sessions"];
  return allowed.indexOf(action.id) >= 0 ? polkit.Result.YES : polkit.Result.NO;
});
`,
};

type PolkitRule = (action: { id: string }, subject: { user: string }) => string;

/** Evaluates a rules file as polkitd does: a script that calls polkit.addRule with functions of (action, subject). */
function loadPolkitRules(source: string): PolkitRule[] {
  const rules: PolkitRule[] = [];
  const polkit = {
    Result: { YES: 'yes', NO: 'no', NOT_HANDLED: null },
    addRule: (rule: PolkitRule) => rules.push(rule),
  };
  runInNewContext(source, { polkit });
  return rules;
}

describe("the update agent's host identity", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-render-agent-host-'));
    await applyRenderPlan(await planClusterRender({ config: renderConfig(), dir }));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is a sysusers entry, a D-Bus policy and a polkit rule, world-readable, with exactly this content', () => {
    assert.deepEqual(
      updateAgentHostFiles().map((file) => [file.path, file.mode, file.contents]),
      Object.entries(EXPECTED).map(([path, contents]) => [path, 0o644, contents]),
    );
  });

  for (const node of ['proof-controller-0', 'proof-worker-0']) {
    it(`is in the Ignition config of ${node}`, async () => {
      const ignition = ignitionConfigSchema.parse(
        JSON.parse(await readFile(join(dir, ASSET_PATHS.ignition(node)), 'utf8')),
      );
      for (const [path, contents] of Object.entries(EXPECTED)) {
        const file = ignition.storage?.files?.find((entry) => entry.path === path);
        assert.ok(file?.contents?.source !== undefined, `no ${path} in the Ignition config of ${node}`);
        assert.equal(file.mode, 0o644);
        const decoded = decodeDataUrl(file.contents.source);
        assert.ok(decoded.ok);
        assert.equal(new TextDecoder().decode(decoded.value.data), contents);
      }
    });
  }

  it("the polkit rule (run as JavaScript) lets the agent's user reboot and refuses it every other action", () => {
    const [rule, ...more] = loadPolkitRules(EXPECTED[UPDATE_AGENT_HOST_PATHS.polkitRule]);
    assert.ok(rule !== undefined);
    assert.equal(more.length, 0);
    const agent = { user: 'strata-update-agent' };
    for (const id of UPDATE_AGENT_POLKIT_ACTIONS) assert.equal(rule({ id }, agent), 'yes', id);
    for (const id of [
      'org.freedesktop.login1.power-off',
      'org.freedesktop.login1.reboot-ignore-inhibit',
      'org.freedesktop.login1.set-reboot-parameter',
      'org.freedesktop.systemd1.manage-units',
      'org.freedesktop.policykit.exec',
    ])
      assert.equal(rule({ id }, agent), 'no', id);
    assert.equal(rule({ id: 'org.freedesktop.login1.reboot' }, { user: 'core' }), null, 'other users are left alone');
  });
});
