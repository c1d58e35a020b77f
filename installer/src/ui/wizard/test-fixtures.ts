// Typed builders for the wizard's tests: states reached by the actions a
// person takes, and the answers of a complete cluster per platform.
import { TEST_SYSEXT_SHA512 } from '@strata/assets/testing';
import { initialAnswers, withPlatform, type Answers } from './answers.ts';
import { initialState, reduceWizard, type WizardAction, type WizardEnvironment, type WizardState } from './model.ts';

/** A network no default range touches, so that tests do not depend on this machine's interfaces. */
export const TEST_HOST_NETWORKS = ['192.0.2.0/24'] as const;

/** A real ed25519 public key made with ssh-keygen (its private half thrown away), as a .pub file holds it. */
export const ED25519_PUBLIC_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKRNkThcvD8KWu8Mejxa29enICHJDP5j1sTxRpzjodJp alice@example.com';

export const PRIVATE_KEY_PASTE = [
  '-----BEGIN OPENSSH PRIVATE KEY-----',
  'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
  '-----END OPENSSH PRIVATE KEY-----',
].join('\n');

export const SYSEXT_SHA512 = TEST_SYSEXT_SHA512;

export function testEnvironment(overrides: Partial<WizardEnvironment> = {}): WizardEnvironment {
  return { offered: [], hostNetworks: TEST_HOST_NETWORKS, timeZone: 'UTC', ...overrides };
}

export function stateWith(answers: Partial<Answers>, env: WizardEnvironment = testEnvironment()): WizardState {
  return initialState({ ...env, preset: { ...env.preset, ...answers } });
}

export function act(state: WizardState, ...actions: readonly WizardAction[]): WizardState {
  return actions.reduce(reduceWizard, state);
}

export const ENTER: WizardAction = { type: 'enter' };
export const BACK: WizardAction = { type: 'back' };
export const TAB: WizardAction = { type: 'tab', backwards: false };
export const SHIFT_TAB: WizardAction = { type: 'tab', backwards: true };
export const typing = (text: string): WizardAction => ({ type: 'input', text });
export const paste = (text: string): WizardAction => ({ type: 'paste', text });
export const move = (delta: number): WizardAction => ({ type: 'move', delta });

/** Three bare-metal machines as a person pastes them: one controller, two workers. */
export function machineList(badMac = false): string {
  return [
    'ctl0 52:54:00:a1:9c:01 controller',
    `wrk0 ${badMac ? '52:54:00:a1:9c' : '52:54:00:a1:9c:02'} worker`,
    'wrk1 52-54-00-a1-9c-03 worker',
  ].join('\n');
}

/** Complete answers of a bare-metal cluster. */
export function bareMetalAnswers(overrides: Partial<Answers> = {}): Partial<Answers> {
  return {
    platform: 'bare-metal',
    name: 'metal',
    baseDomain: 'example.com',
    bootServer: 'http://boot.example.com:8080',
    machines: machineList(),
    sysextSha512: SYSEXT_SHA512,
    sshKeySource: 'paste',
    sshKey: ED25519_PUBLIC_KEY,
    ...overrides,
  };
}

/** Complete answers of a cluster on a cloud, as choosing the platform leaves them (its first region, all zones). */
export function cloudAnswers(platform: 'aws' | 'gcp' | 'azure', overrides: Partial<Answers> = {}): Partial<Answers> {
  const base = withPlatform(initialAnswers([]), platform);
  return {
    ...base,
    name: 'cloud',
    sysextSha512: SYSEXT_SHA512,
    sshKeySource: 'paste',
    sshKey: ED25519_PUBLIC_KEY,
    ...(platform === 'gcp' ? { gcpProject: 'my-project-123' } : {}),
    ...(platform === 'azure' ? { azureResourceGroup: 'strata-demo' } : {}),
    ...overrides,
  };
}

export const LEFT: WizardAction = { type: 'cursor', to: 'left' };
export const RIGHT: WizardAction = { type: 'cursor', to: 'right' };
export const HOME: WizardAction = { type: 'cursor', to: 'home' };
export const END: WizardAction = { type: 'cursor', to: 'end' };
export const BACKSPACE: WizardAction = { type: 'backspace' };
export const DELETE: WizardAction = { type: 'delete' };
