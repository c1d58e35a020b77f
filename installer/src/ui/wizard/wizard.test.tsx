import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { AddressInfo } from 'node:net';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@strata/host';
import { makeSshKeyPair } from '../../testing/ssh-key-pair.ts';
import { checkSshIdentity } from '../../install/bare-metal/preflight.ts';
import { preflightChecks } from './checks.ts';
import type { WizardState } from './model.ts';
import { parse, stringify } from 'yaml';
import { configYaml, FILE_HEADER } from './review-text.ts';
import { bareMetalAnswers, stateWith, testEnvironment } from './test-fixtures.ts';
import { SCREENS, type ScreenId } from './fields.ts';

// Ink's chalk settles its colour level when it loads and finds no terminal under the test runner: force colour on
// before Ink loads, so that the colourless test has colour to take away.
process.env['FORCE_COLOR'] = '1';
const { render } = await import('ink-testing-library');
const { Wizard, MIN_COLUMNS, MIN_ROWS } = await import('./wizard.tsx');

const ANSI = /\x1b\[[0-9;]*m/g; // eslint-disable-line no-control-regex
const COLOUR = /\x1b\[[0-9;]*(3[0-7]|9[0-7]|38;)[0-9;]*m/; // eslint-disable-line no-control-regex

interface Drawn {
  readonly frame: () => string;
  readonly type: (text: string) => void;
  readonly done: () => WizardState | undefined;
  readonly unmount: () => void;
}

function draw(
  initial: WizardState,
  options: { color?: boolean; columns?: number; rows?: number; existing?: string } = {},
): Drawn {
  let decided: WizardState | undefined;
  const instance = render(
    <Wizard
      initial={initial}
      checks={preflightChecks}
      color={options.color ?? false}
      target="cluster.yaml"
      existing={options.existing}
      onDone={(state) => {
        decided = state;
      }}
      size={{ columns: options.columns ?? 80, rows: options.rows ?? 24 }}
    />,
  );
  return {
    frame: () => (instance.lastFrame() ?? '').replace(ANSI, ''),
    type: (text) => instance.stdin.write(text),
    done: () => decided,
    unmount: instance.unmount,
  };
}

function on(state: WizardState, id: ScreenId): WizardState {
  return { ...state, screen: SCREENS.findIndex((screen) => screen.id === id), focus: 0 };
}

async function frameMatching(drawn: Drawn, pattern: RegExp): Promise<string> {
  return waitFor(`the frame to show ${pattern}`, () => (pattern.test(drawn.frame()) ? drawn.frame() : undefined), {
    timeoutMs: 10_000,
    intervalMs: 20,
  });
}

describe('the wizard screens', () => {
  let bootServer: Server;
  let bootUrl: string;

  before(async () => {
    // A real server answering as a boot server's read side does, for the live check.
    bootServer = createServer((request, response) => {
      response.statusCode = request.url === '/boot.ipxe' ? 200 : 404;
      response.end('#!ipxe\n');
    });
    await new Promise<void>((resolve) => bootServer.listen(0, '127.0.0.1', resolve));
    bootUrl = `http://127.0.0.1:${(bootServer.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((resolve) => bootServer.close(resolve));
  });

  it('offers every platform with what it needs, the choice marked by a symbol and no colour without colour', () => {
    const drawn = draw(stateWith({}));
    try {
      const frame = drawn.frame();
      for (const platform of ['local', 'bare-metal', 'aws', 'gcp', 'azure'])
        assert.match(frame, new RegExp(`[◉○] ${platform}  \\S`), platform);
      assert.match(frame, /◉ local/);
      assert.match(frame, /^Strata install · 1\/8 Platform/m);
      assert.match(frame, /Tab\/Shift-Tab field · Enter next · Esc back · \? help · Ctrl-C quit/);
    } finally {
      drawn.unmount();
    }
  });

  it('draws in colour only when asked', () => {
    const raw = (color: boolean) => {
      const { lastFrame, unmount } = render(
        <Wizard
          initial={stateWith({})}
          checks={preflightChecks}
          color={color}
          target="cluster.yaml"
          existing={undefined}
          onDone={() => undefined}
          size={{ columns: 80, rows: 24 }}
        />,
      );
      const frame = lastFrame() ?? '';
      unmount();
      return frame;
    };
    assert.match(raw(true), COLOUR);
    assert.doesNotMatch(raw(false), COLOUR);
  });

  it('asks for a larger terminal rather than drawing a garbled screen', () => {
    const drawn = draw(stateWith({}), { columns: MIN_COLUMNS - 1, rows: MIN_ROWS });
    try {
      assert.match(
        drawn.frame(),
        new RegExp(`The terminal is ${MIN_COLUMNS - 1}×${MIN_ROWS}; the wizard needs at least`),
      );
    } finally {
      drawn.unmount();
    }
  });

  it('takes keys as a person types them: text, Tab, Shift-Tab, ? and Enter', async () => {
    const drawn = draw(on(stateWith({}), 'cluster'));
    try {
      drawn.type('Demo');
      const bad = await frameMatching(drawn, /✗ name must consist of lower-case letters/);
      assert.match(bad, /› Name +Demo/);
      drawn.type('\x7f\x7f\x7f\x7fdemo');
      await frameMatching(drawn, /› Name +demo▏/);
      assert.doesNotMatch(drawn.frame(), /✗/);
      drawn.type('\t');
      await frameMatching(drawn, /› Base DNS zone/);
      drawn.type('\x1b[Z');
      await frameMatching(drawn, /› Name/);
      drawn.type('?');
      await frameMatching(drawn, /\? Name: The cluster name/);
    } finally {
      drawn.unmount();
    }
  });

  it('shows a bad CIDR beside its field with the message --config prints', () => {
    const state = on(stateWith({ name: 'demo', podCidr: '10.2.0.0/33' }), 'networking');
    const drawn = draw(state);
    try {
      const frame = drawn.frame();
      const lines = frame.split('\n');
      const field = lines.findIndex((line) => /Pod CIDR +10\.2\.0\.0\/33/.test(line));
      assert.ok(field >= 0, frame);
      assert.match(lines[field + 1] ?? '', /^ +✗ networking\.podCidr /);
      const text = state.validation.byField.get('podCidr')?.[0]?.text ?? '';
      const below = lines
        .slice(field + 1)
        .join(' ')
        .replace(/\s+/g, ' ');
      assert.ok(below.includes(`✗ ${text.replace(/\s+/g, ' ')}`), `${text}\n${frame}`);
    } finally {
      drawn.unmount();
    }
  });

  it('cleans a paste of escape sequences and never echoes them', async () => {
    const drawn = draw(on(stateWith({}), 'cluster'));
    try {
      drawn.type('\x1b[200~de\x1b[31mmo\x07\x1b[201~');
      await frameMatching(drawn, /› Name +demo▏/);
    } finally {
      drawn.unmount();
    }
  });

  it('checks the boot server live as its URL is typed', async () => {
    const drawn = draw(on(stateWith(bareMetalAnswers({ bootServer: '' })), 'details'));
    try {
      drawn.type(bootUrl);
      await frameMatching(drawn, new RegExp(`✔ the boot server at ${bootUrl.replaceAll('.', '\\.')} answers`));
      drawn.type('\x7f\x7f\x7f\x7f\x7f1');
      await frameMatching(drawn, /✗ the boot server at http:\/\/127\.0\.0\.1:\d*1 [\s\S]*is not\s+reachable/);
    } finally {
      drawn.unmount();
    }
  });

  it('on a cloud offers regions and zones from a list and names where the credentials are, never what', async () => {
    const secret = 'wizard-test-secret-value';
    const saved = { id: process.env['AWS_ACCESS_KEY_ID'], key: process.env['AWS_SECRET_ACCESS_KEY'] };
    process.env['AWS_ACCESS_KEY_ID'] = 'AKIAWIZARDTEST';
    process.env['AWS_SECRET_ACCESS_KEY'] = secret;
    const drawn = draw(on(stateWith({ name: 'demo' }), 'platform'));
    try {
      drawn.type('\x1b[B\x1b[B');
      await frameMatching(drawn, /◉ aws/);
      drawn.type('\r');
      const details = await frameMatching(
        drawn,
        /✔ credentials: environment variables AWS_ACCESS_KEY_ID and\s+AWS_SECRET_ACCESS_KEY/,
      );
      assert.match(details, /› Region +‹ us-east-1 › {2}1 of 6 {2}\(←\/→\)/);
      assert.match(details, /Zones\s+\[x\] us-east-1a\s+\[x\] us-east-1b\s+\[x\] us-east-1c/);
      assert.match(details, /Controller type +t3\.medium/);
      assert.doesNotMatch(details, new RegExp(secret));
      drawn.type('\x1b[C');
      await frameMatching(
        drawn,
        /Region +‹ us-east-2 › {2}2 of 6[\s\S]*\[x\] us-east-2a\s+\[x\] us-east-2b\s+\[x\] us-east-2c/,
      );
      // The zones: ↓ marks the next, Space drops it, and the file will hold the other two.
      drawn.type('\t');
      await frameMatching(drawn, /› Zones +↑\/↓ mark · Space choose\/drop · at least one\n +› \[x\] us-east-2a/);
      drawn.type('\x1b[B');
      await frameMatching(drawn, / +› \[x\] us-east-2b/);
      drawn.type(' ');
      const dropped = await frameMatching(drawn, / +› \[ \] us-east-2b/);
      assert.match(dropped, /\[x\] us-east-2a[\s\S]*\[x\] us-east-2c/);
    } finally {
      drawn.unmount();
      for (const [name, value] of [
        ['AWS_ACCESS_KEY_ID', saved.id],
        ['AWS_SECRET_ACCESS_KEY', saved.key],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it("on Azure offers the location's numbered zones, all chosen at first, and takes none as no zone pinning", async () => {
    const drawn = draw(on(stateWith({ name: 'demo' }), 'platform'));
    try {
      drawn.type('\x1b[B\x1b[B\x1b[B\x1b[B');
      await frameMatching(drawn, /◉ azure/);
      drawn.type('\r');
      const details = await frameMatching(drawn, /Zones\s+\[x\] 1\s+\[x\] 2\s+\[x\] 3/);
      assert.match(details, /› Region +◉ eastus/);
      drawn.type('\t');
      await frameMatching(drawn, /› Zones +↑\/↓ mark · Space choose\/drop · none: no zone pinning\n +› \[x\] 1/);
      drawn.type(' ');
      await frameMatching(drawn, / +› \[ \] 1/);
      drawn.type('\x1b[B');
      await frameMatching(drawn, / +› \[x\] 2/);
      drawn.type(' ');
      drawn.type('\x1b[B');
      await frameMatching(drawn, / +› \[x\] 3/);
      drawn.type(' ');
      const none = await frameMatching(drawn, /\[ \] 1\s+\[ \] 2\s+› \[ \] 3/);
      assert.doesNotMatch(none, /azure\.zones/);
    } finally {
      drawn.unmount();
    }
  });

  it('edits a text field at its cursor with ←/→, Home/End, Ctrl-A/Ctrl-E, Backspace and Delete', async () => {
    const drawn = draw(on(stateWith({}), 'cluster'));
    try {
      drawn.type('dmo');
      await frameMatching(drawn, /› Name +dmo▏/);
      drawn.type('\x1b[D');
      drawn.type('\x1b[D');
      await frameMatching(drawn, /› Name +d▏mo/);
      drawn.type('e');
      await frameMatching(drawn, /› Name +de▏mo/);
      drawn.type('\x01');
      await frameMatching(drawn, /› Name +▏demo/);
      // A paste lands at the cursor, cleaned of its escape sequences.
      drawn.type('\x1b[200~my-\x1b[31m\x07\x1b[201~');
      await frameMatching(drawn, /› Name +my-▏demo/);
      drawn.type('\x05');
      await frameMatching(drawn, /› Name +my-demo▏/);
      drawn.type('\x1b[H');
      drawn.type('\x1b[3~');
      await frameMatching(drawn, /› Name +▏y-demo/);
      drawn.type('\x1b[F');
      drawn.type('\x1b[D');
      drawn.type('\x7f');
      await frameMatching(drawn, /› Name +y-de▏o/);
      drawn.type('\x1b[C');
      drawn.type('1');
      await frameMatching(drawn, /› Name +y-deo1▏/);
    } finally {
      drawn.unmount();
    }
  });

  it('says an existing cluster.yaml does not parse, in the words of --config, and starts from the defaults', () => {
    const problem = 'cluster.yaml:9:12: networking.podCidr has an invalid prefix length "/33"';
    const drawn = draw(stateWith({}, testEnvironment({ existingProblem: problem })));
    try {
      const frame = drawn.frame();
      assert.match(
        frame.replace(/\s+/g, ' '),
        /! cluster\.yaml exists but does not parse, so the wizard starts from its defaults; cluster\.yaml is written only when you confirm the review:/,
      );
      assert.ok(frame.includes(problem), frame);
      assert.match(frame, /◉ local/);
    } finally {
      drawn.unmount();
    }
    const review = draw(on(stateWith({ name: 'demo' }, testEnvironment({ existingProblem: problem })), 'review'), {
      existing: 'name: [\n',
    });
    try {
      assert.match(
        review.frame(),
        /cluster\.yaml does not parse; Enter\/w replaces it: \+ adds, - removes \(\d+ lines\):/,
      );
    } finally {
      review.unmount();
    }
  });

  it('lists the machines with a mark per line and the problem under the bad one', () => {
    const drawn = draw(
      on(
        stateWith(bareMetalAnswers({ machines: 'ctl0 52:54:00:a1:9c:01 controller\nwrk0 52:54:00:a1:9c worker' })),
        'details',
      ),
    );
    try {
      const lines = drawn.frame().split('\n');
      const bad = lines.findIndex((line) => /✗ wrk0 52:54:00:a1:9c worker/.test(line));
      assert.ok(lines.some((line) => /✔ ctl0 52:54:00:a1:9c:01 controller/.test(line)));
      assert.ok(bad >= 0, lines.join('\n'));
      assert.match(lines[bad + 1] ?? '', /✗ bareMetal\.machines\[1\]\.mac /);
    } finally {
      drawn.unmount();
    }
  });

  it('reviews the file against the existing one, and decides on Enter', async () => {
    const state = on(stateWith({ name: 'demo', workers: '3' }), 'review');
    const drawn = draw(state, { existing: configYaml(stateWith({ name: 'demo' }).answers) });
    try {
      const frame = drawn.frame();
      assert.match(frame, /cluster\.yaml exists; \+ adds, - removes \(2 lines\)/);
      assert.match(frame, /\+ {5}count: 3/);
      assert.match(frame, /- {5}count: 1/);
      drawn.type('\r');
      await waitFor('the wizard to decide', () => drawn.done(), { timeoutMs: 5_000, intervalMs: 20 });
      assert.equal(drawn.done()?.outcome, 'install');
    } finally {
      drawn.unmount();
    }
  });

  it('keeps what it does not ask from the existing file, a pool\u2019s snippets included: the review removes none of it', () => {
    // The existing file as a person extends what the wizard wrote: snippets per pool (ADR 0050), labels, a second pool.
    const written = parse(configYaml(stateWith({ name: 'demo' }).answers)) as Record<string, unknown>;
    const extended = {
      ...written,
      controllers: { count: 1, snippets: ['snippets/controller.yaml'] },
      workerPools: [
        { name: 'worker', count: 1, labels: { tier: 'web' }, snippets: ['snippets/worker.yaml'] },
        { name: 'gpu', count: 2, snippets: ['snippets/gpu.yaml'] },
      ],
    };
    const existing = `${FILE_HEADER}${stringify(extended, { lineWidth: 0 })}`;
    const drawn = draw(on(stateWith({ name: 'demo', workers: '3' }), 'review'), { existing, rows: 60 });
    try {
      const frame = drawn.frame();
      assert.match(frame, /cluster\.yaml exists; \+ adds, - removes \(2 lines\)/);
      assert.match(frame, /\+ {5}count: 3/);
      assert.match(frame, /- {5}count: 1/);
      for (const snippet of ['controller', 'worker', 'gpu'])
        assert.match(frame, new RegExp(`│ {3} *- snippets/${snippet}\\.yaml`), `${snippet}'s snippet kept, unmarked`);
      assert.match(frame, /│ {3} *tier: web/);
    } finally {
      drawn.unmount();
    }
  });

  it("compares against the --dir cluster's copy when there is no ./cluster.yaml, naming both files", () => {
    let decided: WizardState | undefined;
    const instance = render(
      <Wizard
        initial={on(stateWith({ name: 'demo', workers: '3' }), 'review')}
        checks={preflightChecks}
        color={false}
        target="cluster.yaml"
        existing={configYaml(stateWith({ name: 'demo' }).answers)}
        source="/srv/demo/cluster.yaml"
        onDone={(state) => {
          decided = state;
        }}
        size={{ columns: 80, rows: 24 }}
      />,
    );
    try {
      const frame = (instance.lastFrame() ?? '').replace(ANSI, '');
      assert.match(frame, /cluster\.yaml, from \/srv\/demo\/cluster\.yaml: \+ adds, - removes \(2 lines\)/);
      assert.equal(decided, undefined);
    } finally {
      instance.unmount();
    }
  });

  it('asks before quitting on Ctrl-C', async () => {
    const drawn = draw(stateWith({}));
    try {
      drawn.type('\x03');
      await frameMatching(drawn, /\? Quit the wizard\? Nothing has been written\. \[y\/N\]/);
      drawn.type('y');
      await waitFor('the wizard to decide', () => drawn.done(), { timeoutMs: 5_000, intervalMs: 20 });
      assert.equal(drawn.done()?.outcome, 'quit');
    } finally {
      drawn.unmount();
    }
  });
});

describe('the SSH identity on the bare-metal access screen', () => {
  let dir: string;
  let privateKey: string;
  let publicKey: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-wizard-identity-'));
    privateKey = join(dir, 'id_ed25519');
    publicKey = (await makeSshKeyPair(privateKey)).publicKey;
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The access screen of a bare-metal cluster whose public key is the test's, with `identity` typed as a path. */
  function accessWith(identity: string): Drawn {
    const answers = bareMetalAnswers({ sshKey: publicKey, sshIdentitySource: 'other', sshIdentity: identity });
    return draw(on(stateWith(answers, testEnvironment({ identities: [] })), 'access'));
  }

  /** What --ssh-identity says of the same file, for the same public key. */
  async function flagSays(path: string): Promise<string> {
    return (await checkSshIdentity([publicKey], path)).failures.join('; ').replace(/\s+/g, ' ');
  }

  const flat = (frame: string): string => frame.replace(/\s+/g, ' ');

  it('accepts the private half of the public key, readable by its owner alone, and never shows its content', async () => {
    await chmod(privateKey, 0o600);
    const drawn = accessWith(privateKey);
    try {
      const frame = await frameMatching(drawn, /✔ the SSH identity/);
      assert.ok(flat(frame).includes(`✔ the SSH identity ${privateKey} is the private half of the public key`), frame);
      const secret = (await readFile(privateKey, 'utf8')).split('\n')[1] ?? '';
      assert.ok(secret.length > 20 && !frame.includes(secret.slice(0, 20)));
    } finally {
      drawn.unmount();
    }
  });

  it('refuses a key others can read, a missing file and a file that is no key, with the words of --ssh-identity', async () => {
    const notAKey = join(dir, 'notes.txt');
    await writeFile(notAKey, 'not a key\n', { mode: 0o600 });
    const cases = [
      { path: privateKey, mode: 0o640 as number | undefined, expected: /can be read by others \(mode 0640\)/ },
      { path: join(dir, 'missing'), mode: undefined, expected: /no readable SSH identity/ },
      { path: notAKey, mode: undefined, expected: /is not a private key ssh-keygen can read/ },
    ];
    for (const { path, mode, expected } of cases) {
      if (mode !== undefined) await chmod(path, mode);
      const message = await flagSays(path);
      assert.match(message, expected);
      const drawn = accessWith(path);
      try {
        const frame = await frameMatching(drawn, /✗ (the SSH identity|no readable)/);
        assert.ok(flat(frame).includes(`✗ ${message}`), `${message}\n${frame}`);
      } finally {
        drawn.unmount();
      }
    }
    await chmod(privateKey, 0o600);
  });
});
