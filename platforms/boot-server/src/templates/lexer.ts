// Tokens of Go's text/template language, with its rules for trim markers
// ("{{- " and " -}}"), comments, quoting and numbers. Written from the
// language's documentation; delimiters are always "{{" and "}}".
import { TemplateParseError } from '../errors.ts';

export type TokenKind =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'identifier'
  | 'keyword'
  | 'bool'
  | 'nil'
  | 'field'
  | 'variable'
  | 'dot'
  | 'string'
  | 'rawString'
  | 'char'
  | 'number'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'declare'
  | 'assign'
  | 'comma'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The token's source text (for text tokens: after trimming). */
  readonly text: string;
  /** Offset in the template source, for error positions. */
  readonly offset: number;
}

export const KEYWORDS = new Set([
  'block',
  'break',
  'continue',
  'define',
  'else',
  'end',
  'if',
  'range',
  'template',
  'with',
]);

const LEFT = '{{';
const RIGHT = '}}';

function isSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\r' || char === '\n';
}

function isAlphaNumeric(char: string | undefined): boolean {
  if (char === undefined) return false;
  const code = char.charCodeAt(0);
  if (code < 0x80)
    return (
      (code >= 0x30 && code <= 0x39) ||
      (code >= 0x41 && code <= 0x5a) ||
      (code >= 0x61 && code <= 0x7a) ||
      code === 0x5f
    );
  return /^[\p{L}\p{Nd}]$/u.test(char);
}

/** Where an error is in a template: "name:line:column". */
export function positionOf(name: string, source: string, offset: number): string {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${name}:${line}:${column}`;
}

export function lex(name: string, source: string): Token[] {
  return new Lexer(name, source).run();
}

class Lexer {
  readonly #name: string;
  readonly #source: string;
  readonly #tokens: Token[] = [];
  #pos = 0;
  #parenDepth = 0;

  constructor(name: string, source: string) {
    this.#name = name;
    this.#source = source;
  }

  run(): Token[] {
    const source = this.#source;
    let trimNextText = false;
    while (this.#pos <= source.length) {
      const start = this.#pos;
      const delim = source.indexOf(LEFT, start);
      const textEnd = delim < 0 ? source.length : delim;
      let text = source.slice(start, textEnd);
      if (trimNextText) text = trimLeading(text);
      const trimLeft = delim >= 0 && source[delim + 2] === '-' && isSpace(source[delim + 3]);
      if (trimLeft) text = trimTrailing(text);
      if (text !== '') this.#emit('text', text, start);
      if (delim < 0) break;
      this.#pos = delim + LEFT.length + (trimLeft ? 2 : 0);
      trimNextText = this.#lexAction(delim);
    }
    this.#emit('eof', '', source.length);
    return this.#tokens;
  }

  /** Lexes one action from after its left delimiter; returns whether the text after it is trimmed. */
  #lexAction(delimOffset: number): boolean {
    const source = this.#source;
    if (source.startsWith('/*', this.#pos)) return this.#lexComment();
    this.#emit('leftDelim', LEFT, delimOffset);
    this.#parenDepth = 0;
    for (;;) {
      const right = this.#atRightDelim();
      if (right !== undefined) {
        if (this.#parenDepth > 0) this.#fail('unclosed left paren');
        this.#emit('rightDelim', RIGHT, this.#pos);
        this.#pos += right.length;
        return right.trim;
      }
      const start = this.#pos;
      const char = source[start];
      if (char === undefined) this.#fail('unclosed action', delimOffset);
      if (isSpace(char)) {
        let end = start;
        while (isSpace(source[end]) && !this.#rightTrimAt(end)) end += 1;
        if (end === start) end += 1;
        this.#emitAt('space', start, end);
      } else if (char === '=') {
        this.#emitAt('assign', start, start + 1);
      } else if (char === ':') {
        if (source[start + 1] !== '=') this.#fail('expected :=');
        this.#emitAt('declare', start, start + 2);
      } else if (char === '|') {
        this.#emitAt('pipe', start, start + 1);
      } else if (char === '"') {
        this.#lexQuote();
      } else if (char === '`') {
        this.#lexRawQuote();
      } else if (char === '$') {
        this.#lexFieldOrVariable('variable');
      } else if (char === "'") {
        this.#lexChar();
      } else if (char === '.') {
        if (/[0-9]/.test(source[start + 1] ?? '')) this.#lexNumber();
        else this.#lexFieldOrVariable('field');
      } else if (char === '+' || char === '-' || /[0-9]/.test(char)) {
        this.#lexNumber();
      } else if (isAlphaNumeric(char)) {
        this.#lexIdentifier();
      } else if (char === '(') {
        this.#parenDepth += 1;
        this.#emitAt('leftParen', start, start + 1);
      } else if (char === ')') {
        this.#parenDepth -= 1;
        if (this.#parenDepth < 0) this.#fail('unexpected right paren');
        this.#emitAt('rightParen', start, start + 1);
      } else if (char === ',') {
        this.#emitAt('comma', start, start + 1);
      } else {
        this.#fail(`unexpected ${JSON.stringify(char)} in command`);
      }
    }
  }

  #lexComment(): boolean {
    const source = this.#source;
    const end = source.indexOf('*/', this.#pos + 2);
    if (end < 0) this.#fail('unclosed comment');
    const after = end + 2;
    if (source.startsWith(RIGHT, after)) {
      this.#pos = after + RIGHT.length;
      return false;
    }
    if (this.#rightTrimAt(after)) {
      this.#pos = after + 2 + RIGHT.length;
      return true;
    }
    this.#fail('comment ends before closing delimiter');
  }

  #rightTrimAt(at: number): boolean {
    return isSpace(this.#source[at]) && this.#source[at + 1] === '-' && this.#source.startsWith(RIGHT, at + 2);
  }

  #atRightDelim(): { length: number; trim: boolean } | undefined {
    if (this.#rightTrimAt(this.#pos)) return { length: 2 + RIGHT.length, trim: true };
    if (this.#source.startsWith(RIGHT, this.#pos)) return { length: RIGHT.length, trim: false };
    return undefined;
  }

  /** Whether the next character ends an operand, as Go's lexer requires. */
  #atTerminator(at: number): boolean {
    const char = this.#source[at];
    if (char === undefined || isSpace(char)) return true;
    if ('.,|:()'.includes(char)) return true;
    return this.#source.startsWith(RIGHT, at);
  }

  #lexFieldOrVariable(kind: 'field' | 'variable'): void {
    const start = this.#pos;
    let end = start + 1;
    if (this.#atTerminator(end)) {
      this.#emitAt(kind === 'variable' ? 'variable' : 'dot', start, end);
      return;
    }
    while (isAlphaNumeric(this.#source[end])) end += 1;
    if (!this.#atTerminator(end)) this.#fail(`bad character ${JSON.stringify(this.#source[end])}`, end);
    this.#emitAt(kind, start, end);
  }

  #lexIdentifier(): void {
    const start = this.#pos;
    let end = start;
    while (isAlphaNumeric(this.#source[end])) end += 1;
    if (!this.#atTerminator(end)) this.#fail(`bad character ${JSON.stringify(this.#source[end])}`, end);
    const word = this.#source.slice(start, end);
    const kind: TokenKind = KEYWORDS.has(word)
      ? 'keyword'
      : word === 'true' || word === 'false'
        ? 'bool'
        : word === 'nil'
          ? 'nil'
          : 'identifier';
    this.#emitAt(kind, start, end);
  }

  #lexNumber(): void {
    const start = this.#pos;
    const match = NUMBER.exec(this.#source.slice(start));
    const length = match?.[0].length ?? 0;
    const end = start + length;
    if (length === 0 || /^[+-]?$/.test(match?.[0] ?? '') || isAlphaNumeric(this.#source[end])) {
      let bad = end;
      while (isAlphaNumeric(this.#source[bad])) bad += 1;
      this.#fail(`bad number syntax: ${JSON.stringify(this.#source.slice(start, Math.max(bad, start + 1)))}`);
    }
    this.#emitAt('number', start, end);
  }

  #lexQuote(): void {
    this.#lexEscaped('"', 'string', 'unterminated quoted string');
  }

  /** A quoted string or character constant: backslash escapes, ends at `close`, never spans a line. */
  #lexEscaped(close: string, kind: TokenKind, unterminated: string): void {
    const start = this.#pos;
    let at = start + 1;
    for (;;) {
      const char = this.#source[at];
      if (char === '\\') {
        at += 2;
        continue;
      }
      if (char === undefined || char === '\n') this.#fail(unterminated, start);
      at += 1;
      if (char === close) break;
    }
    this.#emitAt(kind, start, at);
  }

  #lexRawQuote(): void {
    const start = this.#pos;
    const end = this.#source.indexOf('`', start + 1);
    if (end < 0) this.#fail('unterminated raw quoted string', start);
    this.#emitAt('rawString', start, end + 1);
  }

  #lexChar(): void {
    this.#lexEscaped("'", 'char', 'unterminated character constant');
  }

  #emitAt(kind: TokenKind, start: number, end: number): void {
    this.#emit(kind, this.#source.slice(start, end), start);
    this.#pos = end;
  }

  #emit(kind: TokenKind, text: string, offset: number): void {
    this.#tokens.push({ kind, text, offset });
  }

  #fail(message: string, offset: number = this.#pos): never {
    throw new TemplateParseError(`template: ${positionOf(this.#name, this.#source, offset)}: ${message}`, {
      template: this.#name,
    });
  }
}

// Go number literals: optional sign, decimal/hex/octal/binary with "_", fraction, exponent.
const NUMBER =
  /^[+-]?(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]+)?|0[oO][0-7_]+|0[bB][01_]+|(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]+)?)/;

function trimLeading(text: string): string {
  let start = 0;
  while (isSpace(text[start])) start += 1;
  return text.slice(start);
}

function trimTrailing(text: string): string {
  let end = text.length;
  while (end > 0 && isSpace(text[end - 1])) end -= 1;
  return text.slice(0, end);
}
