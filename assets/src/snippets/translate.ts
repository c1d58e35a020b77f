// Reads the cluster config's snippets and translates each with the real Butane,
// once per file for the whole render, so that every node of a pool merges the
// same Ignition and a Butane error is reported once, naming the config field.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runCommand } from '@strata/host';
import { parse as parseYaml } from 'yaml';
import { bytesDataUrl, decodeDataUrl, textDataUrl } from '../ignition/data-url.ts';
import { SUPPORTED_VERSIONS } from '../ignition/rules.ts';
import { ignitionConfigSchema, type IgnitionConfig, type Resource } from '../ignition/schema.ts';
import {
  SnippetButaneError,
  SnippetError,
  SnippetFileError,
  SnippetUnsupportedError,
  SnippetVariantError,
} from './errors.ts';

/** One snippet file, translated to Ignition that can be merged into a node's. */
export interface TranslatedSnippet {
  /** The config field that names the file, e.g. `workerPools[1].snippets[0]`. */
  readonly field: string;
  /** The file, absolute. */
  readonly file: string;
  readonly ignition: IgnitionConfig;
}

/** Every pool's snippets, translated; pools without snippets are absent. */
export interface ClusterSnippets {
  readonly controllers: readonly TranslatedSnippet[];
  readonly workerPools: Readonly<Record<string, readonly TranslatedSnippet[]>>;
}

/** The slice of the cluster config that names snippets. */
export interface SnippetsConfig {
  readonly os: { readonly name: 'flatcar' | 'fedora-coreos' | 'strata' };
  readonly controllers: { readonly snippets?: readonly string[] | undefined };
  readonly workerPools: readonly { readonly name: string; readonly snippets?: readonly string[] | undefined }[];
}

/**
 * Butane's variant for each OS Strata installs. Strata's node image runs upstream Ignition (spec 3) on the metal
 * platform, as Fedora CoreOS does, and has no variant of its own: its snippets are written as fcos.
 */
export const BUTANE_VARIANTS = { flatcar: 'flatcar', 'fedora-coreos': 'fcos', strata: 'fcos' } as const;

export const NO_SNIPPETS: ClusterSnippets = { controllers: [], workerPools: {} };

export function hasSnippets(config: SnippetsConfig): boolean {
  return (
    (config.controllers.snippets?.length ?? 0) > 0 ||
    config.workerPools.some((pool) => (pool.snippets?.length ?? 0) > 0)
  );
}

export interface TranslateSnippetsOptions {
  /** The butane binary: `resolveBinary('butane')` from @strata/binaries. */
  readonly butanePath: string;
  /** What relative paths are relative to; default the working directory. */
  readonly baseDir?: string;
}

/** Reads and translates every snippet of the config; throws a `SnippetError` subclass naming the field and file. */
export async function translateSnippets(
  config: SnippetsConfig,
  options: TranslateSnippetsOptions,
): Promise<ClusterSnippets> {
  const variant = BUTANE_VARIANTS[config.os.name];
  const translate = (paths: readonly string[] | undefined, field: string) =>
    Promise.all(
      (paths ?? []).map((path, index) =>
        translateSnippet(resolve(options.baseDir ?? '.', path), `${field}.snippets[${index}]`, variant, options),
      ),
    );
  const controllers = await translate(config.controllers.snippets, 'controllers');
  const workerPools: Record<string, readonly TranslatedSnippet[]> = {};
  for (const [index, pool] of config.workerPools.entries()) {
    const translated = await translate(pool.snippets, `workerPools[${index}]`);
    if (translated.length > 0) workerPools[pool.name] = translated;
  }
  return { controllers, workerPools };
}

async function translateSnippet(
  file: string,
  field: string,
  variant: string,
  options: TranslateSnippetsOptions,
): Promise<TranslatedSnippet> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SnippetFileError(
      `${field}: cannot read the snippet ${file}: ${reason}`,
      { field, file },
      { cause: error },
    );
  }
  checkVariant(text, file, field, variant);
  // --strict: a key Butane does not know is a typo in the user's file, not something to drop silently.
  // --files-dir: `local:` sources are the user's own files beside the snippet.
  const result = await runCommand(options.butanePath, ['--strict', '--files-dir', dirname(file)], { input: text });
  if (result.code !== 0) {
    const said = result.stderr.trim() || `butane exited with ${result.code}`;
    throw new SnippetButaneError(`${field}: Butane refused ${file}:\n${indent(said)}`, {
      field,
      file,
      butane: said,
    });
  }
  return { field, file, ignition: mergeableIgnition(result.stdout, file, field) };
}

/** Butane would translate either variant; the wrong one for the cluster's OS is the user's mistake. */
function checkVariant(text: string, file: string, field: string, variant: string): void {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch {
    // Not YAML: Butane says where, in its own words.
    return;
  }
  const declared =
    typeof document === 'object' && document !== null && 'variant' in document ? document.variant : undefined;
  if (typeof declared === 'string' && declared !== variant) {
    throw new SnippetVariantError(
      `${field}: ${file} is Butane variant "${declared}", but the cluster's machines run ${variant === 'fcos' ? 'Fedora CoreOS' : 'Flatcar'}: use variant "${variant}"`,
      { field, file, variant: declared, expected: variant },
    );
  }
}

function mergeableIgnition(json: string, file: string, field: string): IgnitionConfig {
  const unsupported = (message: string, details: Record<string, unknown> = {}) =>
    new SnippetUnsupportedError(`${field}: ${file} ${message}`, { field, file, ...details });
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch (error) {
    throw new SnippetError(`${field}: Butane's output for ${file} is not JSON`, { field, file }, { cause: error });
  }
  const parsed = ignitionConfigSchema.safeParse(document);
  if (!parsed.success) {
    const fields = parsed.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => [...issue.path, key].join('.'))
        : [issue.path.join('.')],
    );
    throw unsupported(
      `uses Ignition fields a snippet cannot set in Strata (${[...new Set(fields)].join(', ')}): snippets may add files, directories, links, users, groups, systemd units and drop-ins, kernel arguments, trusted CAs and timeouts`,
      { fields },
    );
  }
  const config = parsed.data;
  if (!SUPPORTED_VERSIONS.includes(config.ignition.version)) {
    throw unsupported(
      `translates to Ignition ${config.ignition.version}, newer than the ${SUPPORTED_VERSIONS.at(-1)} Strata renders: use an older Butane spec version`,
      { version: config.ignition.version },
    );
  }
  if (config.ignition.config !== undefined) {
    throw unsupported(
      'merges or replaces another Ignition config: Strata cannot check what a config fetched at boot would change',
    );
  }
  if (config.ignition.proxy !== undefined) {
    throw unsupported("sets Ignition's proxy, which Strata renders from the cluster config's proxy section");
  }
  return withoutCompression(config, file, field);
}

/**
 * Butane gzips larger inline contents. Strata's own readers of a rendered config (the local platform's
 * machines, the split of secrets) read inline contents as they are, so inline data is stored uncompressed.
 */
function withoutCompression(config: IgnitionConfig, file: string, field: string): IgnitionConfig {
  const plain = (resource: Resource, path: string): Resource => {
    if (resource.compression !== 'gzip' || resource.source?.startsWith('data:') !== true) return resource;
    const decoded = decodeDataUrl(resource.source);
    if (!decoded.ok) {
      throw new SnippetError(`${field}: Butane wrote a bad data URL for ${path} of ${file}: ${decoded.reason}`, {
        field,
        file,
        path,
      });
    }
    const bytes = gunzipSync(decoded.value.data);
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    const isText = Buffer.from(text, 'utf8').equals(bytes);
    const plainResource: Resource = { ...resource, source: isText ? textDataUrl(text) : bytesDataUrl(bytes) };
    delete plainResource.compression;
    return plainResource;
  };
  const files = config.storage?.files?.map((entry) => ({
    ...entry,
    ...(entry.contents === undefined ? {} : { contents: plain(entry.contents, entry.path) }),
    ...(entry.append === undefined ? {} : { append: entry.append.map((part) => plain(part, entry.path)) }),
  }));
  return files === undefined ? config : { ...config, storage: { ...config.storage, files } };
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
