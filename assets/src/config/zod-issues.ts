import type { z } from 'zod';
import type { Finding } from './issue.ts';
import { formatFieldPath, valueAt, type FieldPath } from './path.ts';
import { allKeys, fieldDocs, objectKeysAt } from './schema-walk.ts';
import { closestMatch } from './suggest.ts';

// zod's own messages ("Invalid input: expected string, received number") are
// written for programmers; these are for someone editing a YAML file.

function yamlKind(value: unknown): string {
  if (value === null) {
    return 'empty';
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (typeof value === 'object') {
    return 'a mapping';
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? 'a whole number' : 'a number';
  }
  if (typeof value === 'boolean') {
    return 'true/false';
  }
  return typeof value === 'string' ? 'text' : typeof value;
}

const EXPECTED: Readonly<Record<string, string>> = {
  object: 'a mapping',
  array: 'a list',
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

function quoteList(values: readonly unknown[]): string {
  const quoted = values.map((value) => JSON.stringify(value));
  return quoted.length <= 2 ? quoted.join(' or ') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1) ?? ''}`;
}

/** Readable messages for zod's built-in checks; schemas that set their own message keep it. */
export function readableMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) {
        return 'is required';
      }
      return `must be ${EXPECTED[issue.expected] ?? issue.expected}, not ${yamlKind(issue.input)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${quoteList(issue.values)}`;
    case 'too_small': {
      const minimum = Number(issue.minimum);
      if (issue.origin === 'array') {
        return minimum === 1 ? 'must not be empty' : `must have at least ${minimum} entries`;
      }
      if (issue.origin === 'string') {
        return minimum === 1 ? 'must not be empty' : `must be at least ${minimum} characters long`;
      }
      return issue.inclusive === false ? `must be greater than ${minimum}` : `must be at least ${minimum}`;
    }
    case 'too_big': {
      const maximum = Number(issue.maximum);
      if (issue.origin === 'array') {
        return `must have at most ${maximum} entries`;
      }
      if (issue.origin === 'string') {
        return `must be at most ${maximum} characters long`;
      }
      return issue.inclusive === false ? `must be less than ${maximum}` : `must be at most ${maximum}`;
    }
    case 'unrecognized_keys':
      return 'is not a known field';
    default:
      return undefined;
  }
}

function hintOf(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code !== 'custom') {
    return undefined;
  }
  const hint: unknown = issue.params?.['hint'];
  return typeof hint === 'string' ? hint : undefined;
}

function inlineYaml(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(inlineYaml).join(', ')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    return `{ ${Object.entries(value)
      .map(([key, inner]) => `${key}: ${inlineYaml(inner)}`)
      .join(', ')} }`;
  }
  return typeof value === 'string' && /^[\w./@-]+$/.test(value) ? value : JSON.stringify(value);
}

function missingFieldHint(root: z.ZodType, path: FieldPath): string | undefined {
  const key = path.at(-1);
  const docs = fieldDocs(root, path);
  const example = docs.examples?.[0];
  if (typeof key === 'string' && example !== undefined) {
    return `add it, e.g. ${key}: ${inlineYaml(example)}`;
  }
  return docs.description === undefined ? undefined : `add it: ${docs.description}`;
}

function wrongTypeHint(expected: string, value: unknown, root: z.ZodType, path: FieldPath): string | undefined {
  if (value === null) {
    return 'give it a value, or delete the line to use the default';
  }
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
    return `quote it: "${String(value)}"`;
  }
  if (expected === 'array' && !Array.isArray(value)) {
    return `write a list: [${inlineYaml(value)}], or one "- item" per line`;
  }
  const example = fieldDocs(root, path).examples?.[0];
  return example === undefined ? undefined : `e.g. ${inlineYaml(example)}`;
}

function unknownKeyHint(root: z.ZodType, parent: FieldPath, key: string): string | undefined {
  const allowed = objectKeysAt(root, parent) ?? [];
  const match = closestMatch(key, allowed);
  if (match !== undefined) {
    return `did you mean "${match}"?`;
  }
  const elsewhere = allKeys(root).filter((field) => field.key.toLowerCase() === key.toLowerCase());
  const home = elsewhere[0];
  if (home !== undefined) {
    const where = home.parent === '' ? 'at the top level' : `under ${home.parent}`;
    return `"${home.key}" belongs ${where}${elsewhere.length > 1 ? ' (among other places)' : ''}`;
  }
  const here = formatFieldPath(parent);
  return `${here === '' ? 'fields at the top level' : `fields of ${here}`}: ${allowed.join(', ')}`;
}

function toPath(path: readonly PropertyKey[]): FieldPath {
  return path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
}

function withValue(input: unknown, path: FieldPath): { value?: unknown } {
  const { value, present } = valueAt(input, path);
  return present ? { value } : {};
}

/** Turns zod's issues into findings with values and hints; unknown keys become one finding each. */
export function findingsFromZod(issues: readonly z.core.$ZodIssue[], input: unknown, root: z.ZodType): Finding[] {
  return issues.flatMap((issue): Finding[] => {
    const path = toPath(issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        return issue.keys.map((key) => ({
          path: [...path, key],
          message: issue.message,
          hint: unknownKeyHint(root, path, key),
          atKey: true,
          ...withValue(input, [...path, key]),
        }));
      case 'invalid_key':
        return issue.issues.map((inner) => ({
          path,
          message: `key ${inner.message}`,
          hint: hintOf(inner),
          atKey: true,
          value: path.at(-1),
        }));
      case 'invalid_type': {
        const { present } = valueAt(input, path);
        const hint = present
          ? wrongTypeHint(issue.expected, valueAt(input, path).value, root, path)
          : missingFieldHint(root, path);
        return [{ path, message: issue.message, hint, ...withValue(input, path) }];
      }
      case 'invalid_value': {
        const { value } = valueAt(input, path);
        const match = typeof value === 'string' ? closestMatch(value, issue.values.map(String)) : undefined;
        return [
          {
            path,
            message: issue.message,
            hint: match === undefined ? undefined : `did you mean "${match}"?`,
            ...withValue(input, path),
          },
        ];
      }
      default:
        return [{ path, message: issue.message, hint: hintOf(issue), ...withValue(input, path) }];
    }
  });
}
