import type { z } from 'zod';
import type { IgnitionIssue } from './errors.ts';
import { formatFieldPath } from '@strata/api';

type PathSegment = string | number;

const describeValue = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `a string (${JSON.stringify(value)})`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
};

const describeType = (expected: string): string =>
  ({
    object: 'an object',
    array: 'an array',
    int: 'an integer',
    string: 'a string',
    number: 'a number',
    boolean: 'a boolean',
  })[expected] ?? expected;

// zod reports issues by path but not the value it found there, which the
// messages need ("expected a string, got number 3"); it is read back from the input.
function valueAt(input: unknown, path: readonly PropertyKey[]): { readonly present: boolean; readonly value: unknown } {
  let current: unknown = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) {
      return { present: false, value: undefined };
    }
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return { present: true, value: current };
}

const segments = (path: readonly PropertyKey[]): PathSegment[] =>
  path.map((key) => (typeof key === 'number' ? key : String(key)));

/** Turns zod's issues into IgnitionIssues with messages that say what was found. */
export function shapeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): IgnitionIssue[] {
  return issues.flatMap((issue): IgnitionIssue[] => {
    const path = segments(issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        return issue.keys.map((key) => ({
          path: formatFieldPath([...path, key]),
          message: `unknown field ${JSON.stringify(key)}`,
        }));
      case 'invalid_type': {
        const found = valueAt(input, issue.path);
        return [
          {
            path: formatFieldPath(path),
            message: found.present
              ? `expected ${describeType(issue.expected)}, got ${describeValue(found.value)}`
              : `required field is missing (expected ${describeType(issue.expected)})`,
          },
        ];
      }
      default:
        return [{ path: formatFieldPath(path), message: issue.message }];
    }
  });
}
