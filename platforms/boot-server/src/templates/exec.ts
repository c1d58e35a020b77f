// Executes a parse tree against data with Go's semantics and matchbox's
// option missingkey=error: a field that names a missing map key is an error.
// Nothing here reads files, the environment or the clock, and no value in the
// data is ever called; work and output are bounded by limits.
import { TemplateExecError } from '../errors.ts';
import { BUILTINS, FunctionError, type ParamType, type TemplateFunction } from './builtins.ts';
import { positionOf } from './lexer.ts';
import {
  describeOperand,
  type Command,
  type ControlNode,
  type Operand,
  type Pipeline,
  type TemplateNode,
} from './nodes.ts';
import { isNil, isObject, isTrue, mapEntries, printAction, StringMap, typeName, type GoValue } from './values.ts';

export interface ExecutionLimits {
  /** Characters of output before rendering stops with an error. */
  readonly maxOutputLength: number;
  /** Evaluation steps (commands, text pieces, loop turns) before rendering stops with an error. */
  readonly maxSteps: number;
}

export const DEFAULT_LIMITS: ExecutionLimits = { maxOutputLength: 32 * 1024 * 1024, maxSteps: 5_000_000 };

/** "No value given" for a command's final argument, distinct from nil. */
const MISSING = Symbol('missing');
type Final = GoValue | typeof MISSING;

type Flow = 'break' | 'continue' | undefined;

interface Variable {
  readonly name: string;
  value: GoValue;
}

class Failure extends Error {}

export function execute(
  name: string,
  source: string,
  nodes: readonly TemplateNode[],
  data: GoValue,
  limits: ExecutionLimits,
): string {
  return new Execution(name, source, data, limits).run(nodes);
}

class Execution {
  readonly #name: string;
  readonly #source: string;
  readonly #limits: ExecutionLimits;
  readonly #variables: Variable[];
  readonly #out: string[] = [];
  #length = 0;
  #steps = 0;
  /** The node being evaluated, for error positions. */
  #at: { offset: number; text: string } = { offset: 0, text: '' };

  constructor(name: string, source: string, data: GoValue, limits: ExecutionLimits) {
    this.#name = name;
    this.#source = source;
    this.#limits = limits;
    this.#variables = [{ name: '$', value: data }];
  }

  run(nodes: readonly TemplateNode[]): string {
    try {
      this.#walk(nodes, this.#variables[0]?.value);
    } catch (error) {
      if (error instanceof Failure || error instanceof FunctionError) {
        const where = positionOf(this.#name, this.#source, this.#at.offset);
        throw new TemplateExecError(
          `template: ${where}: executing "${this.#name}" at <${this.#at.text}>: ${error.message}`,
          {
            template: this.#name,
          },
        );
      }
      throw error;
    }
    return this.#out.join('');
  }

  #walk(nodes: readonly TemplateNode[], dot: GoValue): Flow {
    for (const node of nodes) {
      this.#step();
      switch (node.kind) {
        case 'text':
          this.#write(node.text);
          break;
        case 'action': {
          const value = this.#pipeline(dot, node.pipe);
          if (node.pipe.declarations.length === 0) this.#write(printAction(value));
          break;
        }
        case 'if':
        case 'with': {
          const mark = this.#variables.length;
          const value = this.#pipeline(dot, node.pipe);
          let flow: Flow;
          if (isTrue(value)) flow = this.#walk(node.list, node.kind === 'with' ? value : dot);
          else if (node.elseList !== undefined) flow = this.#walk(node.elseList, dot);
          this.#variables.length = mark;
          if (flow !== undefined) return flow;
          break;
        }
        case 'range': {
          const flow = this.#range(dot, node);
          if (flow !== undefined) return flow;
          break;
        }
        case 'break':
        case 'continue':
          return node.kind;
      }
    }
    return undefined;
  }

  #range(dot: GoValue, node: ControlNode): Flow {
    const mark = this.#variables.length;
    const value = this.#commands(dot, node.pipe);
    const declared = node.pipe.declarations;
    this.#at = { offset: node.offset, text: `range ${declared.join(', ')}` };
    if (typeof value === 'bigint' && declared.length > 1)
      this.#fail(`can't use ${value} to iterate over more than one variable`);
    if (
      !isNil(value) &&
      !Array.isArray(value) &&
      !(value instanceof StringMap) &&
      !isObject(value) &&
      typeof value !== 'bigint'
    ) {
      this.#fail(`range can't iterate over a value of type ${typeName(value)}`);
    }
    if (!node.pipe.isAssign) for (const name of declared) this.#variables.push({ name, value: undefined });
    const inner = this.#variables.length;
    let turns = 0;
    for (const [key, element] of iterationsOf(value)) {
      turns += 1;
      this.#step();
      this.#bindRange(declared, key, element);
      const flow = this.#walk(node.list, element);
      this.#variables.length = inner;
      if (flow === 'break') break;
    }
    if (turns === 0 && node.elseList !== undefined) this.#walk(node.elseList, dot);
    this.#variables.length = mark;
    return undefined;
  }

  #bindRange(declared: readonly string[], key: GoValue, element: GoValue): void {
    if (declared.length === 0) return;
    // One variable gets the element; two get the index (or key) and the element.
    const values = declared.length === 1 ? [element] : [key, element];
    declared.forEach((name, at) => this.#setVariable(name, values[at]));
  }

  #pipeline(dot: GoValue, pipe: Pipeline): GoValue {
    const value = this.#commands(dot, pipe);
    for (const name of pipe.declarations) {
      if (pipe.isAssign) this.#setVariable(name, value);
      else this.#variables.push({ name, value });
    }
    return value;
  }

  #commands(dot: GoValue, pipe: Pipeline): GoValue {
    let value: Final = MISSING;
    for (const command of pipe.commands) value = this.#command(dot, command, value);
    return value === MISSING ? undefined : value;
  }

  #command(dot: GoValue, command: Command, final: Final): GoValue {
    this.#step();
    const [first] = command.args;
    if (first === undefined) return this.#fail('empty command');
    this.#at = { offset: first.offset, text: describeOperand(first) };
    switch (first.kind) {
      case 'field':
        return this.#fieldChain(dot, first.fields, command.args, final);
      case 'chain':
        return this.#fieldChain(this.#argument(dot, 'any', first.operand), first.fields, command.args, final);
      case 'variable': {
        const value = this.#variable(first.name);
        if (first.fields.length === 0) {
          this.#notAFunction(command.args, final);
          return value;
        }
        return this.#fieldChain(value, first.fields, command.args, final);
      }
      case 'identifier':
        return this.#call(dot, first.name, command.args.slice(1), final);
      case 'pipe':
        this.#notAFunction(command.args, final);
        return this.#pipeline(dot, first.pipe);
      case 'dot':
        this.#notAFunction(command.args, final);
        return dot;
      default:
        this.#notAFunction(command.args, final);
        if (first.kind === 'nil') return this.#fail('nil is not a command');
        return this.#constant(first);
    }
  }

  #notAFunction(args: readonly Operand[], final: Final): void {
    if (args.length > 1 || final !== MISSING)
      this.#fail(`can't give argument to non-function ${args[0] === undefined ? '' : describeOperand(args[0])}`);
  }

  #fieldChain(receiver: GoValue, fields: readonly string[], args: readonly Operand[], final: Final): GoValue {
    let value = receiver;
    fields.forEach((field, at) => {
      const last = at === fields.length - 1;
      value = this.#field(value, field, last && (args.length > 1 || final !== MISSING));
    });
    return value;
  }

  #field(receiver: GoValue, field: string, hasArgs: boolean): GoValue {
    if (isNil(receiver)) return this.#fail(`nil data; no entry for key ${JSON.stringify(field)}`);
    if (receiver instanceof StringMap || isObject(receiver)) {
      if (hasArgs) this.#fail(`${field} is not a method but has arguments`);
      if (receiver instanceof StringMap) {
        const value = receiver.entries.get(field);
        return value ?? this.#fail(`map has no entry for key ${JSON.stringify(field)}`);
      }
      if (!Object.hasOwn(receiver, field)) this.#fail(`map has no entry for key ${JSON.stringify(field)}`);
      return receiver[field];
    }
    return this.#fail(`can't evaluate field ${field} in type ${typeName(receiver)}`);
  }

  #call(dot: GoValue, name: string, operands: readonly Operand[], final: Final): GoValue {
    const fn = BUILTINS.get(name);
    if (fn === undefined) return this.#fail(`function ${JSON.stringify(name)} not defined`);
    const given = operands.length + (final === MISSING ? 0 : 1);
    const fixed = fn.params.length;
    if (fn.variadic === undefined ? given !== fixed : given < fixed) {
      this.#fail(
        `wrong number of args for ${name}: want ${fn.variadic === undefined ? '' : 'at least '}${fixed} got ${given}`,
      );
    }
    const at = this.#at;
    if (fn.lazy === true) return this.#lazy(dot, name, operands, final);
    const args = operands.map((operand, index) => this.#argument(dot, paramType(fn, index), operand));
    if (final !== MISSING) args.push(this.#checkType(final, paramType(fn, args.length)));
    this.#at = at;
    try {
      return fn.call(args);
    } catch (error) {
      if (error instanceof FunctionError) this.#fail(`error calling ${name}: ${error.message}`);
      throw error;
    }
  }

  /** and/or: stop at the first argument that decides the answer, and return that argument. */
  #lazy(dot: GoValue, name: string, operands: readonly Operand[], final: Final): GoValue {
    const stopWhen = name === 'or';
    let value: GoValue;
    for (const operand of operands) {
      value = this.#argument(dot, 'any', operand);
      if (isTrue(value) === stopWhen) return value;
    }
    if (final !== MISSING) value = final;
    return value;
  }

  #argument(dot: GoValue, type: ParamType, operand: Operand): GoValue {
    this.#step();
    switch (operand.kind) {
      case 'dot':
        return this.#checkType(dot, type);
      case 'nil':
        return type === 'any' ? undefined : this.#fail(`cannot assign nil to ${type}`);
      case 'field':
        return this.#checkType(this.#fieldChain(dot, operand.fields, [operand], MISSING), type);
      case 'variable': {
        const value = this.#variable(operand.name);
        return this.#checkType(
          operand.fields.length === 0 ? value : this.#fieldChain(value, operand.fields, [operand], MISSING),
          type,
        );
      }
      case 'pipe':
        return this.#checkType(this.#pipeline(dot, operand.pipe), type);
      case 'identifier':
        return this.#checkType(this.#call(dot, operand.name, [], MISSING), type);
      case 'chain':
        return this.#checkType(
          this.#fieldChain(this.#argument(dot, 'any', operand.operand), operand.fields, [operand], MISSING),
          type,
        );
      default:
        return this.#checkType(this.#constant(operand), type);
    }
  }

  #constant(operand: Extract<Operand, { kind: 'bool' | 'string' | 'number' }>): GoValue {
    return operand.value;
  }

  #checkType(value: GoValue, type: ParamType): GoValue {
    if (type === 'any') return value;
    const ok =
      (type === 'string' && typeof value === 'string') ||
      (type === 'int' && typeof value === 'bigint') ||
      (type === 'bool' && typeof value === 'boolean') ||
      (type === 'map' && isObject(value));
    if (ok) return value;
    const expected = type === 'map' ? 'map[string]interface {}' : type;
    return isNil(value)
      ? this.#fail(`invalid value; expected ${expected}`)
      : this.#fail(`wrong type for value; expected ${expected}; got ${typeName(value)}`);
  }

  #variable(name: string): GoValue {
    for (let i = this.#variables.length - 1; i >= 0; i -= 1) {
      const variable = this.#variables[i];
      if (variable?.name === name) return variable.value;
    }
    return this.#fail(`undefined variable: ${name}`);
  }

  /** Sets the innermost variable of that name. */
  #setVariable(name: string, value: GoValue): void {
    for (let i = this.#variables.length - 1; i >= 0; i -= 1) {
      const variable = this.#variables[i];
      if (variable?.name === name) {
        variable.value = value;
        return;
      }
    }
    this.#fail(`undefined variable: ${name}`);
  }

  #write(text: string): void {
    this.#length += text.length;
    if (this.#length > this.#limits.maxOutputLength)
      this.#fail(`output exceeds ${this.#limits.maxOutputLength} characters`);
    this.#out.push(text);
  }

  #step(): void {
    this.#steps += 1;
    if (this.#steps > this.#limits.maxSteps) this.#fail(`more than ${this.#limits.maxSteps} evaluation steps`);
  }

  #fail(message: string): never {
    throw new Failure(message);
  }
}

function paramType(fn: TemplateFunction, index: number): ParamType {
  return fn.params[index] ?? fn.variadic ?? 'any';
}

/** Index (or key) and element of each turn of a range, in Go's order (map keys sorted). */
function* iterationsOf(value: GoValue): Generator<[GoValue, GoValue]> {
  if (Array.isArray(value)) {
    const list: readonly GoValue[] = value;
    for (let i = 0; i < list.length; i += 1) yield [BigInt(i), list[i]];
  } else if (value instanceof StringMap || isObject(value)) {
    yield* mapEntries(value);
  } else if (typeof value === 'bigint') {
    for (let i = 0n; i < value; i += 1n) yield [i, i];
  }
}
