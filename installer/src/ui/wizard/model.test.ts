import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClusterConfig } from '@strata/assets';
import { currentScreen, focusedField, PRIVATE_KEY_NOTICE, shownProblems } from './model.ts';
import { configYaml } from './review-text.ts';
import {
  act,
  BACK,
  bareMetalAnswers,
  ED25519_PUBLIC_KEY,
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
