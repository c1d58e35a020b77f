// `npm test`: everything, in order, with one timing line per phase and one
// closing line for all tests. A phase that fails does not stop the others, so
// one run shows every problem; the exit code is non-zero if any phase failed.
import { spawn } from 'node:child_process';
import { glob, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ETCD_VERSION, ETCD_VERSIONS, resolveAllBinaries, resolveBinary, resolveEtcd } from '@strata/binaries';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const log = (line: string) => process.stdout.write(`${line}\n`);

interface Phase {
  readonly name: string;
  readonly seconds: number;
  readonly ok: boolean;
}
const phases: Phase[] = [];

async function phase(name: string, work: () => Promise<boolean>): Promise<boolean> {
  log(`\n=== ${name}`);
  const started = performance.now();
  let ok: boolean;
  try {
    ok = await work();
  } catch (error) {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    ok = false;
  }
  const seconds = (performance.now() - started) / 1000;
  phases.push({ name, seconds, ok });
  log(`[timing] ${name}: ${seconds.toFixed(1)}s ${ok ? 'ok' : 'FAILED'}`);
  return ok;
}

/** Runs a command with its output kept, for phases that run side by side and print one after another. */
function runQuietly(command: string, args: readonly string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ok: code === 0, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

/**
 * The static checks read the tree and write nothing, so they run side by side; each phase still prints its
 * own output and its own time (which then overlap).
 */
async function staticChecks(checks: readonly { name: string; command: string; args: readonly string[] }[]) {
  const started = performance.now();
  const results = await Promise.all(
    checks.map(async (check) => {
      const result = await runQuietly(check.command, check.args).catch((error: unknown) => ({
        ok: false,
        output: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }));
      return { ...check, ...result, seconds: (performance.now() - started) / 1000 };
    }),
  );
  for (const { name, ok, output, seconds } of results) {
    log(`\n=== ${name}`);
    if (output.length > 0) process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
    phases.push({ name, seconds, ok });
    log(`[timing] ${name}: ${seconds.toFixed(1)}s ${ok ? 'ok' : 'FAILED'}`);
  }
  log(`[timing] static checks side by side: ${((performance.now() - started) / 1000).toFixed(1)}s`);
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env });
    child.on('error', reject);
    child.on('close', (code) => resolve(code === 0));
  });
}

async function testFiles(): Promise<{ unit: string[]; integration: string[] }> {
  const files: string[] = [];
  const patterns = ['**/*.test.ts', '**/*.test.tsx'];
  for await (const file of glob(patterns, {
    cwd: root,
    exclude: (name) => name === 'node_modules' || name === '.git',
  })) {
    files.push(file);
  }
  files.sort();
  return {
    unit: files.filter((file) => !/\.integration\.test\.tsx?$/.test(file)),
    integration: files.filter((file) => /\.integration\.test\.tsx?$/.test(file)),
  };
}

interface Totals {
  passed: number;
  failed: number;
  skipped: number;
  todo: number;
}
const totals: Totals = { passed: 0, failed: 0, skipped: 0, todo: 0 };

/** The counts count-reporter.ts wrote, checked field by field (the root package has no zod to parse them with). */
function parseTotals(text: string, path: string): Totals {
  const value: unknown = JSON.parse(text);
  const count = (key: keyof Totals): number => {
    const field = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    if (typeof field !== 'number' || !Number.isInteger(field) || field < 0)
      throw new Error(`${path}: ${key} is not a count: ${text}`);
    return field;
  };
  return { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), todo: count('todo') };
}

async function nodeTest(files: readonly string[], extraArgs: readonly string[]): Promise<boolean> {
  if (files.length === 0) return true;
  const scratch = await mkdtemp(join(tmpdir(), 'strata-test-counts-'));
  const counts = join(scratch, 'counts.json');
  try {
    const ok = await run(process.execPath, [
      // `.tsx` (the Ink screens) needs this hook; `.ts` stays with Node's type stripping (docs/adr/0011-tsx.md).
      '--import=@strata/tsx/register',
      '--test',
      '--test-timeout=180000',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      `--test-reporter=${join(root, 'scripts/lib/count-reporter.ts')}`,
      `--test-reporter-destination=${counts}`,
      ...extraArgs,
      ...files,
    ]);
    const counted = parseTotals(await readFile(counts, 'utf8'), counts);
    totals.passed += counted.passed;
    totals.failed += counted.failed;
    totals.skipped += counted.skipped;
    totals.todo += counted.todo;
    // A file that crashes before its tests run counts as a failure too.
    if (!ok && counted.failed === 0) totals.failed += 1;
    return ok;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

log(`Strata tests on Node ${process.version} (${process.execPath})`);
const { unit, integration } = await testFiles();

await phase('binaries (control plane, pulumi, etcd releases, minio, butane, matchbox)', async () => {
  // Pulumi is no control-plane component, but the bare-metal platform's tests run its engine: build it once, here.
  // So are the other etcd releases (etcd pods of the local platform), MinIO (the S3-compatible store of tests),
  // Butane (the boot server's templates) and matchbox (the boot server's differential test): a cold build here,
  // never inside a test's time limit.
  const paths: Record<string, string> = {
    ...(await resolveAllBinaries()),
    pulumi: await resolveBinary('pulumi'),
    minio: await resolveBinary('minio'),
    butane: await resolveBinary('butane'),
    matchbox: await resolveBinary('matchbox'),
  };
  for (const version of ETCD_VERSIONS) {
    if (version !== ETCD_VERSION) paths[`etcd ${version}`] = (await resolveEtcd(version)).etcd;
  }
  for (const [name, path] of Object.entries(paths))
    log(`  ${name}: ${relative(root, path).startsWith('..') ? path : relative(root, path)}`);
  return true;
});
await staticChecks([
  { name: 'typecheck', command: process.execPath, args: [join(root, 'scripts/typecheck.ts')] },
  { name: 'lint', command: bin('eslint'), args: ['--max-warnings=0', '.'] },
  {
    name: 'format (prettier --check; `npm run format` fixes)',
    command: bin('prettier'),
    args: ['--check', '--log-level=warn', '.'],
  },
]);
// Two files at a time: most unit files wait on child processes (the CLI, Pulumi's engine) more than they compute.
await phase(`unit tests (${unit.length} files)`, () => nodeTest(unit, ['--test-concurrency=2']));
await phase(`integration tests (${integration.length} files, real control plane)`, () =>
  // One file at a time: local clusters use fixed loopback addresses (127.0.0.2-4), and the files share one control plane.
  nodeTest(integration, ['--test-concurrency=1', `--test-global-setup=${join(root, 'harness/src/global-setup.ts')}`]),
);

log('\n=== summary');
for (const { name, seconds, ok } of phases)
  log(`  ${ok ? 'ok    ' : 'FAILED'} ${seconds.toFixed(1).padStart(7)}s  ${name}`);
const skipped = totals.skipped + totals.todo;
log(`tests: ${totals.passed} passed, ${totals.failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exitCode = phases.every((p) => p.ok) ? 0 : 1;
