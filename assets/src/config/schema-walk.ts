import { z } from 'zod';
import type { FieldPath } from './path.ts';

// Finds the schema of a field by its path, so that messages about a field can
// use what the schema knows (its keys, description, examples) instead of a
// second hand-written table that would drift from it.

function unwrapOnce(schema: z.ZodType): z.ZodType | undefined {
  if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable ||
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodReadonly ||
    schema instanceof z.ZodCatch
  ) {
    return schema.unwrap() as z.ZodType;
  }
  if (schema instanceof z.ZodPipe) {
    return schema.in as z.ZodType;
  }
  return undefined;
}

/** The schema and every wrapper around it, outermost first. */
function layers(schema: z.ZodType): z.ZodType[] {
  const all = [schema];
  for (let inner = unwrapOnce(schema); inner !== undefined; inner = unwrapOnce(inner)) {
    all.push(inner);
  }
  return all;
}

function core(schema: z.ZodType): z.ZodType {
  return layers(schema).at(-1) ?? schema;
}

export function schemaAt(root: z.ZodType, path: FieldPath): z.ZodType | undefined {
  let schema: z.ZodType | undefined = root;
  for (const segment of path) {
    if (schema === undefined) {
      return undefined;
    }
    const inner = core(schema);
    if (inner instanceof z.ZodObject && typeof segment === 'string') {
      schema = Object.hasOwn(inner.shape, segment) ? (inner.shape[segment] as z.ZodType) : undefined;
    } else if (inner instanceof z.ZodArray && typeof segment === 'number') {
      schema = inner.element as z.ZodType;
    } else if (inner instanceof z.ZodRecord && typeof segment === 'string') {
      schema = inner.valueType as z.ZodType;
    } else {
      return undefined;
    }
  }
  return schema;
}

/** The keys an object at `path` allows, if an object belongs there. */
export function objectKeysAt(root: z.ZodType, path: FieldPath): string[] | undefined {
  const schema = schemaAt(root, path);
  const inner = schema === undefined ? undefined : core(schema);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : undefined;
}

/** Every object key in the schema with where it belongs, e.g. `podCidr` → `networking`, `effect` → `workerPools[].taints[]`. */
export function allKeys(root: z.ZodType): { key: string; parent: string }[] {
  const found: { key: string; parent: string }[] = [];
  const visit = (schema: z.ZodType, parent: string): void => {
    const inner = core(schema);
    if (inner instanceof z.ZodObject) {
      for (const [key, child] of Object.entries(inner.shape)) {
        found.push({ key, parent });
        visit(child as z.ZodType, parent === '' ? key : `${parent}.${key}`);
      }
    } else if (inner instanceof z.ZodArray) {
      visit(inner.element as z.ZodType, `${parent}[]`);
    }
  };
  visit(root, '');
  return found;
}

export interface FieldDocs {
  readonly description?: string;
  readonly examples?: readonly unknown[];
}

/** Description and examples of the field at `path`, from whichever wrapper carries them. */
export function fieldDocs(root: z.ZodType, path: FieldPath): FieldDocs {
  const schema = schemaAt(root, path);
  if (schema === undefined) {
    return {};
  }
  let docs: FieldDocs = {};
  for (const layer of layers(schema).reverse()) {
    const meta = layer.meta();
    const examples = meta?.['examples'];
    docs = {
      ...docs,
      ...(typeof meta?.description === 'string' ? { description: meta.description } : {}),
      ...(Array.isArray(examples) ? { examples: examples as unknown[] } : {}),
    };
  }
  return docs;
}
