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

const CLOSING: Readonly<Record<string, string>> = { '"': '"', "'": "'", '{': '}', '[': ']' };

/**
 * The quote or bracket a syntax error is about, when one is left open. The
 * parser notices an unclosed quote at the end of the file and an unclosed flow
 * collection where the next line fails to continue it; the mistake is where the
 * construct opened. The innermost open construct around the error is the one.
 */
function unclosedAt(doc: Document, text: string, offset: number): { start: number; opener: string } | undefined {
  let found: { start: number; opener: string } | undefined;
  visit(doc, {
    Node(_, node) {
      const range = node.range;
      const quoted = isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE');
      const flow = (isMap(node) || isSeq(node)) && node.flow === true;
      if (range === undefined || range === null || (!quoted && !flow) || range[0] > offset || range[1] < offset) {
        return;
      }
      const source = text.slice(range[0], range[1]).trimEnd();
      const opener = source[0] ?? '';
      const closing = CLOSING[opener];
      const closed = closing !== undefined && source.length > 1 && source.endsWith(closing);
      if (closing !== undefined && !closed && (found === undefined || range[0] > found.start)) {
        found = { start: range[0], opener };
      }
    },
  });
  return found;
}

/** Codes of errors that may be the far end of a quote or bracket left open. */
const UNCLOSED_CODES: ReadonlySet<string> = new Set(['MISSING_CHAR', 'BAD_INDENT', 'UNEXPECTED_TOKEN']);

function yamlIssue(error: YAMLError, doc: Document, text: string, lineCounter: LineCounter): ConfigIssue {
  const { line, col } = lineCounter.linePos(error.pos[0]);
  const key = error.code === 'DUPLICATE_KEY' ? duplicateKeyName(doc, error.pos[0]) : undefined;
  const unclosed = UNCLOSED_CODES.has(error.code) ? unclosedAt(doc, text, error.pos[0]) : undefined;
  const end = lineCounter.linePos(error.pos[1]);
  if (error.code === 'MULTILINE_IMPLICIT_KEY' && end.line > line) {
    // A key indented deeper than its siblings reads as the value of the line
    // above continued; the mistake is the indentation of the later line.
    const indent = /^[ \t]*/.exec(text.slice(error.pos[1] - end.col + 1))?.[0].length ?? 0;
    return {
      path: '',
      message: `invalid YAML: this line is indented deeper than the key above it, so it continues the value at line ${line}, column ${col}: ${error.message}`,
      hint: 'indent it like the other keys of its mapping; a value that spans lines needs quotes',
      line: end.line,
      column: indent + 1,
    };
  }
  if (unclosed !== undefined) {
    const start = lineCounter.linePos(unclosed.start);
    return {
      path: '',
      message: `invalid YAML: this ${unclosed.opener} is never closed; the parser noticed at line ${line}, column ${col}: ${error.message}`,
      hint: `close it with ${CLOSING[unclosed.opener] ?? ''} on this line, or check the quotes and brackets after it`,
      line: start.line,
      column: start.col,
    };
  }
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

/**
 * The errors worth showing: after one unexpected token the parser reports every
 * token that follows it, and a tab in the indentation also shows up as a
 * duplicate key that names no key. Those echoes of the first error are dropped.
 */
function primaryErrors(errors: readonly YAMLError[], doc: Document): YAMLError[] {
  let unexpected = false;
  const multiline = new Set(errors.filter((e) => e.code === 'MULTILINE_IMPLICIT_KEY').map((e) => e.pos[0]));
  return errors.filter((error) => {
    if (error.code === 'BLOCK_AS_IMPLICIT_KEY' && multiline.has(error.pos[0])) return false;
    if (error.code === 'UNEXPECTED_TOKEN') {
      if (unexpected) return false;
      unexpected = true;
    }
    return !(error.code === 'DUPLICATE_KEY' && errors.length > 1 && duplicateKeyName(doc, error.pos[0]) === undefined);
  });
}

/** Where an alias with no anchor before it is written, for the error toJS throws without a position. */
function unresolvedAlias(doc: Document.Parsed): { name: string; offset: number } | undefined {
  let found: { name: string; offset: number } | undefined;
  visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc) === undefined && alias.range !== undefined && alias.range !== null) {
        found = { name: alias.source, offset: alias.range[0] };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
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
    primaryErrors([...doc.errors, ...doc.warnings], doc).map((error) => yamlIssue(error, doc, text, lineCounter)),
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
    const alias = unresolvedAlias(first);
    if (alias !== undefined) {
      const { line, col } = lineCounter.linePos(alias.offset);
      return {
        ok: false,
        issues: [
          {
            path: '',
            message: `invalid YAML: the alias *${alias.name} names no anchor &${alias.name} above it`,
            hint: `define &${alias.name} on a value before this line, or write the value out`,
            line,
            column: col,
          },
        ],
      };
    }
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
