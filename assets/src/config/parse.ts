import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ClusterConfigError } from './errors.ts';
import { localHostNetworks, toHostNetworks } from './host-networks.ts';
import { dedupeIssues, formatIssues, sortIssues, type ConfigIssue, type Finding } from './issue.ts';
import { formatFieldPath, type FieldPath } from './path.ts';
import { ConfigReader } from './reader.ts';
import { runRules } from './rules/index.ts';
import { clusterConfigSchema, type ClusterConfig } from './schema.ts';
import { decodeUtf8 } from './utf8.ts';
import { readYaml, type YamlSource } from './yaml-source.ts';
import { findingsFromZod, readableMessage } from './zod-issues.ts';

export interface ValidateOptions {
  /** CIDRs of this machine's interfaces; default: from os.networkInterfaces(), loopback excluded. */
  readonly hostNetworks?: readonly string[];
  /**
   * The directory relative snippet paths are relative to: the cluster.yaml's (`loadClusterConfig` sets it). Without
   * it they stay as written, and a render resolves them against the working directory.
   */
  readonly baseDir?: string;
}

export interface ParseOptions extends ValidateOptions {
  /** How messages name the file; default "cluster.yaml". */
  readonly sourceName?: string;
}

export type ParseResult =
  | { readonly ok: true; readonly config: ClusterConfig }
  /** `message` is `issues` as readable lines that name the file, for printing as is. */
  | { readonly ok: false; readonly issues: ConfigIssue[]; readonly message: string };

const DEFAULT_SOURCE_NAME = 'cluster.yaml';

function toIssue(finding: Finding, source: YamlSource | undefined): ConfigIssue {
  const own = source?.locate(finding.path, finding.atKey);
  const anchor = own?.exact !== true && finding.anchor !== undefined ? source?.locate(finding.anchor) : undefined;
  const located = anchor?.exact === true ? anchor : own;
  return {
    path: formatFieldPath(finding.path),
    message: finding.message,
    ...('value' in finding && finding.value !== undefined ? { value: finding.value } : {}),
    ...(finding.hint === undefined ? {} : { hint: finding.hint }),
    ...(located === undefined ? {} : { line: located.position.line, column: located.position.column }),
  };
}

function failure(issues: ConfigIssue[], sourceName: string): ParseResult {
  const ordered = sortIssues(dedupeIssues(issues));
  return { ok: false, issues: ordered, message: formatIssues(ordered, sourceName) };
}

function isInside(path: FieldPath, ancestor: FieldPath): boolean {
  return path.length > ancestor.length && ancestor.every((segment, index) => path[index] === segment);
}

/** What is inside a field that should not be there at all (another platform's section) is moot. */
function withoutMoot(findings: readonly Finding[]): Finding[] {
  const unwanted = findings.filter((finding) => finding.atKey === true).map((finding) => finding.path);
  return findings.filter((finding) => !unwanted.some((path) => isInside(finding.path, path)));
}

/** The config with its snippet paths made absolute against `baseDir`. */
function withSnippetsFrom(baseDir: string, config: ClusterConfig): ClusterConfig {
  const absolute = (paths: readonly string[]) => paths.map((path) => resolve(baseDir, path));
  return {
    ...config,
    controllers: { ...config.controllers, snippets: absolute(config.controllers.snippets) },
    workerPools: config.workerPools.map((pool) => ({ ...pool, snippets: absolute(pool.snippets) })),
  };
}

function check(input: unknown, options: ParseOptions, source: YamlSource | undefined): ParseResult {
  const parsed = clusterConfigSchema.safeParse(input, { error: readableMessage });
  const findings = withoutMoot([
    ...(parsed.success ? [] : findingsFromZod(parsed.error.issues, input, clusterConfigSchema)),
    ...runRules(new ConfigReader(input), { hostNetworks: toHostNetworks(options.hostNetworks ?? localHostNetworks()) }),
  ]);
  if (parsed.success && findings.length === 0) {
    return {
      ok: true,
      config: options.baseDir === undefined ? parsed.data : withSnippetsFrom(options.baseDir, parsed.data),
    };
  }
  return failure(
    findings.map((finding) => toIssue(finding, source)),
    options.sourceName ?? DEFAULT_SOURCE_NAME,
  );
}

/**
 * Parses and checks a cluster.yaml. On failure it reports every problem at
 * once, schema and cross-field alike, in file order, each with its line.
 */
export function parseClusterConfig(text: string, options: ParseOptions = {}): ParseResult {
  const yaml = readYaml(text);
  if (!yaml.ok) {
    return failure(yaml.issues, options.sourceName ?? DEFAULT_SOURCE_NAME);
  }
  return check(yaml.source.value, options, yaml.source);
}

/** Like `parseClusterConfig`, for the file's bytes: anything but UTF-8 is refused, with the position of the first bad byte. */
export function parseClusterConfigBytes(bytes: Uint8Array, options: ParseOptions = {}): ParseResult {
  const decoded = decodeUtf8(bytes);
  if (!decoded.ok) {
    return failure([decoded.issue], options.sourceName ?? DEFAULT_SOURCE_NAME);
  }
  return parseClusterConfig(decoded.text, options);
}

/** Checks a config that is already a value (e.g. from JSON or a form); issues then carry no line numbers. */
export function validateClusterConfig(input: unknown, options: ParseOptions = {}): ParseResult {
  return check(input, options, undefined);
}

/** Reads and checks a cluster.yaml, or throws a `ClusterConfigError` listing every problem. */
export async function loadClusterConfig(path: string, options: ValidateOptions = {}): Promise<ClusterConfig> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ClusterConfigError([{ path: '', message: `cannot be read: ${reason}` }], path, { cause: error });
  }
  const result = parseClusterConfigBytes(bytes, { baseDir: dirname(path), ...options, sourceName: path });
  if (!result.ok) {
    throw new ClusterConfigError(result.issues, path);
  }
  return result.config;
}
