// The wizard in a real pseudo-terminal (tmux, 80×24, NO_COLOR), typed at as a
// person types: a bare-metal cluster with its machines pasted as a list, a
// bad MAC corrected at the cursor and an SSH identity checked; an existing
// file's answers to start from, a bad CIDR shown inline, going back from the
// review to change the worker count; a cloud's zones chosen from the region's;
// Ctrl-C that leaves no file. None of them installs: each ends by writing the
// file only (w at the review) or by quitting.
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseClusterConfig } from '@strata/assets';
import { makeSshKeyPair } from '../../testing/ssh-key-pair.ts';
import { TmuxTerminal } from '../../testing/tmux-terminal.ts';
import { configYaml } from './review-text.ts';
import { ED25519_PUBLIC_KEY, stateWith, SYSEXT_SHA512, testEnvironment } from './test-fixtures.ts';

const STRATA = fileURLToPath(new URL('../../../bin/strata.js', import.meta.url));
const COLOUR = /\x1b\[[0-9;]*(3[0-7]|9[0-7]|38;)[0-9;]*m/; // eslint-disable-line no-control-regex
const HOST_NETWORKS = ['192.0.2.0/24'];
/** A dead pane scrolls the command's last lines up: read them from the history too. */
const EXITED = { history: 24 };

interface Session {
  readonly terminal: TmuxTerminal;
  readonly dir: string;
}

/**
 * `strata install` without --config in a fresh directory, with a home whose
 * ~/.ssh holds one public key, or with `keyPair` a key pair made there by
 * ssh-keygen (its private half as ssh-keygen leaves it, mode 0600).
 */
async function startWizard(
  root: string,
  name: string,
  options: { existing?: string; keyPair?: boolean } = {},
): Promise<Session> {
  const dir = join(root, name);
  const home = join(dir, 'home');
  await mkdir(join(home, '.ssh'), { recursive: true });
  if (options.existing !== undefined) await writeFile(join(dir, 'cluster.yaml'), options.existing);
  if (options.keyPair === true) {
    await makeSshKeyPair(join(home, '.ssh', 'id_ed25519'), 'pty');
  } else {
    await writeFile(join(home, '.ssh', 'id_ed25519.pub'), `${ED25519_PUBLIC_KEY}\n`);
  }
  const terminal = await TmuxTerminal.start([process.execPath, STRATA, 'install'], {
    columns: 80,
    rows: 24,
    cwd: dir,
    env: { NO_COLOR: '1', HOME: home, TZ: 'UTC' },
  });
  await terminal.waitForScreen('started', /Strata install · 1\/8 Platform/, 120_000);
  return { terminal, dir };
}

/** Every screen an 80×24 NO_COLOR terminal shows: no colour, no line wider than the terminal. */
async function assertPlain(terminal: TmuxTerminal): Promise<void> {
  assert.doesNotMatch(await terminal.screen({ escapes: true }), COLOUR);
  for (const line of (await terminal.screen()).split('\n')) assert.ok(line.length <= 80, line);
}

async function press(terminal: TmuxTerminal, ...keys: string[]): Promise<void> {
  for (const key of keys) await terminal.type(key);
}

/** One Enter a field on each of these screens ("4/8" and its field count), waiting for each screen first. */
async function enterThrough(terminal: TmuxTerminal, screens: readonly (readonly [string, number])[]): Promise<void> {
  for (const [screen, fields] of screens) {
    await terminal.waitForScreen(`at-${screen.replace('/', '-')}`, new RegExp(screen));
    for (let field = 0; field < fields; field++) await press(terminal, 'Enter');
  }
}

/** OS 1 field, networking 2, access 1, updates 2: a local or cloud cluster's screens after the cluster's. */
const OS_TO_UPDATES = [
  ['4/8', 1],
  ['5/8', 2],
  ['6/8', 1],
  ['7/8', 2],
] as const;

async function finish(t: TestContext, session: Session, passed: boolean): Promise<void> {
  if (!passed) {
    const captures = join(
      import.meta.dirname,
      '..',
      '..',
      '..',
      'test-output',
      'wizard-pty',
      t.name.replaceAll(/\W+/g, '-'),
    );
    await session.terminal.keepCaptures(captures);
    t.diagnostic(`screen captures kept in ${captures}`);
  }
  await session.terminal.close();
}

describe('the wizard in a pseudo-terminal', () => {
  let root: string;
  let bootServer: Server;
  let bootUrl: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-wizard-'));
    bootServer = createServer((request, response) => {
      response.statusCode = request.url === '/boot.ipxe' ? 200 : 404;
      response.end('#!ipxe\n');
    });
    await new Promise<void>((resolve) => bootServer.listen(0, '127.0.0.1', resolve));
    bootUrl = `http://127.0.0.1:${(bootServer.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((resolve) => bootServer.close(resolve));
    await rm(root, { recursive: true, force: true });
  });

  it('bare metal: three machines pasted as a list, a bad MAC corrected, the SSH identity checked, the file written', async (t) => {
    const session = await startWizard(root, 'bare-metal', { keyPair: true });
    const identity = join(session.dir, 'home', '.ssh', 'id_ed25519');
    const publicKey = (await readFile(`${identity}.pub`, 'utf8')).trim();
    const { terminal } = session;
    let passed = false;
    try {
      await press(terminal, 'Down');
      await terminal.waitForScreen('bare-metal-chosen', /◉ bare-metal/);
      await assertPlain(terminal);
      await press(terminal, 'Enter');
      await terminal.waitForScreen('details', /2\/8 Platform details/);
      await terminal.type(bootUrl, { literal: true });
      await terminal.waitForScreen('boot-server-checked', /✔ the boot server at http:\/\/127\.0\.0\.1:\d+ answers/);
      await press(terminal, 'Tab', 'Tab', 'Tab', 'Tab', 'Tab');
      await terminal.waitForScreen('machines-focused', /› Machines/);
      await terminal.paste(
        ['ctl0 52:54:00:a1:9c:01 controller', 'wrk0 52:54:00:a1:9c:02 worker', 'wrk1 52:54:00:a1:9c worker'].join('\n'),
      );
      const bad = await terminal.waitForScreen('bad-mac', /✗ wrk1 52:54:00:a1:9c worker/);
      assert.match(bad, /✔ ctl0 52:54:00:a1:9c:01 controller/);
      assert.match(bad, /✔ wrk0 52:54:00:a1:9c:02 worker/);
      assert.match(bad, /✗ bareMetal\.machines\[2\]\.mac /);
      await assertPlain(terminal);
      // Corrected as a person does: the cursor moved back over " worker" to the short MAC's end, the rest typed there.
      for (let count = 0; count < ' worker'.length; count++) await terminal.type('Left');
      await terminal.waitForScreen('cursor-moved', /✗ wrk1 52:54:00:a1:9c▏ worker/);
      await terminal.type(':03', { literal: true });
      const fixed = await terminal.waitForScreen('mac-fixed', /✔ wrk1 52:54:00:a1:9c:03▏? worker/);
      assert.doesNotMatch(fixed, /✗/);

      // Resized too small and back: a message, then every answer still there.
      await terminal.resize(60, 15);
      await terminal.waitForScreen('too-small', /The terminal is 60×15; the wizard needs at least\s+70×20/);
      await terminal.resize(80, 24);
      await terminal.waitForScreen('resized-back', /✔ wrk1 52:54:00:a1:9c:03▏? worker/);

      await press(terminal, 'Enter', 'Enter');
      await terminal.waitForScreen('cluster', /3\/8 Cluster/);
      const cluster = await terminal.screen();
      assert.match(cluster, /Controllers and workers: 1 and 2, from the machines/);
      assert.match(cluster, /Kubernetes v\d+\.\d+\.\d+/);
      await terminal.type('metal', { literal: true });
      await press(terminal, 'Enter', 'Enter');
      await terminal.waitForScreen('os', /4\/8 Operating system/);
      await press(terminal, 'Tab');
      await terminal.type(SYSEXT_SHA512, { literal: true });
      await press(terminal, 'Enter');
      await terminal.waitForScreen('networking', /5\/8 Networking/);
      await press(terminal, 'Enter', 'Enter');
      const access = await terminal.waitForScreen('access', /6\/8 Access[\s\S]*✔ the SSH identity/);
      assert.match(access, /◉ .*\.ssh\/id_ed25519\.pub/);
      assert.match(access, /SSH identity\s+◉ .*\.ssh\/id_ed25519\s/);
      // A key others can read is refused with --ssh-identity's words; fixed, and chosen again, it passes.
      await chmod(identity, 0o644);
      await press(terminal, 'Enter', 'Down');
      await terminal.waitForScreen('identity-other', /◉ another file: type its path/);
      await press(terminal, 'Up');
      const open = await terminal.waitForScreen(
        'identity-open',
        /✗ the SSH identity [\s\S]*can\s+be\s+read\s+by\s+others/,
      );
      assert.match(open.replace(/\s+/g, ' '), /\(mode 0644\): ssh refuses such a key; chmod 600 /);
      assert.doesNotMatch(open, /PRIVATE KEY|BEGIN/);
      await chmod(identity, 0o600);
      await press(terminal, 'Down', 'Up');
      await terminal.waitForScreen('identity-fixed', /✔ the SSH identity/);
      await press(terminal, 'Enter');
      await terminal.waitForScreen('updates', /7\/8 Updates/);
      await press(terminal, 'Enter', 'Enter');
      const review = await terminal.waitForScreen('review', /8\/8 Review/);
      assert.match(review, /cluster\.yaml \(new file\)/);
      assert.match(review, /platform: bare-metal/);
      assert.match(review, /Enter: write cluster\.yaml and install · w: write it only/);
      await assertPlain(terminal);
      await press(terminal, 'w');
      await terminal.waitForScreen('written', /strata: wrote cluster\.yaml[\s\S]*\[exited 0\]/, 120_000, EXITED);

      const parsed = parseClusterConfig(await readFile(join(session.dir, 'cluster.yaml'), 'utf8'), {
        hostNetworks: HOST_NETWORKS,
      });
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
      assert.equal(parsed.config.bareMetal?.bootServer.endpoint, bootUrl);
      assert.deepEqual(
        parsed.config.bareMetal?.machines.map((machine) => [machine.name, machine.mac, machine.role]),
        [
          ['ctl0', '52:54:00:a1:9c:01', 'controller'],
          ['wrk0', '52:54:00:a1:9c:02', 'worker'],
          ['wrk1', '52:54:00:a1:9c:03', 'worker'],
        ],
      );
      assert.deepEqual(parsed.config.sshAuthorizedKeys, [publicKey]);
      passed = true;
    } finally {
      await finish(t, session, passed);
    }
  });

  it('a bad CIDR inline; back from the review to change the worker count; the diff against the existing file', async (t) => {
    // The file a first run wrote: the same cluster, with the key of ~/.ssh the wizard offers first.
    const offered = [{ path: 'id_ed25519.pub', line: ED25519_PUBLIC_KEY }];
    const before = stateWith({ name: 'demo' }, testEnvironment({ offered }));
    const session = await startWizard(root, 'local', { existing: configYaml(before.answers) });
    const { terminal } = session;
    let passed = false;
    try {
      await press(terminal, 'Enter', 'Enter');
      // The existing file's answers are where the wizard starts.
      await terminal.waitForScreen('cluster', /3\/8 Cluster[\s\S]*› Name +demo/);
      await press(terminal, 'Enter', 'Enter', 'Enter', 'Enter', 'Enter');
      await terminal.waitForScreen('networking', /5\/8 Networking/);
      await terminal.type('C-u');
      await terminal.type('10.2.0.0/33', { literal: true });
      const bad = await terminal.waitForScreen('bad-cidr', /✗ networking\.podCidr has an invalid prefix length "\/33"/);
      const lines = bad.split('\n');
      const field = lines.findIndex((line) => /› Pod CIDR +10\.2\.0\.0\/33/.test(line));
      assert.match(lines[field + 1] ?? '', /✗ networking\.podCidr/, 'the error is beside its field');
      await assertPlain(terminal);
      // Enter does not leave a screen with a problem.
      await press(terminal, 'Enter', 'Enter');
      assert.match(await terminal.screen(), /5\/8 Networking/);
      await press(terminal, 'Tab');
      for (let count = 0; count < 3; count++) await terminal.type('BSpace');
      await terminal.type('/16', { literal: true });
      await terminal.waitForScreen('cidr-fixed', /Pod CIDR +10\.2\.0\.0\/16▏?\s*\n +Service CIDR/);
      await press(terminal, 'Enter', 'Enter', 'Enter', 'Enter', 'Enter');
      const same = await terminal.waitForScreen('review-same', /8\/8 Review/);
      assert.match(same, /cluster\.yaml exists and is the same/);

      // Esc, screen by screen, as a person goes back (two Escs at once would read as one Alt-Esc).
      for (const screen of ['7/8', '6/8', '5/8', '4/8']) {
        await terminal.type('Escape');
        await terminal.waitForScreen(`back-to-${screen.replace('/', '-')}`, new RegExp(screen));
      }
      await terminal.type('Escape');
      await terminal.waitForScreen('back-to-cluster', /3\/8 Cluster[\s\S]*Name +demo/);
      await press(terminal, 'Tab', 'Tab', 'Tab', 'BSpace');
      await terminal.type('2', { literal: true });
      await terminal.waitForScreen('workers-changed', /› Workers +2/);
      await press(terminal, 'Enter');
      // One Enter a field: OS 1, networking 2, access 1, updates 2.
      await enterThrough(terminal, OS_TO_UPDATES);
      const review = await terminal.waitForScreen('review-changed', /8\/8 Review[\s\S]*\+ adds/);
      assert.match(review, /cluster\.yaml exists; \+ adds, - removes \(2 lines\)/);
      assert.match(review, /\+ +count: 2/);
      assert.match(review, /- +count: 1/);
      await press(terminal, 'w');
      await terminal.waitForScreen('written', /strata: wrote cluster\.yaml[\s\S]*\[exited 0\]/, 120_000, EXITED);
      const parsed = parseClusterConfig(await readFile(join(session.dir, 'cluster.yaml'), 'utf8'), {
        hostNetworks: HOST_NETWORKS,
      });
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
      assert.equal(parsed.config.workerPools[0]?.count, 2);
      assert.equal(parsed.config.networking.podCidr, '10.2.0.0/16');
      passed = true;
    } finally {
      await finish(t, session, passed);
    }
  });

  it("a cloud: the zones chosen from the region's list with Space, the file holding those chosen", async (t) => {
    const session = await startWizard(root, 'aws');
    const { terminal } = session;
    let passed = false;
    try {
      await press(terminal, 'Down', 'Down');
      await terminal.waitForScreen('aws-chosen', /◉ aws/);
      await press(terminal, 'Enter');
      await terminal.waitForScreen('details', /2\/8 Platform details[\s\S]*Region +‹ us-east-1 ›/);
      await press(terminal, 'Right', 'Right');
      await terminal.waitForScreen('region', /Region +‹ us-west-2 ›/);
      await press(terminal, 'Tab');
      const zones = await terminal.waitForScreen('zones', /› Zones[\s\S]*› \[x\] us-west-2a/);
      assert.match(zones, /\[x\] us-west-2b\s*\n\s+\[x\] us-west-2c/);
      await assertPlain(terminal);
      await press(terminal, 'Down', 'Space');
      await terminal.waitForScreen('dropped', /› \[ \] us-west-2b/);
      // Every zone dropped: the schema's own message, and Enter does not leave the screen.
      await press(terminal, 'Up', 'Space', 'Down', 'Down', 'Space');
      const none = await terminal.waitForScreen('none', /✗ aws\.zones /);
      assert.match(none, /\[ \] us-west-2a[\s\S]*\[ \] us-west-2b[\s\S]*\[ \] us-west-2c/);
      // Enter moves on to the controller type, and from there does not leave the screen.
      await press(terminal, 'Enter', 'Enter');
      await terminal.waitForScreen('refused', /› Controller type/);
      assert.match(await terminal.screen(), /2\/8 Platform details/);
      await press(terminal, 'BTab', 'Space', 'Down', 'Down', 'Space');
      const chosen = await terminal.waitForScreen('chosen', /› \[x\] us-west-2c/);
      assert.match(chosen, /\[x\] us-west-2a\s*\n\s+\[ \] us-west-2b/);
      assert.doesNotMatch(chosen, /✗ aws\.zones/);
      await press(terminal, 'Enter', 'Enter');
      await terminal.waitForScreen('cluster', /3\/8 Cluster/);
      await terminal.type('cloud', { literal: true });
      // Name, base domain, controllers, workers, worker type.
      await press(terminal, 'Enter', 'Enter', 'Enter', 'Enter', 'Enter');
      await terminal.waitForScreen('os', /4\/8 Operating system/);
      await press(terminal, 'Tab');
      await terminal.type(SYSEXT_SHA512, { literal: true });
      await enterThrough(terminal, OS_TO_UPDATES);
      await terminal.waitForScreen('review', /8\/8 Review[\s\S]*Enter: write cluster\.yaml/);
      await press(terminal, 'w');
      await terminal.waitForScreen('written', /strata: wrote cluster\.yaml[\s\S]*\[exited 0\]/, 120_000, EXITED);
      const parsed = parseClusterConfig(await readFile(join(session.dir, 'cluster.yaml'), 'utf8'), {
        hostNetworks: HOST_NETWORKS,
      });
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
      assert.equal(parsed.config.aws?.region, 'us-west-2');
      assert.deepEqual(parsed.config.aws?.zones, ['us-west-2a', 'us-west-2c']);
      passed = true;
    } finally {
      await finish(t, session, passed);
    }
  });

  it("an existing file that does not parse: named in --config's words, defaults shown, the file left as it was", async (t) => {
    const text = configYaml(stateWith({ name: 'demo' }).answers).replace('10.2.0.0/16', '10.2.0.0/33');
    const session = await startWizard(root, 'unparsable', { existing: text });
    const { terminal } = session;
    let passed = false;
    try {
      const first = await terminal.waitForScreen('said', /does not parse[\s\S]*networking\.podCidr/);
      assert.match(
        first.replace(/\s+/g, ' '),
        /! cluster\.yaml exists but does not parse, so the wizard starts from its defaults/,
      );
      assert.match(first, /cluster\.yaml:\d+:\d+: networking\.podCidr has an invalid prefix length "\/33"/);
      await assertPlain(terminal);
      await press(terminal, 'Enter', 'Enter');
      await terminal.waitForScreen('defaults', /3\/8 Cluster[\s\S]*› Name +▏/);
      await terminal.type('C-c');
      await terminal.waitForScreen('asked', /\[y\/N\]/);
      await terminal.type('y', { literal: true });
      await terminal.waitForScreen('quit', /nothing was written[\s\S]*\[exited 1\]/, 120_000, EXITED);
      assert.equal(await readFile(join(session.dir, 'cluster.yaml'), 'utf8'), text);
      passed = true;
    } finally {
      await finish(t, session, passed);
    }
  });

  it('Ctrl-C in the middle asks, and quitting leaves no file behind', async (t) => {
    const session = await startWizard(root, 'quit');
    const { terminal } = session;
    let passed = false;
    try {
      await press(terminal, 'Enter', 'Enter');
      await terminal.waitForScreen('cluster', /3\/8 Cluster/);
      await terminal.type('half', { literal: true });
      await terminal.type('C-c');
      await terminal.waitForScreen('asked', /\? Quit the wizard\? Nothing has been written\. \[y\/N\]/);
      await terminal.type('n', { literal: true });
      await terminal.waitForScreen('went-on', /Name +half[\s\S]*Ctrl-C quit/);
      await terminal.type('C-c');
      await terminal.waitForScreen('asked-again', /\[y\/N\]/);
      await terminal.type('y', { literal: true });
      await terminal.waitForScreen(
        'quit',
        /the wizard was quit; nothing was written[\s\S]*\[exited 1\]/,
        30_000,
        EXITED,
      );
      assert.deepEqual(await readdir(session.dir), ['home']);
      passed = true;
    } finally {
      await finish(t, session, passed);
    }
  });
});
