import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AssetDefinition } from './asset.ts';
import { applyRenderPlan, AssetGraphError, HandEditedFilesError, planRender } from './engine.ts';

interface Input {
  readonly greeting: string;
  readonly audience: string;
  readonly extra: boolean;
}

const input = (overrides: Partial<Input> = {}): Input => ({
  greeting: 'hello',
  audience: 'world',
  extra: false,
  ...overrides,
});

/**
 * A small graph with the shape of the real one: a "key" made at random once
 * and reused, a file derived from it and the config, and an optional asset.
 */
function graph(current: Input): AssetDefinition<Input>[] {
  const assets: AssetDefinition<Input>[] = [
    {
      id: 'key',
      dependsOn: [],
      revision: 1,
      inputs: () => ({}),
      generate: (context) =>
        context.previous?.files ?? [{ path: 'secret/key', contents: randomBytes(8).toString('hex'), mode: 0o600 }],
    },
    {
      id: 'greeting',
      dependsOn: ['key'],
      revision: 1,
      inputs: (i) => ({ greeting: i.greeting }),
      generate: (context) => [
        {
          path: 'greeting.txt',
          contents: `${context.input.greeting} signed ${context.dependency('key').contents('secret/key')}`,
          mode: 0o644,
        },
      ],
    },
    {
      id: 'letter',
      dependsOn: ['greeting'],
      revision: 1,
      inputs: (i) => ({ audience: i.audience }),
      generate: (context) => [
        {
          path: 'letter.txt',
          contents: `${context.dependency('greeting').contents('greeting.txt')}, ${context.input.audience}`,
          mode: 0o644,
        },
      ],
    },
  ];
  if (current.extra)
    assets.push({
      id: 'extra',
      dependsOn: [],
      revision: 1,
      inputs: () => ({}),
      generate: () => [{ path: 'extra.txt', contents: 'extra', mode: 0o644 }],
    });
  return assets;
}

async function render(dir: string, current: Input, force = false) {
  const plan = await planRender({ dir, assets: graph(current), input: current });
  await applyRenderPlan(plan, { force });
  return plan;
}

describe('asset graph rendering', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-render-engine-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes everything once, then nothing when the input is unchanged, keeping the key', async () => {
    const first = await render(dir, input());
    assert.deepEqual(first.writes.map((f) => f.path).sort(), ['greeting.txt', 'letter.txt', 'secret/key']);
    const key = await readFile(join(dir, 'secret/key'), 'utf8');
    assert.equal((await stat(join(dir, 'secret/key'))).mode & 0o777, 0o600);

    const second = await render(dir, input());
    assert.deepEqual(second.writes, []);
    assert.deepEqual(second.regenerated, []);
    assert.equal(await readFile(join(dir, 'secret/key'), 'utf8'), key);
  });

  it('regenerates only what depends on a changed input', async () => {
    await render(dir, input());
    const plan = await render(dir, input({ audience: 'Strata' }));
    assert.deepEqual(plan.regenerated, ['letter']);
    assert.deepEqual(
      plan.writes.map((f) => f.path),
      ['letter.txt'],
    );
    assert.match(await readFile(join(dir, 'letter.txt'), 'utf8'), /, Strata$/);

    const upstream = await render(dir, input({ audience: 'Strata', greeting: 'hi' }));
    assert.deepEqual(upstream.regenerated, ['greeting', 'letter']);
  });

  it('keeps a hand edit of a file whose inputs did not change, and tells', async () => {
    await render(dir, input());
    await writeFile(join(dir, 'letter.txt'), 'edited by hand');
    const plan = await render(dir, input());
    assert.deepEqual(plan.keptEdits, ['letter.txt']);
    assert.deepEqual(plan.writes, []);
    assert.equal(await readFile(join(dir, 'letter.txt'), 'utf8'), 'edited by hand');
  });

  it('refuses to overwrite a hand edit without force, and writes nothing at all', async () => {
    await render(dir, input());
    await writeFile(join(dir, 'letter.txt'), 'edited by hand');
    const greetingBefore = await readFile(join(dir, 'greeting.txt'), 'utf8');
    await assert.rejects(render(dir, input({ greeting: 'hi', audience: 'Strata' })), (error: unknown) => {
      assert.ok(error instanceof HandEditedFilesError);
      assert.deepEqual(error.context['files'], ['letter.txt']);
      assert.match(error.message, /--force/);
      return true;
    });
    assert.equal(await readFile(join(dir, 'greeting.txt'), 'utf8'), greetingBefore, 'no other file was written either');

    await render(dir, input({ greeting: 'hi', audience: 'Strata' }), true);
    assert.match(await readFile(join(dir, 'letter.txt'), 'utf8'), /^hi signed .*, Strata$/);
  });

  it("treats a file it did not write as the user's", async () => {
    await writeFile(join(dir, 'greeting.txt'), 'mine');
    const plan = await planRender({ dir, assets: graph(input()), input: input() });
    assert.deepEqual(plan.conflicts, ['greeting.txt']);
  });

  it('rewrites a file that was deleted, with the same key', async () => {
    await render(dir, input());
    const key = await readFile(join(dir, 'secret/key'), 'utf8');
    await rm(join(dir, 'letter.txt'));
    const plan = await render(dir, input());
    assert.deepEqual(
      plan.writes.map((f) => f.path),
      ['letter.txt'],
    );
    assert.equal(await readFile(join(dir, 'secret/key'), 'utf8'), key);
  });

  it('deletes the files of an asset that is gone', async () => {
    await render(dir, input({ extra: true }));
    const plan = await render(dir, input({ extra: false }));
    assert.deepEqual(plan.deletes, ['extra.txt']);
    await assert.rejects(readFile(join(dir, 'extra.txt')));
  });

  it('rejects cycles and undeclared dependencies', async () => {
    const cyclic: AssetDefinition<Input>[] = [
      { id: 'a', dependsOn: ['b'], revision: 1, inputs: () => ({}), generate: () => [] },
      { id: 'b', dependsOn: ['a'], revision: 1, inputs: () => ({}), generate: () => [] },
    ];
    await assert.rejects(planRender({ dir, assets: cyclic, input: input() }), /dependency cycle: a → b → a/);
    const sneaky: AssetDefinition<Input>[] = [
      { id: 'a', dependsOn: [], revision: 1, inputs: () => ({}), generate: () => [] },
      { id: 'b', dependsOn: [], revision: 1, inputs: () => ({}), generate: (context) => context.dependency('a').files },
    ];
    await assert.rejects(planRender({ dir, assets: sneaky, input: input() }), AssetGraphError);
  });
});
