import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundleNodeProgram, NodeBundleError } from './node-bundle.ts';

const run = promisify(execFile);

/** A program of two TypeScript modules and a CommonJS dependency that requires a built-in module. */
async function aProgram(): Promise<{ dir: string; entry: string; greeting: string; cacheRoot: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-bundle-test-'));
  const entry = join(dir, 'main.ts');
  const greeting = join(dir, 'greeting.ts');
  await writeFile(
    entry,
    "import { greet } from './greeting.ts';\nimport { hostLabel } from './host.cjs';\nconst name: string = process.argv[2] ?? 'world';\nconsole.log(greet(name), hostLabel());\n",
  );
  await writeFile(greeting, 'export const greet = (name: string): string => `hello ${name}`;\n');
  await writeFile(
    join(dir, 'host.cjs'),
    "const os = require('node:os');\nexports.hostLabel = () => typeof os.hostname();\n",
  );
  return { dir, entry, greeting, cacheRoot: join(dir, 'cache') };
}

/** Runs `test` against a fresh program, removed afterwards. */
async function withProgram(test: (program: Awaited<ReturnType<typeof aProgram>>) => Promise<void>): Promise<void> {
  const program = await aProgram();
  try {
    await test(program);
  } finally {
    await rm(program.dir, { recursive: true, force: true });
  }
}

describe('a program bundled as its pods run it', () => {
  it('runs as one file of plain JavaScript, the CommonJS dependencies included', () =>
    withProgram(async (program) => {
      const bundle = await bundleNodeProgram({ name: 'greeter', entry: program.entry, cacheRoot: program.cacheRoot });
      assert.match(bundle, /\/bundles\/greeter-[0-9a-f]{12}\/greeter\.mjs$/);
      assert.ok(bundle.startsWith(join(program.cacheRoot, 'bundles')), bundle);
      const { stdout } = await run(process.execPath, [bundle, 'strata']);
      assert.equal(stdout, 'hello strata string\n');
      assert.doesNotMatch(await readFile(bundle, 'utf8'), /: string/, 'the types are gone');
    }));

  it('is built once while its inputs are unchanged, and again when one of them changes', () =>
    withProgram(async (program) => {
      const options = { name: 'greeter', entry: program.entry, cacheRoot: program.cacheRoot };
      const bundle = await bundleNodeProgram(options);
      const first = await stat(bundle);
      // Another process finds the cached bundle by its inputs' hashes: a new cache key in this one stands for it.
      const again = await bundleNodeProgram({ ...options, cacheRoot: `${program.cacheRoot}/.` });
      assert.equal((await stat(again)).mtimeMs, first.mtimeMs, 'rebuilt although no input changed');

      await writeFile(program.greeting, 'export const greet = (name: string): string => `hi ${name}`;\n');
      const rebuilt = await bundleNodeProgram({ ...options, cacheRoot: `${program.cacheRoot}/./` });
      const { stdout } = await run(process.execPath, [rebuilt, 'strata']);
      assert.equal(stdout, 'hi strata string\n');
    }));

  it('is rebuilt when the bundle in the cache was changed', () =>
    withProgram(async (program) => {
      const options = { name: 'greeter', entry: program.entry, cacheRoot: program.cacheRoot };
      const bundle = await bundleNodeProgram(options);
      await writeFile(bundle, 'console.log("tampered")\n');
      const rebuilt = await bundleNodeProgram({ ...options, cacheRoot: `${program.cacheRoot}/.` });
      const { stdout } = await run(process.execPath, [rebuilt, 'strata']);
      assert.equal(stdout, 'hello strata string\n');
    }));

  it('fails naming the program and the file and line that esbuild could not read', () =>
    withProgram(async (program) => {
      await writeFile(program.greeting, 'export const greet = (name: string) => {\n');
      await assert.rejects(
        bundleNodeProgram({ name: 'broken', entry: program.entry, cacheRoot: program.cacheRoot }),
        (error: unknown) =>
          error instanceof NodeBundleError &&
          /esbuild could not bundle broken from .*main\.ts: .*greeting\.ts:2: /.test(error.message),
      );
      await assert.rejects(
        bundleNodeProgram({ name: 'relative', entry: 'main.ts', cacheRoot: program.cacheRoot }),
        /the entry of relative must be an absolute path/,
      );
    }));
});
