// Issue 16's "done when": from `strata up`, a new user signs in to the console it serves with the console-token and
// watches an OS rollout live. Debian's Chromium (playwright-core, no browser download) trusts the console's serving
// key alone (pinned), signs in on /login, opens OS updates, and stays on that page while `strata update promote`
// rolls the nodes forward: every state the page shows is recorded by a MutationObserver in the page, without a
// reload. Runs a local cluster: take the shared address lock (see the repository's test notes).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '@strata/host';
import { chromium, type Browser } from 'playwright-core';
import { STRATA, startStrataUp } from '../testing/strata-up-process.ts';

const CHROMIUM = '/usr/bin/chromium';
const INITIAL = '4230.2.3';
const VERSION = '4230.2.4';

// The page's globals, as far as the callback run in Chromium below uses them: this project has Node's types only.
declare const document: {
  readonly body: unknown;
  querySelectorAll(selector: string): Iterable<{
    readonly textContent: string | null;
    closest(selector: string): { getAttribute(name: string): string | null } | null;
  }>;
};
declare const MutationObserver: new (callback: () => void) => {
  observe(target: unknown, options: Readonly<Record<string, boolean>>): void;
};
declare function strataSawState(node: string, state: string): void;

const log = (line: string): void => {
  process.stderr.write(`# ${line}\n`);
};

/** The base64 SHA-256 of a certificate's SubjectPublicKeyInfo, as Chromium pins it. */
function spkiPin(certificatePem: string): string {
  const spki = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

describe('the console that strata up serves', () => {
  const dirs: string[] = [];
  let browser: Browser | undefined;
  after(async () => {
    await browser?.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('lets a new user sign in with the console-token and watch an OS rollout live', { timeout: 540_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-up-console-'));
    dirs.push(dir);
    const up = await startStrataUp(dir);
    const { ready } = up;
    try {
      assert.equal(ready.console, 'https://127.0.0.1:8443');

      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
          `--ignore-certificate-errors-spki-list=${spkiPin(await readFile(join(dir, 'console', 'serving.crt'), 'utf8'))}`,
        ],
      });
      const context = await browser.newContext({ baseURL: ready.console });
      const page = await context.newPage();
      await page.goto('/');
      await page.waitForURL('**/login');
      await page.getByLabel('Bearer token').fill((await readFile(ready.consoleToken, 'utf8')).trim());
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL('**/nodes');
      await page.getByRole('link', { name: 'OS updates' }).click();
      await page.waitForURL('**/updates');
      const stateCell = (node: string) => `tr[data-node="${node}"] td[data-column="state"]`;
      for (const node of ready.nodes) {
        await page.locator(stateCell(node), { hasText: `On ${INITIAL}` }).waitFor({ timeout: 120_000 });
      }

      // From here on the page is only watched: every state a node's row shows, in order, with no navigation.
      const seen = new Map<string, string[]>(ready.nodes.map((node) => [node, []]));
      await page.exposeFunction('strataSawState', (node: string, state: string) => {
        const states = seen.get(node);
        if (states !== undefined && states.at(-1) !== state) states.push(state);
      });
      let navigations = 0;
      page.on('framenavigated', () => (navigations += 1));
      await page.evaluate(() => {
        const report = () => {
          for (const cell of document.querySelectorAll('tr[data-node] td[data-column="state"]')) {
            const node = cell.closest('tr')?.getAttribute('data-node');
            if (node !== null && node !== undefined) strataSawState(node, cell.textContent ?? '');
          }
        };
        report();
        new MutationObserver(report).observe(document.body, { childList: true, subtree: true, characterData: true });
      });

      const promoted = await runCommand(
        process.execPath,
        [STRATA, 'update', 'promote', VERSION, '--channel', 'stable', '--dir', dir],
        { env: { ...process.env, KUBECONFIG: '' } },
      );
      assert.equal(promoted.code, 0, promoted.stderr);
      const promotedAt = performance.now();
      for (const node of ready.nodes) {
        await page
          .locator(stateCell(node), { hasText: new RegExp(`^(Back on|On) ${VERSION.replaceAll('.', '\\.')}$`) })
          .waitFor({ timeout: 300_000 });
      }
      log(
        `the page showed every node on ${VERSION} ${((performance.now() - promotedAt) / 1000).toFixed(1)} s after the promotion`,
      );
      for (const [node, states] of seen) log(`${node}: ${states.join(' → ')}`);
      assert.equal(navigations, 0, 'the page was never reloaded');
      for (const [node, states] of seen) {
        assert.equal(states[0], `On ${INITIAL}`, `${node} started on ${INITIAL}`);
        assert.ok(states.includes('Rebooting'), `${node}'s reboot was shown live: ${states.join(' → ')}`);
      }

      // The update server's pages, asked of the cluster's own update server with the same user's token (ADR 0066):
      // strata up gave the console its URL and the cluster CA, and the user may read channels and groups.
      // Those pages are live (ADR 0073): the cluster's update server restarted with the first controller during the
      // rollout, and the page follows its change feed once it answers again, with no reload.
      await page.getByRole('link', { name: 'Update server' }).first().click();
      await page.waitForURL('**/updates/server');
      // A reload would replace the document: a mark set on this one must still be there at the end. (Counting
      // framenavigated here raced with Next.js committing the link's URL a second time, under load.)
      await page.evaluate(() => {
        (globalThis as unknown as { strataSameDocument?: boolean }).strataSameDocument = true;
      });
      const stableVersion = page.locator('tr[data-channel="stable"] td[data-column="version"]', { hasText: VERSION });
      try {
        await stableVersion.first().waitFor({ timeout: 120_000 });
      } catch (error) {
        const shown = (await page.locator('main').textContent()) ?? '';
        throw new Error(
          `${error instanceof Error ? error.message : String(error)}; the page said: ${shown.slice(0, 1500)}`,
          { cause: error },
        );
      }
      assert.equal(
        await page.evaluate(
          () => (globalThis as unknown as { strataSameDocument?: boolean }).strataSameDocument === true,
        ),
        true,
        'the update server page showed the promotion without a reload',
      );
      assert.match(page.url(), /\/updates\/server$/);
      const group = page.locator('article[data-group]', {
        has: page.locator('dd[data-field="channel"]', { hasText: /^stable$/ }),
      });
      await group.first().getByRole('heading').getByRole('link').click();
      await page.waitForURL('**/updates/server/groups/**');
      await page.locator('table[data-testid="machines"]').waitFor();
      assert.equal(
        await page.locator('table[data-testid="machines"] tbody tr').count(),
        ready.nodes.length,
        'every node checked in with the cluster update server',
      );
      assert.equal(await page.getByRole('form', { name: /^Promote a release/ }).count(), 0, 'the user may not promote');
      await context.close();
    } finally {
      const code = await up.stop();
      assert.equal(code, 0, `strata up stopped cleanly:\n${up.stderr().slice(-2000)}`);
    }
  });
});
