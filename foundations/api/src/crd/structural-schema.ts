import { z } from 'zod';
import { StrataError } from '../errors/strata-error.ts';

/** The zod schema uses something a CRD's structural schema cannot express. */
export class StructuralSchemaError extends StrataError {}

/** An OpenAPI v3 schema node as a CRD carries it. */
export type JsonSchema = { [key: string]: JsonValue };
type JsonValue = string | number | boolean | null | JsonValue[] | JsonSchema;

const isSchema = (value: JsonValue | undefined): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// zod bounds every z.int() by the safe-integer range; for the API server an integer is int64 anyway.
const SAFE_BOUNDS: Readonly<Record<string, number>> = {
  minimum: Number.MIN_SAFE_INTEGER,
  maximum: Number.MAX_SAFE_INTEGER,
};

function structural(node: JsonSchema, path: string): JsonSchema {
  const result: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'additionalProperties' && value === false) continue; // Unknown fields are pruned (or refused under strict field validation).
    // Any value at all: z.unknown() has no type, and the API server takes the preserved fields without one.
    if (
      key === 'additionalProperties' &&
      node['x-kubernetes-preserve-unknown-fields'] === true &&
      isSchema(value) &&
      Object.keys(value).length === 0
    )
      continue;
    if (SAFE_BOUNDS[key] === value) continue;
    // The API server checks date-times by their format; zod's pattern for them uses syntax RE2 does not have.
    if (key === 'pattern' && node['format'] === 'date-time') continue;
    // An object with no fields (a marker such as `disabled: {}`): the API server stores no empty `properties`, so
    // the CRD carries none, and what is applied is what the server keeps.
    if (key === 'properties' && isSchema(value) && Object.keys(value).length === 0) continue;
    if (key === 'properties' && isSchema(value)) {
      result[key] = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [name, structural(child as JsonSchema, `${path}.${name}`)]),
      );
    } else if ((key === 'items' || key === 'additionalProperties') && isSchema(value)) {
      result[key] = structural(value, `${path}[]`);
    } else {
      result[key] = value;
    }
  }
  if (result['x-kubernetes-int-or-string'] === true) {
    // Kubernetes' IntOrString, in the one form the API server takes: the value rules of each branch become CEL.
    result['anyOf'] = [{ type: 'integer' }, { type: 'string' }];
    delete result['type'];
  }
  for (const combinator of ['anyOf', 'oneOf', 'allOf', 'not']) {
    if (combinator in result && !(combinator === 'anyOf' && result['x-kubernetes-int-or-string'] === true))
      throw new StructuralSchemaError(`${path}: ${combinator} has no structural form; use kubernetes() rules`, {
        path,
      });
  }
  if (result['type'] === undefined && result['x-kubernetes-int-or-string'] !== true) {
    throw new StructuralSchemaError(`${path}: a structural schema gives every field a type`, { path });
  }
  return result;
}

/**
 * The OpenAPI v3 schema a CRD version carries for `schema`: its input form (so defaults are optional), with every
 * kubernetes() rule, and nothing the API server would refuse as non-structural.
 */
export function structuralSchema(schema: z.ZodType): JsonSchema {
  const converted = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io: 'input',
    unrepresentable: 'throw',
  }) as JsonSchema;
  // The dialect marker is JSON Schema's, not Kubernetes'.
  delete converted['$schema'];
  return structural(converted, '');
}
