import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLayers, importsOf, isTestCode, parseLayers, type Layer } from './layers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the layering of docs/architecture.md', () => {
  it('holds for the whole tree', async () => {
    const layers = parseLayers(await readFile(join(ROOT, 'docs/architecture.md'), 'utf8'));
    const violations = await checkLayers(ROOT, layers);
    assert.deepEqual(
      violations.map((violation) => `${violation.file}: ${violation.message}`),
      [],
    );
  });
});

interface PackageSpec {
  readonly dir: string;
  readonly name: string;
  readonly exports?: Record<string, string>;
  readonly dependencies?: readonly string[];
  readonly devDependencies?: readonly string[];
  readonly files?: Record<string, string>;
}

/** A throw-away workspace with the given packages, for checking the checker. */
async function aWorkspace(packages: readonly PackageSpec[]): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'strata-layers-'));
  await writeFile(
    join(root, 'package.json'),
    JSON.stringify({ name: 'root', workspaces: packages.map((pkg) => pkg.dir) }),
  );
  for (const pkg of packages) {
    const versions = (names: readonly string[] = []) => Object.fromEntries(names.map((name) => [name, '^0.1.0']));
    await mkdir(join(root, pkg.dir), { recursive: true });
    await writeFile(
      join(root, pkg.dir, 'package.json'),
      JSON.stringify({
        name: pkg.name,
        exports: pkg.exports ?? { '.': './src/index.ts' },
        dependencies: versions(pkg.dependencies),
        devDependencies: versions(pkg.devDependencies),
      }),
    );
    for (const [path, text] of Object.entries(pkg.files ?? { 'src/index.ts': 'export {};\n' })) {
      await mkdir(dirname(join(root, pkg.dir, path)), { recursive: true });
      await writeFile(join(root, pkg.dir, path), text);
    }
  }
  return root;
}

const LAYERS: Layer[] = parseLayers(
  ['```layers', '0: @t/low', '1: @t/harness (tests only)', '2: @t/mid @t/side', '3: @t/top', '```'].join('\n'),
);

describe('checkLayers', () => {
  const roots: string[] = [];
  after(async () => {
    for (const root of roots) await rm(root, { recursive: true, force: true });
  });
  const check = async (packages: readonly PackageSpec[]) => {
    const root = await aWorkspace(packages);
    roots.push(root);
    return (await checkLayers(root, LAYERS)).map((violation) => `${violation.file}: ${violation.message}`);
  };
  const base: PackageSpec[] = [
    {
      dir: 'low',
      name: '@t/low',
      exports: { '.': './src/index.ts', './testing': './src/testing/index.ts' },
      files: { 'src/index.ts': 'export const a = 1;\n', 'src/testing/index.ts': 'export const t = 1;\n' },
    },
    { dir: 'harness', name: '@t/harness' },
    { dir: 'side', name: '@t/side', exports: { '.': './src/index.ts', './testing': './src/testing/index.ts' } },
    { dir: 'top', name: '@t/top' },
  ];
  const withMid = (mid: Omit<PackageSpec, 'dir' | 'name'>) => [...base, { dir: 'mid', name: '@t/mid', ...mid }];

  it('accepts imports of lower layers, and tests that use the harness and a same-layer package’s test helpers', async () => {
    assert.deepEqual(
      await check(
        withMid({
          dependencies: ['@t/low'],
          devDependencies: ['@t/harness', '@t/side'],
          files: {
            'src/index.ts': "import { a } from '@t/low';\nexport const b = a;\n",
            'src/index.test.ts':
              "import '@t/harness';\nimport '@t/side/testing';\nimport '@t/low/testing';\nimport './index.ts';\n",
          },
        }),
      ),
      [],
    );
  });

  it('refuses production imports of the same or a higher layer, and of the tests-only layer', async () => {
    const found = await check(
      withMid({
        dependencies: ['@t/side', '@t/top', '@t/harness'],
        files: { 'src/index.ts': "import '@t/side';\nimport '@t/top';\nimport '@t/harness';\n" },
      }),
    );
    assert.equal(
      found.filter(
        (line) => line.startsWith('mid/src/index.ts') && line.includes('production code may import only lower layers'),
      ).length,
      3,
    );
    assert.equal(
      found.filter((line) => line.startsWith('mid/package.json') && line.includes('in production')).length,
      3,
    );
  });

  it('refuses a test that imports a same-layer package’s production entry', async () => {
    const found = await check(
      withMid({ devDependencies: ['@t/side'], files: { 'src/index.ts': '', 'src/x.test.ts': "import '@t/side';\n" } }),
    );
    assert.deepEqual(found, [
      "mid/src/x.test.ts: a test of @t/mid (layer 2) imports @t/side (layer 2); tests may use lower layers and any package's public test helpers (its ./testing entry)",
    ]);
  });

  it('refuses deep imports, undeclared dependencies and relative imports into another package', async () => {
    const found = await check(
      withMid({
        dependencies: [],
        files: {
          'src/index.ts': "import '@t/low/src/index.ts';\nimport '@t/low';\nimport '../../low/src/index.ts';\n",
        },
      }),
    );
    assert.deepEqual(found, [
      'mid/src/index.ts: imports @t/low/src/index.ts, which is not a public entry point of @t/low (exports: ., ./testing)',
      'mid/src/index.ts: imports @t/low, which mid/package.json does not declare in dependencies',
      "mid/src/index.ts: imports ../../low/src/index.ts, outside its package: use the other package's public entry point",
    ]);
  });

  it('refuses a workspace package that is in no layer', async () => {
    const found = await check([...base, { dir: 'mid', name: '@t/mid' }, { dir: 'stray', name: '@t/stray' }]);
    assert.deepEqual(found, ['stray/package.json: @t/stray is in no layer of docs/architecture.md']);
  });
});

describe('importsOf and isTestCode', () => {
  it('finds static, type-only, re-exported and dynamic imports', () => {
    const source =
      "import a from 'x';\nimport type { B } from 'y';\nexport * from './z.ts';\nconst c = await import('w');\n";
    assert.deepEqual(importsOf(source).sort(), ['./z.ts', 'w', 'x', 'y']);
  });

  it('tells test code from production code by name and folder', () => {
    assert.deepEqual(
      [
        'src/a.test.ts',
        'src/a.integration.test.ts',
        'src/testing/index.ts',
        'bench/x.bench.ts',
        'src/drain/test-fixtures.ts',
        'src/a.ts',
        'bin/strata.js',
      ].map(isTestCode),
      [true, true, true, true, true, false, false],
    );
  });
});
