// A compiled Go template: parse once (per snapshot), render per request.
import { FUNCTION_NAMES } from './builtins.ts';
import { DEFAULT_LIMITS, execute, type ExecutionLimits } from './exec.ts';
import type { TemplateNode } from './nodes.ts';
import { parseTemplate } from './parser.ts';
import type { GoValue } from './values.ts';

export class GoTemplate {
  readonly name: string;
  readonly #source: string;
  readonly #nodes: readonly TemplateNode[];

  private constructor(name: string, source: string, nodes: readonly TemplateNode[]) {
    this.name = name;
    this.#source = source;
    this.#nodes = nodes;
  }

  /** Throws TemplateParseError naming the template, line and column. */
  static parse(name: string, source: string): GoTemplate {
    return new GoTemplate(name, source, parseTemplate(name, source, FUNCTION_NAMES));
  }

  /** Throws TemplateExecError (a missing key, a wrong type, a limit reached). */
  render(data: GoValue, limits: ExecutionLimits = DEFAULT_LIMITS): string {
    return execute(this.name, this.#source, this.#nodes, data, limits);
  }
}

/** Parses and renders in one step. */
export function renderGoTemplate(name: string, source: string, data: GoValue, limits?: ExecutionLimits): string {
  return GoTemplate.parse(name, source).render(data, limits);
}
