import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClusterConfig } from '@strata/assets';
import { currentScreen, focusedField, PRIVATE_KEY_NOTICE, shownProblems } from './model.ts';
import { configYaml } from './review-text.ts';
import {
  act,
  BACK,
  BACKSPACE,
  bareMetalAnswers,
  cloudAnswers,
  DELETE,
  ED25519_PUBLIC_KEY,
  END,
  HOME,
  LEFT,
  RIGHT,
  ENTER,
  machineList,
  move,
  paste,
  PRIVATE_KEY_PASTE,
  SHIFT_TAB,
  stateWith,
  TAB,
  testEnvironment,
  TEST_HOST_NETWORKS,
  typing,
} from './test-fixtures.ts';
import { SCREENS, visibleFields, type ScreenId } from './fields.ts';

/** The issues `strata install --config` reports for the file the answers make, as "<path> <message>". */
function configIssues(state: ReturnType<typeof stateWith>, hostNetworks: readonly string[] = TEST_HOST_NETWORKS) {
  const result = parseClusterConfig(configYaml(state.answers), { hostNetworks });
  return result.ok ? [] : result.issues.map((issue) => `${issue.path} ${issue.message}`);
}

type State = ReturnType<typeof stateWith>;

/** Presses Enter until the screen is `id` (at most a few dozen times: a screen with problems stops it). */
function enterUntil(state: State, id: ScreenId): State {
  for (let presses = 0; presses < 30 && currentScreen(state).id !== id; presses++) state = act(state, ENTER);
  assert.equal(currentScreen(state).id, id, `stuck on ${currentScreen(state).id}`);
  return state;
}

/** The state as if the person had got to screen `id` (for tests of one screen). */
function onScreen(state: State, id: ScreenId): State {
  return { ...state, screen: SCREENS.findIndex((screen) => screen.id === id), focus: 0 };
}

const problemTexts = (state: ReturnType<typeof stateWith>, id: Parameters<typeof state.validation.byField.get>[0]) =>
  (state.validation.byField.get(id) ?? []).map((problem) => problem.text);

describe('the wizard model', () => {
  it('walks a local cluster from the first screen to the review, and the file it makes is a valid config', () => {
    let state = act(stateWith({}), ENTER, ENTER, typing('demo'), TAB, TAB, move(1), TAB, { type: 'backspace' });
    state = act(state, typing('2'), ENTER);
    assert.equal(currentScreen(state).id, 'os');
    state = enterUntil(state, 'review');
    const parsed = parseClusterConfig(configYaml(state.answers), { hostNetworks: TEST_HOST_NETWORKS });
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
    assert.equal(parsed.config.name, 'demo');
    assert.equal(parsed.config.controllers.count, 3);
    assert.equal(parsed.config.workerPools[0]?.count, 2);
    assert.equal(act(state, ENTER).outcome, 'install');
    assert.equal(act(state, typing('w')).outcome, 'write');
  });

  it('places every problem on its field with the words --config uses', () => {
    const state = act(
      stateWith({ name: 'Demo', podCidr: '10.2.0.0/33', serviceCidr: '10.2.0.0/16', maxUnavailable: '0%' }),
    );
    const expected = configIssues(state);
    assert.ok(expected.length >= 3, expected.join('\n'));
    const shown = [...state.validation.byField.values()].flat().map((problem) => problem.text);
    assert.deepEqual([...shown].sort(), [...expected].sort());
    assert.match(problemTexts(state, 'name').join(), /^name must consist of lower-case letters/);
    assert.match(problemTexts(state, 'podCidr').join(), /^networking\.podCidr /);
    assert.match(problemTexts(state, 'maxUnavailable').join(), /^updates\.maxUnavailable /);
  });

  it("checks the ranges against this machine's networks, as install's preflight does", () => {
    const hostNetworks = ['10.2.7.0/24'];
    const state = stateWith({ name: 'demo' }, testEnvironment({ hostNetworks }));
    const texts = problemTexts(state, 'podCidr');
    assert.equal(texts.length, 1);
    assert.match(texts[0] ?? '', /10\.2\.7\.0\/24/);
    assert.deepEqual(texts, configIssues(state, hostNetworks));
  });

  it('refuses to leave a screen with problems and then shows them all; Enter moves on once they are fixed', () => {
    let state = act(stateWith({}), ENTER, ENTER);
    assert.equal(currentScreen(state).id, 'cluster');
    const name = visibleFields(currentScreen(state), state.answers)[0]!;
    assert.deepEqual(shownProblems(state, name), [], 'an empty field is not blamed before it is used');
    state = act(state, ENTER, ENTER, ENTER, ENTER);
    assert.equal(currentScreen(state).id, 'cluster');
    assert.equal(shownProblems(state, name).length, 1);
    state = act(state, TAB, typing('demo'), ENTER, ENTER, ENTER, ENTER);
    assert.equal(currentScreen(state).id, 'os');
  });

  it('goes back with Esc and keeps every answer', () => {
    let state = act(stateWith({}), ENTER, ENTER, typing('keep'), TAB, TAB, TAB, typing('7'));
    state = act(state, BACK, BACK);
    assert.equal(currentScreen(state).id, 'platform');
    state = act(state, ENTER, ENTER);
    assert.equal(state.answers.name, 'keep');
    assert.equal(state.answers.workers, '17');
  });

  it('moves between fields with Tab and Shift-Tab, wrapping at both ends', () => {
    const state = act(stateWith({}), ENTER, ENTER);
    const labels = (s: typeof state) => focusedField(s)?.id;
    assert.equal(labels(act(state, TAB)), 'baseDomain');
    assert.equal(labels(act(state, SHIFT_TAB)), 'workers');
    assert.equal(labels(act(state, TAB, TAB, TAB, TAB)), 'name');
  });

  it('checks each pasted machine line on its own and derives the controllers from the roles', () => {
    let state = stateWith(bareMetalAnswers({ machines: '' }));
    state = act(state, ENTER);
    while (focusedField(state)?.id !== 'machines') state = act(state, TAB);
    state = act(state, paste(machineList(true)));
    const problems = state.validation.byField.get('machines') ?? [];
    assert.deepEqual(
      problems.map((problem) => problem.line),
      [1],
    );
    assert.match(problems[0]?.text ?? '', /^bareMetal\.machines\[1\]\.mac /);
    // Corrected in place: the line typed again.
    state = act(state, { type: 'clear' }, paste(machineList(false)));
    assert.deepEqual(state.validation.byField.get('machines') ?? [], []);
    assert.ok(state.validation.config !== undefined);
    assert.equal(state.validation.config.controllers.count, 1);
    assert.deepEqual(
      state.validation.config.bareMetal?.machines.map((machine) => machine.mac),
      ['52:54:00:a1:9c:01', '52:54:00:a1:9c:02', '52:54:00:a1:9c:03'],
    );
  });

  it('adds machines one by one: Enter after a line starts the next, Enter on an empty line moves on', () => {
    let state = act(stateWith(bareMetalAnswers({ machines: '' })), ENTER);
    while (focusedField(state)?.id !== 'machines') state = act(state, TAB);
    state = act(
      state,
      typing('ctl0 52:54:00:a1:9c:01 controller'),
      ENTER,
      typing('wrk0 52:54:00:a1:9c:02 worker'),
      ENTER,
    );
    assert.equal(state.answers.machines, 'ctl0 52:54:00:a1:9c:01 controller\nwrk0 52:54:00:a1:9c:02 worker\n');
    state = act(state, ENTER);
    assert.equal(currentScreen(state).id, 'cluster');
    assert.equal(state.answers.machines, 'ctl0 52:54:00:a1:9c:01 controller\nwrk0 52:54:00:a1:9c:02 worker');
  });

  it('discards a pasted private key without keeping any of it, and says so', () => {
    let state = onScreen(stateWith({ platform: 'aws', sshKeySource: 'paste', sshKey: '' }), 'access');
    state = act(state, TAB, paste(PRIVATE_KEY_PASTE));
    assert.equal(state.answers.sshKey, '');
    assert.equal(state.notice, PRIVATE_KEY_NOTICE);
    assert.doesNotMatch(JSON.stringify(state.answers), /PRIVATE|b3BlbnNzaC/);
    state = act(state, paste(ED25519_PUBLIC_KEY));
    assert.equal(state.answers.sshKey, ED25519_PUBLIC_KEY);
    assert.equal(state.notice, undefined);
  });

  it('refuses a private key typed key by key at its header, before any key material', () => {
    let state = act(onScreen(stateWith({ platform: 'aws', sshKeySource: 'paste', sshKey: '' }), 'access'), TAB);
    for (const character of '-----BEGI') state = act(state, typing(character));
    assert.equal(state.answers.sshKey, '-----BEGI');
    state = act(state, typing('N'));
    assert.equal(state.answers.sshKey, '');
    assert.equal(state.notice, PRIVATE_KEY_NOTICE);
  });

  it('offers the keys of ~/.ssh and takes the chosen one', () => {
    const offered = [
      { path: '/home/u/.ssh/a.pub', line: ED25519_PUBLIC_KEY },
      { path: '/home/u/.ssh/b.pub', line: 'ssh-ed25519 other' },
    ];
    const state = stateWith({}, testEnvironment({ offered }));
    assert.equal(state.answers.sshKeySource, '/home/u/.ssh/a.pub');
    assert.equal(state.answers.sshKey, ED25519_PUBLIC_KEY);
    const onAccess = onScreen(state, 'access');
    const chosen = act(onAccess, move(1));
    assert.equal(chosen.answers.sshKey, 'ssh-ed25519 other');
    assert.equal(act(chosen, move(1)).answers.sshKeySource, 'paste');
    assert.equal(act(chosen, move(1)).answers.sshKey, '');
  });

  it('cleans control characters and escape sequences out of typed and pasted text', () => {
    const state = act(stateWith({}), ENTER, ENTER, paste('de\x1b[31mm\x1b]0;title\x07o\x00\r\n'), typing('\x1b[2J'));
    assert.equal(state.answers.name, 'demo ');
  });

  it('asks before quitting on Ctrl-C: n goes on, y or a second Ctrl-C quits', () => {
    const asked = act(stateWith({}), ENTER, { type: 'interrupt' });
    assert.equal(asked.quitting, true);
    assert.equal(act(asked, typing('n')).quitting, false);
    assert.equal(act(asked, typing('n')).outcome, undefined);
    assert.equal(act(asked, typing('y')).outcome, 'quit');
    assert.equal(act(asked, { type: 'interrupt' }).outcome, 'quit');
  });

  it('shows the help of the focused field with ? and hides it again', () => {
    const state = act(stateWith({}), typing('?'));
    assert.equal(state.help, true);
    assert.equal(act(state, typing('?')).help, false);
  });

  it('does not write from the review while problems remain', () => {
    const state = onScreen(stateWith({ name: 'Bad' }), 'review');
    assert.equal(act(state, ENTER).outcome, undefined);
    assert.equal(act(state, typing('w')).outcome, undefined);
  });
});

describe('the wizard model: zones, the cursor, the SSH identity', () => {
  /** On the details screen with the zones focused. */
  function onZones(platform: 'aws' | 'gcp' | 'azure'): State {
    const state = onScreen(stateWith(cloudAnswers(platform)), 'details');
    const focus = visibleFields(SCREENS[1]!, state.answers).findIndex((field) => field.id === 'zones');
    return { ...state, focus };
  }

  for (const platform of ['aws', 'gcp', 'azure'] as const) {
    it(`chooses ${platform} zones from the region's list: all at first, Space drops and adds the marked one`, () => {
      let state = onZones(platform);
      const region = state.answers.region;
      const all = state.answers.zones.split(',');
      assert.equal(all.length, 3);
      // AWS and GCP name zones after their region; Azure numbers a location's zones.
      assert.ok(
        all.every((zone) => (platform === 'azure' ? /^[1-3]$/.test(zone) : zone.startsWith(region))),
        all.join(),
      );
      state = act(state, move(1), typing(' '));
      assert.deepEqual(state.answers.zones.split(','), [all[0], all[2]]);
      state = act(state, move(-1), typing(' '));
      assert.deepEqual(state.answers.zones.split(','), [all[2]]);
      state = act(state, move(1), typing(' '));
      assert.deepEqual(state.answers.zones.split(','), [all[1], all[2]]);
      // The config's order is the region's, whatever the order of the choosing.
      state = act(state, move(-1), typing(' '));
      assert.deepEqual(state.answers.zones.split(','), all);
      const parsed = parseClusterConfig(configYaml(state.answers), { hostNetworks: TEST_HOST_NETWORKS });
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
      assert.deepEqual((parsed.config.aws ?? parsed.config.gcp ?? parsed.config.azure)?.zones, all);
    });
  }

  it('needs at least one zone, with the message --config gives for an empty list', () => {
    let state = onZones('aws');
    state = act(state, typing(' '), move(1), typing(' '), move(1), typing(' '));
    assert.equal(state.answers.zones, '');
    assert.deepEqual(
      problemTexts(state, 'zones'),
      configIssues(state).filter((issue) => issue.startsWith('aws.zones')),
    );
    assert.ok(problemTexts(state, 'zones').length > 0);
    assert.equal(currentScreen(act(state, { type: 'enter' }, ENTER, ENTER, ENTER)).id, 'details');
  });

  it('on Azure takes no zone as no zone pinning: the config has no azure.zones, and the screen goes on', () => {
    let state = onZones('azure');
    state = act(state, typing(' '), move(1), typing(' '), move(1), typing(' '));
    assert.equal(state.answers.zones, '');
    assert.deepEqual(problemTexts(state, 'zones'), []);
    const parsed = parseClusterConfig(configYaml(state.answers), { hostNetworks: TEST_HOST_NETWORKS });
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
    assert.equal(parsed.config.azure?.zones, undefined);
    assert.doesNotMatch(configYaml(state.answers), /zones/);
  });

  it("preselects the new region's zones when the region changes", () => {
    let state = onScreen(stateWith(cloudAnswers('gcp')), 'details');
    state = act(state, RIGHT);
    assert.equal(state.answers.region, 'us-east1');
    assert.equal(state.answers.zones, 'us-east1-b,us-east1-c,us-east1-d');
  });

  it('edits a text field at its cursor: ←/→, Home/End, Backspace and Delete there, typing and pastes inserted', () => {
    let state = act(onScreen(stateWith({}), 'cluster'), typing('dmo'), LEFT, LEFT, typing('e'));
    assert.equal(state.answers.name, 'demo');
    assert.equal(state.cursor, 2);
    state = act(state, HOME, paste('my-\x1b[31m\x07'), END, typing('1'));
    assert.equal(state.answers.name, 'my-demo1');
    state = act(state, HOME, RIGHT, RIGHT, BACKSPACE, DELETE);
    assert.equal(state.answers.name, 'mdemo1');
    assert.equal(state.cursor, 1);
    // Another field starts at its end; coming back does too.
    state = act(state, TAB, typing('x'));
    assert.equal(state.answers.baseDomain, 'example.comx');
    state = act(state, SHIFT_TAB, typing('z'));
    assert.equal(state.answers.name, 'mdemo1z');
  });

  it('edits a machine line in the middle of the list at the cursor; Enter there starts a machine below it', () => {
    let state = onScreen(stateWith(bareMetalAnswers({ machines: machineList(true) })), 'details');
    const focus = visibleFields(SCREENS[1]!, state.answers).findIndex((field) => field.id === 'machines');
    state = { ...state, focus };
    assert.equal(problemTexts(state, 'machines').length, 1);
    // To the end of the second line (the bad MAC), then fix it there.
    const second = state.answers.machines.indexOf('\n') + 1;
    state = { ...state, cursor: second };
    state = act(state, END);
    state = act(state, ...Array.from(' worker', () => LEFT));
    state = act(state, typing(':02'));
    assert.equal(state.answers.machines, machineList());
    assert.deepEqual(problemTexts(state, 'machines'), []);
    state = act(state, LEFT, ENTER, typing('wrk9 52:54:00:a1:9c:09 worker'));
    const lines = state.answers.machines.split('\n');
    assert.deepEqual(lines.slice(1, 3), ['wrk0 52:54:00:a1:9c:02 worker', 'wrk9 52:54:00:a1:9c:09 worker']);
    // Enter on an empty line drops it and leaves the list.
    state = act(state, ENTER, ENTER);
    assert.equal(state.answers.machines.split('\n').length, 4);
    assert.notEqual(focusedField(state)?.id, 'machines');
  });

  it('on bare metal offers the private keys of ~/.ssh by path, following the chosen public key to its own', () => {
    const offered = [
      { path: '/home/u/.ssh/id_ecdsa.pub', line: 'ecdsa-sha2-nistp256 AAAA other' },
      { path: '/home/u/.ssh/id_ed25519.pub', line: ED25519_PUBLIC_KEY },
    ];
    const identities = ['/home/u/.ssh/id_ecdsa', '/home/u/.ssh/id_ed25519'];
    let state = onScreen(
      stateWith(
        bareMetalAnswers({ sshKeySource: offered[0]!.path, sshKey: offered[0]!.line }),
        testEnvironment({ offered, identities }),
      ),
      'access',
    );
    assert.deepEqual(
      visibleFields(SCREENS[5]!, state.answers).map((field) => field.id),
      ['sshKeySource', 'sshIdentitySource'],
    );
    state = act(state, move(1));
    assert.equal(state.answers.sshKeySource, '/home/u/.ssh/id_ed25519.pub');
    assert.equal(state.answers.sshIdentitySource, '/home/u/.ssh/id_ed25519');
    // Another file: its path is typed in a field of its own.
    state = act(state, TAB, move(1));
    assert.equal(state.answers.sshIdentitySource, 'other');
    assert.deepEqual(
      visibleFields(SCREENS[5]!, state.answers).map((field) => field.id),
      ['sshKeySource', 'sshIdentitySource', 'sshIdentity'],
    );
    // Once chosen, the identity no longer follows the public key.
    state = act(state, SHIFT_TAB, move(-1));
    assert.equal(state.answers.sshIdentitySource, 'other');
    // Not asked elsewhere: a local cluster delivers no secrets over SSH.
    assert.deepEqual(
      visibleFields(SCREENS[5]!, stateWith({}).answers).map((field) => field.id),
      ['sshKeySource'],
    );
  });
});
