// Builds the parse tree from tokens, with Go's checks at parse time:
// unknown functions, undefined variables, misplaced {{else}}/{{end}},
// {{break}} outside {{range}}, and constants used as commands in a pipeline.
import { TemplateParseError } from '../errors.ts';
import { lex, positionOf, type Token, type TokenKind } from './lexer.ts';
import { numberValue, unquoteChar, unquoteString } from './literals.ts';
import type { Command, Operand, Pipeline, TemplateNode } from './nodes.ts';

/** Deeper nesting than this is refused, so that neither parsing nor execution can exhaust the stack. */
export const MAX_NESTING = 100;

type ListEnd = 'end' | 'else' | 'eof';

export function parseTemplate(name: string, source: string, functions: ReadonlySet<string>): readonly TemplateNode[] {
  return new Parser(name, source, lex(name, source), functions).parse();
}

class Parser {
  readonly #name: string;
  readonly #source: string;
  readonly #tokens: readonly Token[];
  readonly #functions: ReadonlySet<string>;
  #index = 0;
  /** Variables in scope, innermost last; "$" is always defined. */
  #variables: string[] = ['$'];
  #rangeDepth = 0;
  #depth = 0;

  constructor(name: string, source: string, tokens: readonly Token[], functions: ReadonlySet<string>) {
    this.#name = name;
    this.#source = source;
    this.#tokens = tokens;
    this.#functions = functions;
  }

  parse(): readonly TemplateNode[] {
    const { nodes, end, token } = this.#list();
    if (end !== 'eof') this.#fail(`unexpected {{${end}}}`, token);
    return nodes;
  }

  #list(): { nodes: TemplateNode[]; end: ListEnd; token: Token } {
    const nodes: TemplateNode[] = [];
    for (;;) {
      const token = this.#next();
      if (token.kind === 'eof') return { nodes, end: 'eof', token };
      if (token.kind === 'text') {
        nodes.push({ kind: 'text', text: token.text });
        continue;
      }
      // leftDelim
      const first = this.#peekNonSpace();
      if (first.kind === 'keyword') {
        this.#nextNonSpace();
        switch (first.text) {
          case 'end':
            this.#expectRightDelim('end');
            return { nodes, end: 'end', token: first };
          case 'else':
            return { nodes, end: 'else', token: first };
          case 'if':
          case 'with':
          case 'range':
            nodes.push(this.#control(first.text, first));
            continue;
          case 'break':
          case 'continue':
            if (this.#rangeDepth === 0) this.#fail(`{{${first.text}}} outside {{range}}`, first);
            this.#expectRightDelim(first.text);
            nodes.push({ kind: first.text, offset: first.offset });
            continue;
          default:
            this.#fail(`{{${first.text}}} is not supported by Strata's template engine (one template per file)`, first);
        }
      }
      nodes.push({ kind: 'action', offset: first.offset, pipe: this.#pipeline('command', 'rightDelim') });
    }
  }

  #control(kind: 'if' | 'with' | 'range', keyword: Token): TemplateNode {
    this.#enter(keyword);
    const scope = this.#variables.length;
    const pipe = this.#pipeline(kind, 'rightDelim');
    if (kind === 'range') this.#rangeDepth += 1;
    const body = this.#list();
    if (kind === 'range') this.#rangeDepth -= 1;
    let elseList: TemplateNode[] | undefined;
    if (body.end === 'eof') this.#fail(`unexpected EOF in {{${kind}}}`, body.token);
    if (body.end === 'else') {
      const next = this.#peekNonSpace();
      if (kind !== 'range' && next.kind === 'keyword' && next.text === kind) {
        // "{{else if ...}}" is "{{else}}{{if ...}}...{{end}}" sharing the outer {{end}}.
        this.#nextNonSpace();
        elseList = [this.#control(kind, next)];
      } else {
        this.#expectRightDelim('else');
        const alternative = this.#list();
        if (alternative.end !== 'end')
          this.#fail(
            alternative.end === 'eof' ? `unexpected EOF in {{${kind}}}` : 'expected end; found {{else}}',
            alternative.token,
          );
        elseList = alternative.nodes;
      }
    }
    this.#variables = this.#variables.slice(0, scope);
    this.#depth -= 1;
    return { kind, offset: keyword.offset, pipe, list: body.nodes, elseList };
  }

  #pipeline(context: string, end: 'rightDelim' | 'rightParen'): Pipeline {
    const start = this.#peekNonSpace();
    const { declarations, isAssign } = this.#declarations(context);
    const commands: Command[] = [];
    for (;;) {
      const token = this.#peekNonSpace();
      if (token.kind === end) {
        this.#nextNonSpace();
        break;
      }
      if (!OPERAND_STARTS.has(token.kind)) this.#fail(`unexpected ${describeToken(token)} in ${context}`, token);
      commands.push(this.#command());
      const after = this.#peekNonSpace();
      if (after.kind === 'pipe') this.#nextNonSpace();
      else if (after.kind !== end) this.#fail(`unexpected ${describeToken(after)} in operand`, after);
    }
    if (commands.length === 0) this.#fail(`missing value for ${context}`, start);
    commands.slice(1).forEach((command, index) => {
      const first = command.args[0];
      if (first !== undefined && ['bool', 'dot', 'nil', 'number', 'string'].includes(first.kind)) {
        this.#fail(`non executable command in pipeline stage ${index + 2}`, start);
      }
    });
    for (const name of declarations) {
      if (isAssign) {
        if (!this.#variables.includes(name)) this.#fail(`undefined variable ${JSON.stringify(name)}`, start);
      } else {
        this.#variables.push(name);
      }
    }
    return { offset: start.offset, declarations, isAssign, commands };
  }

  /** "$x :=", "$x =", or in a range "$i, $v :="; nothing is consumed when there is no declaration. */
  #declarations(context: string): { declarations: string[]; isAssign: boolean } {
    const save = this.#index;
    const names: string[] = [];
    for (;;) {
      const variable = this.#nextNonSpace();
      if (variable.kind !== 'variable') break;
      names.push(variable.text);
      const next = this.#nextNonSpace();
      if (next.kind === 'declare' || next.kind === 'assign') {
        if (names.length > 1 && context !== 'range') this.#fail(`too many declarations in ${context}`, next);
        if (names.length > 2) this.#fail('range can only initialize variables', next);
        return { declarations: names, isAssign: next.kind === 'assign' };
      }
      if (next.kind !== 'comma' || context !== 'range') break;
    }
    this.#index = save;
    return { declarations: [], isAssign: false };
  }

  #command(): Command {
    const start = this.#peekNonSpace();
    const args: Operand[] = [];
    for (;;) {
      const token = this.#peekNonSpace();
      if (!OPERAND_STARTS.has(token.kind)) break;
      args.push(this.#operand());
      const after = this.#peek();
      if (after.kind === 'space') continue;
      if (after.kind === 'rightDelim' || after.kind === 'rightParen' || after.kind === 'pipe') break;
      this.#fail(`unexpected ${describeToken(after)} in operand`, after);
    }
    if (args.length === 0) this.#fail('empty command', start);
    return { offset: start.offset, args };
  }

  #operand(): Operand {
    const term = this.#term();
    if (this.#peek().kind !== 'field') return term;
    const fields: string[] = [];
    while (this.#peek().kind === 'field') fields.push(this.#next().text.slice(1));
    switch (term.kind) {
      case 'field':
        return { ...term, fields: [...term.fields, ...fields] };
      case 'variable':
        return { ...term, fields: [...term.fields, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        return this.#fail(
          `unexpected . after term ${JSON.stringify(term.kind === 'dot' ? '.' : this.#source.slice(term.offset, term.offset + 20))}`,
          this.#peek(),
        );
      default:
        return { kind: 'chain', offset: term.offset, operand: term, fields };
    }
  }

  #term(): Operand {
    const token = this.#nextNonSpace();
    const offset = token.offset;
    switch (token.kind) {
      case 'identifier':
        if (!this.#functions.has(token.text)) this.#fail(`function ${JSON.stringify(token.text)} not defined`, token);
        return { kind: 'identifier', offset, name: token.text };
      case 'dot':
        return { kind: 'dot', offset };
      case 'nil':
        return { kind: 'nil', offset };
      case 'variable': {
        if (!this.#variables.includes(token.text))
          this.#fail(`undefined variable ${JSON.stringify(token.text)}`, token);
        return { kind: 'variable', offset, name: token.text, fields: [] };
      }
      case 'field':
        return { kind: 'field', offset, fields: [token.text.slice(1)] };
      case 'bool':
        return { kind: 'bool', offset, value: token.text === 'true' };
      case 'number':
        try {
          return { kind: 'number', offset, value: numberValue(token.text), text: token.text };
        } catch (error) {
          return this.#fail(error instanceof Error ? error.message : String(error), token);
        }
      case 'char': {
        const point = unquoteChar(token.text);
        if (point === undefined) this.#fail(`malformed character constant: ${token.text}`, token);
        return { kind: 'number', offset, value: BigInt(point), text: token.text };
      }
      case 'string':
      case 'rawString': {
        const value = unquoteString(token.text);
        if (value === undefined) this.#fail(`invalid syntax in string ${token.text.slice(0, 40)}`, token);
        return { kind: 'string', offset, value, text: token.text };
      }
      case 'leftParen': {
        this.#enter(token);
        const pipe = this.#pipeline('parenthesized pipeline', 'rightParen');
        this.#depth -= 1;
        return { kind: 'pipe', offset, pipe };
      }
      default:
        return this.#fail(`unexpected ${describeToken(token)} in operand`, token);
    }
  }

  #enter(token: Token): void {
    this.#depth += 1;
    if (this.#depth > MAX_NESTING) this.#fail(`nesting deeper than ${MAX_NESTING} levels`, token);
  }

  #expectRightDelim(context: string): void {
    const token = this.#nextNonSpace();
    if (token.kind !== 'rightDelim') this.#fail(`unexpected ${describeToken(token)} in ${context}`, token);
  }

  #peek(): Token {
    return this.#tokens[this.#index] ?? this.#eof();
  }

  #next(): Token {
    const token = this.#peek();
    if (this.#index < this.#tokens.length) this.#index += 1;
    return token;
  }

  #peekNonSpace(): Token {
    while (this.#peek().kind === 'space') this.#index += 1;
    return this.#peek();
  }

  #nextNonSpace(): Token {
    this.#peekNonSpace();
    return this.#next();
  }

  #eof(): Token {
    return { kind: 'eof', text: '', offset: this.#source.length };
  }

  #fail(message: string, token: Token): never {
    throw new TemplateParseError(`template: ${positionOf(this.#name, this.#source, token.offset)}: ${message}`, {
      template: this.#name,
    });
  }
}

const OPERAND_STARTS: ReadonlySet<TokenKind> = new Set<TokenKind>([
  'bool',
  'char',
  'dot',
  'field',
  'identifier',
  'number',
  'nil',
  'rawString',
  'string',
  'variable',
  'leftParen',
]);

function describeToken(token: Token): string {
  if (token.kind === 'eof') return 'EOF';
  if (token.kind === 'rightDelim') return '"}}"';
  return `<${token.text.slice(0, 20)}>`;
}
