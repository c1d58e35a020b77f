// `strata install` without --config where nobody can answer a wizard: it never
// prompts, exits 2 and names --config, and writes nothing.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runStrata } from '../testing/run-strata.ts';

describe('strata install without --config and without a terminal', () => {
  let cwd: string;

  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'strata-no-config-'));
  });

  after(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('exits 2 with a message naming --config, and writes nothing', async () => {
    const result = await runStrata(['install'], { cwd });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /no --config given, and no terminal to ask on: pass --config <cluster\.yaml>/);
    assert.deepEqual(await readdir(cwd), []);
  });

  it('with --json says so as a JSON error on stdout', async () => {
    const result = await runStrata(['install', '--json'], { cwd });
    assert.equal(result.code, 2);
    const error = JSON.parse(result.stdout.trim()) as { type: string; exitCode: number; error: string };
    assert.equal(error.type, 'error');
    assert.equal(error.exitCode, 2);
    assert.match(error.error, /--config/);
  });
});
