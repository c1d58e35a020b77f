// The parse tree of a template.

export type Operand =
  | { readonly kind: 'field'; readonly offset: number; readonly fields: readonly string[] }
  | { readonly kind: 'variable'; readonly offset: number; readonly name: string; readonly fields: readonly string[] }
  | { readonly kind: 'dot'; readonly offset: number }
  | { readonly kind: 'nil'; readonly offset: number }
  | { readonly kind: 'bool'; readonly offset: number; readonly value: boolean }
  | { readonly kind: 'string'; readonly offset: number; readonly value: string; readonly text: string }
  | { readonly kind: 'number'; readonly offset: number; readonly value: bigint | number; readonly text: string }
  | { readonly kind: 'identifier'; readonly offset: number; readonly name: string }
  | { readonly kind: 'chain'; readonly offset: number; readonly operand: Operand; readonly fields: readonly string[] }
  | { readonly kind: 'pipe'; readonly offset: number; readonly pipe: Pipeline };

export interface Command {
  readonly offset: number;
  readonly args: readonly Operand[];
}

export interface Pipeline {
  readonly offset: number;
  /** Variables declared (":=") or assigned ("=") by this pipeline. */
  readonly declarations: readonly string[];
  readonly isAssign: boolean;
  readonly commands: readonly Command[];
}

export type TemplateNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'action'; readonly offset: number; readonly pipe: Pipeline }
  | ControlNode
  | { readonly kind: 'break' | 'continue'; readonly offset: number };

/** {{if}}, {{with}} and {{range}}, each with an optional {{else}} list. */
export interface ControlNode {
  readonly kind: 'if' | 'with' | 'range';
  readonly offset: number;
  readonly pipe: Pipeline;
  readonly list: readonly TemplateNode[];
  readonly elseList: readonly TemplateNode[] | undefined;
}

/** An operand as it was written, for error messages ("at <.foo.bar>"). */
export function describeOperand(operand: Operand): string {
  switch (operand.kind) {
    case 'field':
      return operand.fields.map((field) => `.${field}`).join('');
    case 'variable':
      return operand.name + operand.fields.map((field) => `.${field}`).join('');
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(operand.value);
    case 'string':
    case 'number':
      return operand.text;
    case 'identifier':
      return operand.name;
    case 'chain':
      return `(${describeOperand(operand.operand)})${operand.fields.map((field) => `.${field}`).join('')}`;
    case 'pipe':
      return `(${describePipeline(operand.pipe)})`;
  }
}

export function describePipeline(pipe: Pipeline): string {
  const declared = pipe.declarations.length > 0 ? `${pipe.declarations.join(', ')} ${pipe.isAssign ? '=' : ':='} ` : '';
  return declared + pipe.commands.map((command) => command.args.map(describeOperand).join(' ')).join(' | ');
}
