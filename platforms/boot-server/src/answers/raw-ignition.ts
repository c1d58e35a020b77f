// Serving an *.ign/*.ignition file as matchbox does: decoded as an Ignition
// 3.0-3.4 config the way Go decodes JSON into Ignition's types (unknown keys
// such as "_comment" dropped, keys matched case-insensitively, null leaving a
// field at its zero value), then encoded as a 3.4.0 config the way Go encodes
// those types (their field order, empty optional fields left out). A file
// that does not decode is refused; matchbox would serve an empty config.
import { z } from 'zod';
import { StrataError } from '@strata/api';
import { IGNITION_FIELD_TREES } from './ignition-fields.ts';

/** A raw Ignition file that cannot be served; `field` names where decoding stopped. */
export class RawIgnitionError extends StrataError {}

type Shape = 'string' | 'int' | 'bool' | readonly [Shape] | { readonly fields: readonly Field[] };
type Field = readonly [name: string, pointer: boolean, omitEmpty: boolean, shape: Shape];

const shapeSchema: z.ZodType<Shape> = z.lazy(() =>
  z.union([
    z.enum(['string', 'int', 'bool']),
    z.tuple([shapeSchema]).readonly(),
    z.object({ fields: z.array(z.tuple([z.string(), z.boolean(), z.boolean(), shapeSchema]).readonly()).readonly() }),
  ]),
);

const TREES: ReadonlyMap<string, Shape> = new Map(
  Object.entries(z.record(z.string(), shapeSchema).parse(IGNITION_FIELD_TREES)),
);
export const RAW_IGNITION_VERSION = '3.4.0';
const TARGET = TREES.get(RAW_IGNITION_VERSION);

/** A decoded Go value: absent (undefined) is Go's zero value or a nil pointer. */
type GoValue = string | number | boolean | readonly (GoValue | undefined)[] | GoStruct;
interface GoStruct {
  readonly [field: string]: GoValue | undefined;
}

/** The config as matchbox serves it, or a RawIgnitionError saying why it cannot be served. */
export function serveRawIgnition(text: string): string {
  if (TARGET === undefined) throw new RawIgnitionError('no Ignition 3.4.0 field tree', {});
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RawIgnitionError(`is not JSON: ${error instanceof Error ? error.message : String(error)}`, {});
  }
  const version = declaredVersion(json);
  const tree = version === undefined ? undefined : TREES.get(version);
  if (version === undefined || tree === undefined) {
    throw new RawIgnitionError(`declares no Ignition version from 3.0.0 to 3.4.0 (${JSON.stringify(version)})`, {
      field: 'ignition.version',
    });
  }
  const decoded = decode(tree, json, 'config');
  // Ignition's translations to 3.4 copy every field by name, then set the version.
  const translated = withVersion(decoded);
  return encode(TARGET, translated);
}

function declaredVersion(json: unknown): string | undefined {
  if (!isObject(json)) return undefined;
  const ignition = fieldOf(json, 'ignition');
  if (!isObject(ignition)) return undefined;
  const version = fieldOf(ignition, 'version');
  return typeof version === 'string' ? version : undefined;
}

function withVersion(config: GoValue): GoStruct {
  const root = isStruct(config) ? config : {};
  const ignition = isStruct(root.ignition) ? root.ignition : {};
  return { ...root, ignition: { ...ignition, version: RAW_IGNITION_VERSION } };
}

function decode(shape: Shape, json: unknown, at: string): GoValue {
  if (shape === 'string') {
    if (typeof json !== 'string') throw typeError(at, 'a string', json);
    return json;
  }
  if (shape === 'int') {
    if (typeof json !== 'number' || !Number.isInteger(json)) throw typeError(at, 'an integer', json);
    return json;
  }
  if (shape === 'bool') {
    if (typeof json !== 'boolean') throw typeError(at, 'a boolean', json);
    return json;
  }
  if (isSliceShape(shape)) {
    if (!Array.isArray(json)) throw typeError(at, 'a list', json);
    const element = shape[0];
    return json.map((item: unknown, index) => (item === null ? undefined : decode(element, item, `${at}.${index}`)));
  }
  if (!isObject(json)) throw typeError(at, 'an object', json);
  const out: Record<string, GoValue | undefined> = {};
  for (const [key, value] of Object.entries(json)) {
    const field = fieldFor(shape.fields, key);
    if (field === undefined) continue; // Go ignores keys its types do not have.
    const [name, pointer, , fieldShape] = field;
    if (value === null) {
      // Go sets a pointer to nil and leaves any other field as it was.
      if (pointer) out[name] = undefined;
      continue;
    }
    out[name] = decode(fieldShape, value, `${at}.${name}`);
  }
  return out;
}

/** Go matches a JSON key to a field exactly, else ignoring case. */
function fieldFor(fields: readonly Field[], key: string): Field | undefined {
  const exact = fields.find(([name]) => name === key);
  if (exact !== undefined) return exact;
  const folded = key.toLowerCase();
  return fields.find(([name]) => name.toLowerCase() === folded);
}

function fieldOf(object: Record<string, unknown>, key: string): unknown {
  if (key in object) return object[key];
  const match = Object.keys(object).findLast((name) => name.toLowerCase() === key);
  return match === undefined ? undefined : object[match];
}

function encode(shape: Shape, value: GoValue | undefined): string {
  if (shape === 'string') return goString(typeof value === 'string' ? value : '');
  if (shape === 'int') return String(typeof value === 'number' ? value : 0);
  if (shape === 'bool') return String(value === true);
  if (isSliceShape(shape)) {
    if (!Array.isArray(value)) return 'null';
    return `[${value.map((item: GoValue | undefined) => encode(shape[0], item)).join(',')}]`;
  }
  const struct = isStruct(value) ? value : {};
  const members: string[] = [];
  for (const [name, pointer, omitEmpty, fieldShape] of shape.fields) {
    const field = struct[name];
    if (pointer) {
      if (field === undefined) {
        if (!omitEmpty) members.push(`${goString(name)}:null`);
        continue;
      }
    } else if (omitEmpty && isEmpty(fieldShape, field)) {
      continue;
    }
    members.push(`${goString(name)}:${encode(fieldShape, field)}`);
  }
  return `{${members.join(',')}}`;
}

/** Go's omitempty: the zero string, number and boolean, and an empty list; never a struct. */
function isEmpty(shape: Shape, value: GoValue | undefined): boolean {
  if (shape === 'string' || shape === 'int' || shape === 'bool') return value === undefined || !value;
  if (isSliceShape(shape)) return !Array.isArray(value) || value.length === 0;
  return false;
}

/** A JSON string as Go writes it: HTML-sensitive characters and the line separators escaped. */
function goString(text: string): string {
  return JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (character) => {
    return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

function typeError(at: string, expected: string, json: unknown): RawIgnitionError {
  const found = json === null ? 'null' : Array.isArray(json) ? 'a list' : `a ${typeof json}`;
  return new RawIgnitionError(`${at} must be ${expected}, not ${found}`, { field: at });
}

function isSliceShape(shape: Shape): shape is readonly [Shape] {
  return Array.isArray(shape);
}

function isStruct(value: GoValue | undefined): value is GoStruct {
  return typeof value === 'object' && !Array.isArray(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
