// A real pseudo-terminal for the interactive installer's tests: tmux runs the
// command in a detached session of a chosen size on a private server, the test
// types with send-keys and reads the screen with capture-pane (ADR 0021).
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StrataError } from '@strata/api';
import { runCommand, waitFor } from '@strata/host';

/** tmux refused a command. `context`: args, stderr. */
export class TmuxError extends StrataError {}

export interface TerminalOptions {
  readonly columns: number;
  readonly rows: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

export interface ScreenOptions {
  readonly escapes?: boolean;
  readonly history?: number;
}

/** The variables by which Ink's `is-in-ci` recognises a CI job. */
const CI_MARKERS = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

export class TmuxTerminal {
  readonly #socket: string;
  readonly #captures: { readonly label: string; readonly screen: string }[] = [];

  /** Use `start`: a terminal is made with the command it runs. */
  constructor(socket: string) {
    this.#socket = socket;
  }

  /** Starts `argv` in a new terminal of the given size; the pane stays after the command exits, to be read. */
  static async start(argv: readonly string[], options: TerminalOptions): Promise<TmuxTerminal> {
    const terminal = new TmuxTerminal(`strata-test-${randomBytes(4).toString('hex')}`);
    const env = Object.entries(options.env ?? {}).map(([name, value]) => `${name}=${shellQuote(value)}`);
    // A terminal a person sits at: the CI job's markers would make Ink (and the CLI) draw only the last frame.
    const unset = CI_MARKERS.map((name) => `-u ${name}`).join(' ');
    // The exit code is printed into the pane, so a test reads how the command ended from the screen alone.
    const command = `env ${unset} TERM=xterm-256color ${env.join(' ')} ${argv.map(shellQuote).join(' ')}; echo "[exited $?]"`;
    await terminal.#tmux([
      'new-session',
      '-d',
      '-s',
      'test',
      '-x',
      String(options.columns),
      '-y',
      String(options.rows),
      ...(options.cwd === undefined ? [] : ['-c', options.cwd]),
      command,
    ]);
    await terminal.#tmux(['set-option', '-t', 'test', 'remain-on-exit', 'on']);
    return terminal;
  }

  async #tmux(args: readonly string[]): Promise<string> {
    const result = await runCommand('tmux', ['-L', this.#socket, '-f', '/dev/null', ...args]);
    if (result.code !== 0)
      throw new TmuxError(`tmux ${args[0] ?? ''} failed: ${result.stderr.trim()}`, { args, stderr: result.stderr });
    return result.stdout;
  }

  /**
   * The screen as text; `escapes` keeps the colour and style sequences; `history` adds that many lines scrolled off
   * the top (a dead pane's "Pane is dead" line scrolls the last line a command printed away).
   */
  async screen(options: ScreenOptions = {}): Promise<string> {
    return this.#tmux([
      'capture-pane',
      '-p',
      '-t',
      'test',
      ...(options.escapes === true ? ['-e'] : []),
      ...(options.history === undefined ? [] : ['-S', String(-options.history)]),
    ]);
  }

  /** Waits until the screen matches `pattern`, keeping the screen seen under `label` for the failure report. */
  async waitForScreen(
    label: string,
    pattern: RegExp,
    timeoutMs = 90_000,
    options: Pick<ScreenOptions, 'history'> = {},
  ): Promise<string> {
    let last = '';
    try {
      return await waitFor(
        `the screen to show ${pattern}`,
        async () => {
          last = await this.screen(options);
          return pattern.test(last) ? last : undefined;
        },
        { timeoutMs, intervalMs: 250 },
      );
    } finally {
      this.#captures.push({ label, screen: last });
    }
  }

  async resize(columns: number, rows: number): Promise<void> {
    await this.#tmux(['resize-window', '-t', 'test', '-x', String(columns), '-y', String(rows)]);
  }

  /** Types keys as tmux names them (`Enter`, `C-c`, `Tab`) or literal text with `literal`. */
  async type(keys: string, options: { literal?: boolean } = {}): Promise<void> {
    await this.#tmux(['send-keys', '-t', 'test', ...(options.literal === true ? ['-l'] : []), keys]);
  }

  /**
   * Pastes `text` as a terminal does: in one piece, wrapped in the bracketed-paste markers when the program asked
   * for them (tmux's paste-buffer -p), so that the program can tell a paste from typing.
   */
  async paste(text: string): Promise<void> {
    await this.#tmux(['set-buffer', '-b', 'paste', '--', text]);
    await this.#tmux(['paste-buffer', '-p', '-d', '-b', 'paste', '-t', 'test']);
  }

  /** Writes every screen this terminal was waited on into `dir`, one text file each, for a failed test. */
  async keepCaptures(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    for (const [index, { label, screen }] of this.#captures.entries())
      await writeFile(join(dir, `${String(index).padStart(2, '0')}-${label.replaceAll(/[^\w-]+/g, '-')}.txt`), screen);
  }

  async close(): Promise<void> {
    await this.#tmux(['kill-server']);
  }
}
