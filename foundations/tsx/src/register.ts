// Node strips the types from `.ts` itself but cannot parse JSX, so a `.tsx` module would fail to load. This hook
// compiles `.tsx` files alone with esbuild and hands every other URL straight back to Node, so `.ts` keeps Node's
// own type stripping and costs one string check. See docs/adr/0011-tsx.md.
import { readFileSync } from 'node:fs';
import { createRequire, registerHooks, setSourceMapsSupport } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Esbuild from 'esbuild';

// esbuild is loaded on the first `.tsx`, not here: every `strata` command and every test process registers this
// hook, and loading esbuild up front cost about 60 ms each even where no `.tsx` is ever imported.
type EsbuildApi = typeof Esbuild;
let esbuild: EsbuildApi | undefined;
const loadEsbuild = (): EsbuildApi => (esbuild ??= createRequire(import.meta.url)('esbuild') as EsbuildApi);

// The compiled code carries an inline source map; without this, stack traces would point into esbuild's output.
setSourceMapsSupport(true);

registerHooks({
  load(url, context, nextLoad) {
    if (!url.startsWith('file:') || !url.includes('.tsx')) return nextLoad(url, context);
    const path = fileURLToPath(url);
    if (!path.endsWith('.tsx')) return nextLoad(url, context);
    const { code } = loadEsbuild().transformSync(readFileSync(path, 'utf8'), {
      loader: 'tsx',
      jsx: 'automatic',
      format: 'esm',
      sourcemap: 'inline',
      sourcefile: path,
      // As Node's type stripping does for `.ts`: an import not marked `type` stays, side effects and all.
      tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
    });
    return { format: 'module', source: code, shortCircuit: true };
  },
});
