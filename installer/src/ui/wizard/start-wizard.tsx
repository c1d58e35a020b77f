// Runs the wizard on this terminal and, once confirmed, writes the file
// atomically: a quit, a Ctrl-C or a kill before then leaves no file, and the
// file is never seen half-written.
import { networkInterfaces } from 'node:os';
import { dirname } from 'node:path';
import { render } from 'ink';
import { StrataError } from '@strata/api';
import { writeFileAtomic } from '@strata/host';
import type { RawBareMetalOptions } from '../../install/bare-metal/options.ts';
import { colorWanted } from '../live/start-live-view.tsx';
import { chosenIdentity, type Answers } from './answers.ts';
import { preflightChecks, type WizardChecks } from './checks.ts';
import { initialState, type Outcome, type WizardState } from './model.ts';
import { offeredIdentities, offeredKeys } from './offered-keys.ts';
import { readExistingConfig } from './prefill.ts';
import { configYaml } from './review-text.ts';
import { rebaseSnippetPaths } from './snippet-paths.ts';
import { Wizard } from './wizard.tsx';

/** The wizard could not run to a decision. */
export class WizardError extends StrataError {}

export interface WizardResult {
  readonly outcome: Outcome;
  /** The file written; absent when the wizard was quit. */
  readonly configPath?: string;
  /** The write API and its files, as the flags of the command line pass them. */
  readonly bareMetal: RawBareMetalOptions;
}

/** This machine's networks as the config check reads them (interfaces, loopback excluded). */
function hostNetworks(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .flatMap((address) => (address === undefined || address.internal || address.cidr === null ? [] : [address.cidr]));
}

function presetOf(flags: RawBareMetalOptions, identities: readonly string[]): Partial<Answers> {
  const identity = flags.sshIdentity;
  return {
    ...(identity === undefined
      ? {}
      : identities.includes(identity)
        ? { sshIdentitySource: identity }
        : { sshIdentitySource: 'other', sshIdentity: identity }),
    ...(flags.bootApi === undefined ? {} : { bootApi: flags.bootApi }),
    ...(flags.bootApiCa === undefined ? {} : { bootApiCa: flags.bootApiCa }),
    ...(flags.bootApiCert === undefined ? {} : { bootApiCert: flags.bootApiCert }),
    ...(flags.bootApiKey === undefined ? {} : { bootApiKey: flags.bootApiKey }),
  };
}

function bareMetalOf(answers: Answers, flags: RawBareMetalOptions): RawBareMetalOptions {
  const sshIdentity = answers.platform === 'bare-metal' ? chosenIdentity(answers) : undefined;
  const given = (value: string): string | undefined => (value.trim() === '' ? undefined : value.trim());
  const bootApi = given(answers.bootApi);
  const bootApiCa = given(answers.bootApiCa);
  const bootApiCert = given(answers.bootApiCert);
  const bootApiKey = given(answers.bootApiKey);
  return {
    ...flags,
    ...(bootApi === undefined ? {} : { bootApi }),
    ...(bootApiCa === undefined ? {} : { bootApiCa }),
    ...(bootApiCert === undefined ? {} : { bootApiCert }),
    ...(bootApiKey === undefined ? {} : { bootApiKey }),
    ...(sshIdentity === undefined ? {} : { sshIdentity }),
  };
}

export interface WizardOptions {
  /** Where the config is written, and the file the answers start from when it exists. */
  readonly target: string;
  /** The file the answers start from when `target` does not exist (the --dir cluster's copy). */
  readonly fallback?: string;
  readonly flags: RawBareMetalOptions;
  readonly checks?: WizardChecks;
  readonly stream?: NodeJS.WriteStream;
}

/** Asks on stderr (stdout stays for scripts), then writes the file unless the person quit. */
export async function runWizard(options: WizardOptions): Promise<WizardResult> {
  const [offered, identities] = await Promise.all([offeredKeys(), offeredIdentities()]);
  const networks = hostNetworks();
  // The answers of an existing file first, then the flags of this command line over them.
  let found = await readExistingConfig(options.target, offered, identities, networks);
  let source = options.target;
  if (found.kind === 'absent' && options.fallback !== undefined) {
    found = await readExistingConfig(options.fallback, offered, identities, networks);
    source = options.fallback;
  }
  // Kept snippets name the same files from the file written as from the file read.
  const existing =
    found.kind === 'absent' ? undefined : rebaseSnippetPaths(found.text, dirname(source), dirname(options.target));
  const initial = initialState({
    offered,
    identities,
    hostNetworks: networks,
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    preset: { ...(found.kind === 'parsed' ? found.answers : {}), ...presetOf(options.flags, identities) },
    ...(found.kind === 'invalid' ? { existingProblem: found.problem } : {}),
  });
  let decided: WizardState | undefined;
  const instance = render(
    <Wizard
      initial={initial}
      checks={options.checks ?? preflightChecks}
      color={colorWanted(process.env)}
      target={options.target}
      existing={existing}
      {...(source === options.target ? {} : { source })}
      onDone={(state) => {
        decided = state;
        // The live view (or the closing line) follows on a clean screen.
        instance.clear();
        instance.unmount();
      }}
    />,
    { stdout: options.stream ?? process.stderr, exitOnCtrlC: false, patchConsole: false },
  );
  // Ink has given the terminal back (raw mode off, its last frame cleared) once this resolves.
  await instance.waitUntilExit();
  if (decided === undefined) throw new WizardError('the wizard ended without a decision', {});
  const outcome = decided.outcome ?? 'quit';
  const bareMetal = bareMetalOf(decided.answers, options.flags);
  if (outcome === 'quit') return { outcome, bareMetal };
  // A valid existing file keeps what the wizard does not ask (a pool's snippets, fields it does not know).
  await writeFileAtomic(options.target, configYaml(decided.answers, found.kind === 'parsed' ? existing : undefined));
  return { outcome, configPath: options.target, bareMetal };
}
