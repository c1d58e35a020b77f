// Strata's own programs as their pods run them: one JavaScript file per
// program, bundled by esbuild from the TypeScript sources and their
// dependencies, and cached outside the clone like the Go binaries. A program
// run from its sources loads hundreds of modules, strips the types of each
// (Node's type stripping keeps a WebAssembly compiler resident) and keeps every
// module's source text; the bundle is one module of plain JavaScript. For the
// update operator that is about 80 MiB less resident memory per replica
// (ADR 0077).
//
// A bundle is valid while every file it was built from has the SHA-256 it had
// then: the list of inputs comes from esbuild's own metafile, so what was
// bundled is exactly what is checked. esbuild's output depends only on its
// inputs and options, so two processes that build the same program at once
// write the same bytes, and each write is a rename.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { defaultCacheRoot } from './cache.ts';
import { sha256File } from './checksum.ts';
import { BinaryResolutionError } from './errors.ts';

/** A program could not be bundled. `context`: the program, its entry, and esbuild's messages. */
export class NodeBundleError extends BinaryResolutionError {}

export interface NodeBundleOptions {
  /** The program's name, which names its directory in the cache: `update-operator`. */
  readonly name: string;
  /** The program's entry point, an absolute path to a `.ts` or `.js` file. */
  readonly entry: string;
  /** Defaults to $STRATA_CACHE_DIR, else $XDG_CACHE_HOME/strata, else ~/.cache/strata; under it, `bundles/<name>-<entry's hash>/`. */
  readonly cacheRoot?: string;
}

const manifestSchema = z.object({
  esbuild: z.string(),
  entry: z.string(),
  options: z.string(),
  output: z.string().regex(/^[0-9a-f]{64}$/),
  inputs: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
});
type Manifest = z.infer<typeof manifestSchema>;

/** The subset of esbuild's API used here, typed where it is loaded (esbuild is loaded only when a bundle is built). */
interface EsbuildApi {
  readonly version: string;
  build(options: Record<string, unknown>): Promise<{
    readonly errors: readonly { readonly text: string }[];
    readonly metafile?: { readonly inputs: Readonly<Record<string, unknown>> };
  }>;
}

// The CommonJS dependencies of an ES module bundle still call require() for Node's built-in modules.
const BANNER =
  "import { createRequire as __strataCreateRequire } from 'node:module';\nconst require = __strataCreateRequire(import.meta.url);";

/** What decides the bytes besides the inputs: a change here rebuilds every bundle. */
const BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22.18',
  // Not minified: a stack trace names the functions, and the `// path` comments say which source each part came from.
  // Minifying saved no resident memory (measured in ADR 0077).
  minify: false,
  legalComments: 'none',
  banner: { js: BANNER },
  logLevel: 'silent',
} as const;

const built = new Map<string, Promise<string>>();

/**
 * The path of the program's bundle, built now if the cache holds none whose inputs are unchanged. Concurrent calls for
 * one program in this process share one build.
 */
export function bundleNodeProgram(options: NodeBundleOptions): Promise<string> {
  if (!isAbsolute(options.entry))
    return Promise.reject(
      new NodeBundleError(`the entry of ${options.name} must be an absolute path`, {
        program: options.name,
        entry: options.entry,
      }),
    );
  const cacheRoot = options.cacheRoot ?? defaultCacheRoot(process.env);
  const key = `${cacheRoot}\0${options.name}\0${options.entry}`;
  let bundle = built.get(key);
  if (bundle === undefined) {
    bundle = bundleOnce(options.name, options.entry, cacheRoot);
    built.set(key, bundle);
    // A failure is not remembered: the next call tries again.
    bundle.catch(() => built.delete(key));
  }
  return bundle;
}

async function bundleOnce(name: string, entry: string, cacheRoot: string): Promise<string> {
  // One directory per entry: two checkouts (worktrees) that bundle the same program at once must not swap bundles.
  const directory = join(
    cacheRoot,
    'bundles',
    `${name}-${createHash('sha256').update(entry).digest('hex').slice(0, 12)}`,
  );
  const output = join(directory, `${name}.mjs`);
  const manifestPath = join(directory, 'inputs.json');
  const esbuild = loadEsbuild();
  const options = JSON.stringify(BUILD_OPTIONS);
  if (await isCurrent(manifestPath, output, { esbuild: esbuild.version, entry, options })) return output;

  await mkdir(directory, { recursive: true });
  const temporary = `${output}.${process.pid}.${Date.now()}.tmp`;
  const workingDirectory = dirname(entry);
  let result: Awaited<ReturnType<EsbuildApi['build']>>;
  try {
    result = await esbuild.build({
      ...BUILD_OPTIONS,
      entryPoints: [entry],
      outfile: temporary,
      absWorkingDir: workingDirectory,
      metafile: true,
    });
  } catch (error) {
    await rm(temporary, { force: true });
    const messages = esbuildMessages(error);
    throw new NodeBundleError(
      `esbuild could not bundle ${name} from ${entry}: ${messages.slice(0, 5).join('; ')}`,
      { program: name, entry, errors: messages },
      { cause: error },
    );
  }
  const inputs: Record<string, string> = {};
  for (const input of Object.keys(result.metafile?.inputs ?? {})) {
    const path = resolve(workingDirectory, input);
    inputs[path] = await sha256File(path);
  }
  const manifest: Manifest = {
    esbuild: esbuild.version,
    entry,
    options,
    output: await sha256File(temporary),
    inputs,
  };
  await rename(temporary, output);
  const temporaryManifest = `${manifestPath}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporaryManifest, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(temporaryManifest, manifestPath);
  return output;
}

/** Whether the cached bundle was built by this esbuild with these options from inputs that are all unchanged. */
async function isCurrent(
  manifestPath: string,
  output: string,
  expected: Pick<Manifest, 'esbuild' | 'entry' | 'options'>,
): Promise<boolean> {
  let manifest: Manifest;
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(await readFile(manifestPath, 'utf8')));
    if (!parsed.success) return false;
    manifest = parsed.data;
  } catch (error) {
    if (isMissingOrUnreadable(error)) return false;
    throw error;
  }
  if (
    manifest.esbuild !== expected.esbuild ||
    manifest.entry !== expected.entry ||
    manifest.options !== expected.options
  )
    return false;
  const checks = [
    [output, manifest.output] as const,
    ...Object.entries(manifest.inputs).map(([path, hash]) => [path, hash] as const),
  ];
  for (const [path, hash] of checks) {
    try {
      if ((await sha256File(path)) !== hash) return false;
    } catch (error) {
      if (isMissingOrUnreadable(error)) return false;
      throw error;
    }
  }
  return true;
}

function isMissingOrUnreadable(error: unknown): boolean {
  if (error instanceof SyntaxError) return true;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

function esbuildMessages(error: unknown): string[] {
  const parsed = z
    .object({
      errors: z.array(
        z.object({
          text: z.string(),
          location: z.object({ file: z.string(), line: z.number() }).nullish(),
        }),
      ),
    })
    .safeParse(error);
  if (!parsed.success) return [error instanceof Error ? error.message : String(error)];
  return parsed.data.errors.map((message) =>
    message.location == null ? message.text : `${message.location.file}:${message.location.line}: ${message.text}`,
  );
}

let esbuildApi: EsbuildApi | undefined;
function loadEsbuild(): EsbuildApi {
  esbuildApi ??= createRequire(import.meta.url)('esbuild') as EsbuildApi;
  return esbuildApi;
}
