import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  visit,
  type Document,
  type Node,
  type YAMLError,
} from 'yaml';
import type { ConfigIssue, Position } from './issue.ts';
import type { FieldPath } from './path.ts';

/** A parsed YAML file: its plain value, and where each field of it was written. */
export interface YamlSource {
  readonly value: unknown;
  /**
   * Where the node at `path` starts (its key with `atKey`). `exact` is false
   * when the path is not in the file, and the position is then that of the
   * deepest ancestor that is.
   */
  locate(path: FieldPath, atKey?: boolean): { position: Position; exact: boolean } | undefined;
}

export type YamlReadResult =
  { readonly ok: true; readonly source: YamlSource } | { readonly ok: false; readonly issues: ConfigIssue[] };

// Limits what a file of anchors and aliases may expand to ("billion laughs").
const MAX_ALIAS_COUNT = 100;

const YAML_HINTS: Readonly<Record<string, string>> = {
  DUPLICATE_KEY: 'each key may appear once per mapping: delete one of them or merge them',
  TAB_AS_INDENT: 'indent with spaces; YAML does not allow tabs there',
  BAD_INDENT:
    'check the indentation (keys of one mapping start in the same column) and that every "[" and "{" is closed',
  MISSING_CHAR: 'a quote or bracket is not closed',
  TAG_RESOLVE_FAILED: 'remove the "!" tag; a cluster config uses plain values',
};
const GENERIC_YAML_HINT = 'check the indentation (spaces, not tabs) and the quotes and brackets around this position';

function duplicateKeyName(doc: Document, offset: number): string | undefined {
  let name: string | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) {
        name = String(pair.key.value);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return name;
}

function yamlIssue(error: YAMLError, doc: Document, lineCounter: LineCounter): ConfigIssue {
  const { line, col } = lineCounter.linePos(error.pos[0]);
  const key = error.code === 'DUPLICATE_KEY' ? duplicateKeyName(doc, error.pos[0]) : undefined;
  return {
    path: '',
    message:
      key === undefined
        ? `invalid YAML: ${error.message}`
        : `invalid YAML: the key "${key}" appears more than once in this mapping`,
    hint: YAML_HINTS[error.code] ?? GENERIC_YAML_HINT,
    line,
    column: col,
  };
}

function startOf(node: Node | null | undefined): number | undefined {
  if (node === null || node === undefined) {
    return undefined;
  }
  // `key:` with nothing after it is a null scalar of zero width; point at the key instead.
  const range = node.range ?? undefined;
  if (isScalar(node) && node.value === null && range !== undefined && range[0] === range[1]) {
    return undefined;
  }
  return range?.[0];
}

function sourceOf(doc: Document.Parsed, lineCounter: LineCounter, value: unknown): YamlSource {
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const resolve = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);
  return {
    value,
    locate(path, atKey = false) {
      let node: unknown = resolve(doc.contents);
      let best: number | undefined;
      for (const [index, segment] of path.entries()) {
        let key: Node | undefined;
        let next: unknown;
        if (isMap(node) && typeof segment === 'string') {
          const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
          if (pair === undefined) {
            return best === undefined ? undefined : { position: position(best), exact: false };
          }
          key = isScalar(pair.key) ? pair.key : undefined;
          next = pair.value;
        } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
          next = node.items[segment];
        } else {
          return best === undefined ? undefined : { position: position(best), exact: false };
        }
        const last = index === path.length - 1;
        const valueStart = startOf(resolve(next) as Node | null);
        const keyStart = startOf(key);
        const here =
          last && atKey ? (keyStart ?? valueStart) : last ? (valueStart ?? keyStart) : (keyStart ?? valueStart);
        best = here ?? best;
        node = resolve(next);
      }
      return best === undefined ? undefined : { position: position(best), exact: true };
    },
  };
}

/** Parses YAML text, or returns every syntax problem with its line and column. */
export function readYaml(text: string): YamlReadResult {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const first = docs[0];
  if (first === undefined) {
    return {
      ok: false,
      issues: [
        {
          path: '',
          message: 'is empty',
          hint: 'a cluster config needs at least apiVersion, kind, name, baseDomain and platform',
        },
      ],
    };
  }
  const issues = docs.flatMap((doc) =>
    [...doc.errors, ...doc.warnings].map((error) => yamlIssue(error, doc, lineCounter)),
  );
  const second = docs[1];
  if (second !== undefined) {
    const { line, col } = lineCounter.linePos(second.range[0]);
    issues.push({
      path: '',
      message: 'holds more than one YAML document',
      hint: 'a cluster config is a single document: remove the "---" separator and what follows it',
      line,
      column: col,
    });
  }
  if (issues.length > 0) {
    return { ok: false, issues };
  }
  let value: unknown;
  try {
    value = first.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    return {
      ok: false,
      issues: [
        {
          path: '',
          message: `invalid YAML: ${error instanceof Error ? error.message : String(error)}`,
          hint: 'check the anchors (&name) and aliases (*name)',
        },
      ],
    };
  }
  return { ok: true, source: sourceOf(first, lineCounter, value) };
}
