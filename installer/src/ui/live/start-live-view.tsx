import { render } from 'ink';
import isInCi from 'is-in-ci';
import type { InstallEvents, ResourceChange } from '../../install/events.ts';
import { Confirmations } from './confirmations.ts';
import { InstallStateStore } from './install-state.ts';
import { LiveInstall } from './live-install.tsx';

export interface LiveView {
  /** Asks in the view whether to apply changes to an installed cluster. */
  readonly confirm: (changes: readonly ResourceChange[]) => Promise<boolean>;
  /** Draws the last frame and gives the terminal back. */
  readonly stop: () => void;
}

/** NO_COLOR set to anything but the empty string turns colour off (no-color.org). */
export function colorWanted(env: NodeJS.ProcessEnv): boolean {
  return env['NO_COLOR'] === undefined || env['NO_COLOR'] === '';
}

export interface Terminal {
  readonly json: boolean;
  readonly stdinIsTty: boolean;
  readonly stderrIsTty: boolean;
  /** Ink draws only the last frame under CI (its `is-in-ci` check): a live view there would show nothing until the end. */
  readonly inCi: boolean;
}

/** A person at a terminal watches the live view; a pipe, a log file, a CI job or --json get lines. */
export function liveViewWanted(terminal: Terminal): boolean {
  return !terminal.json && terminal.stdinIsTty && terminal.stderrIsTty && !terminal.inCi;
}

/** This process's terminal, as `liveViewWanted` reads it. */
export function thisTerminal(json: boolean): Terminal {
  return {
    json,
    stdinIsTty: process.stdin.isTTY === true,
    stderrIsTty: process.stderr.isTTY === true,
    inCi: isInCi,
  };
}

/**
 * The live view on stderr, as the plain lines are, so stdout stays for what a
 * script reads. Ctrl-C is left to the process: the install resumes from its journal.
 */
export function startLiveView(events: InstallEvents, stream: NodeJS.WriteStream = process.stderr): LiveView {
  const store = new InstallStateStore(events);
  const confirmations = new Confirmations();
  const instance = render(
    <LiveInstall store={store} confirmations={confirmations} color={colorWanted(process.env)} />,
    { stdout: stream, exitOnCtrlC: false, patchConsole: false },
  );
  return {
    confirm: (changes) => confirmations.ask(changes),
    stop: () => {
      instance.unmount();
      store.close();
    },
  };
}
