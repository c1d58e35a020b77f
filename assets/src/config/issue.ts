import type { FieldPath } from './path.ts';

/** One problem in a cluster config, precise enough to fix without reading code. */
export interface ConfigIssue {
  /** Where the problem is, like `workerPools[1].taints[0].effect`; "" for the file as a whole. */
  readonly path: string;
  /** What is wrong, worded to follow the path: "must be 1, 3 or 5". */
  readonly message: string;
  /** The offending value as written, when there is one. */
  readonly value?: unknown;
  /** How to fix it. */
  readonly hint?: string;
  /** 1-based position of the offending node in the YAML, when the file has one. */
  readonly line?: number;
  readonly column?: number;
}

/** A problem found by the schema or a rule, before it is placed in the file. */
export interface Finding {
  readonly path: FieldPath;
  readonly message: string;
  readonly hint?: string | undefined;
  /** The offending value; absent when the field is missing. */
  readonly value?: unknown;
  /** Point at the key rather than its value: the field should not be there at all. */
  readonly atKey?: boolean;
  /** Where to point instead when `path` is not in the file (e.g. a default that clashes with another field). */
  readonly anchor?: FieldPath;
}

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** File order; issues without a position (missing fields, defaults) concern the file as a whole and come first. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort(
    (a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || a.path.localeCompare(b.path),
  );
}

export function dedupeIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}

const MAX_VALUE_LENGTH = 60;

function showValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}

/** `cluster.yaml:12:5: networking.podCIDR is not a known field (got "10.2.0.0/16")`, then the hint indented below. */
export function formatIssue(issue: ConfigIssue, sourceName: string): string {
  const where = issue.line === undefined ? sourceName : `${sourceName}:${issue.line}:${issue.column ?? 1}`;
  const what = issue.path === '' ? issue.message : `${issue.path} ${issue.message}`;
  const got = 'value' in issue && issue.value !== undefined ? ` (got ${showValue(issue.value)})` : '';
  const hint = issue.hint === undefined ? '' : `\n    hint: ${issue.hint}`;
  return `  ${where}: ${what}${got}${hint}`;
}

export function formatIssues(issues: readonly ConfigIssue[], sourceName: string): string {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  return [`${sourceName} has ${count}:`, ...issues.map((issue) => formatIssue(issue, sourceName))].join('\n');
}
