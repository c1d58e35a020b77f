// How template values behave and print, following Go. Values are what JSON
// gives (string, number as float64, boolean, null, arrays, objects) plus
// bigint for Go's int (number constants, len, range indexes) and a
// StringMap for map[string]string (the request's query labels), whose
// missing entries index to "" rather than to nil.
import { compareUtf8 } from '../matching/selector.ts';
import { renderGeneral } from './float-digits.ts';

export class StringMap {
  readonly entries: ReadonlyMap<string, string>;
  constructor(entries: ReadonlyMap<string, string>) {
    this.entries = entries;
  }
}

export type GoValue = string | number | bigint | boolean | null | undefined | readonly GoValue[] | StringMap | GoObject;
export interface GoObject {
  readonly [key: string]: GoValue;
}

export function isObject(value: GoValue): value is GoObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof StringMap);
}

export function isNil(value: GoValue): value is null | undefined {
  return value === null || value === undefined;
}

/** Go's type name for a value, as error messages and %T show it. */
export function typeName(value: GoValue): string {
  if (isNil(value)) return '<nil>';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'float64';
    case 'bigint':
      return 'int';
    case 'boolean':
      return 'bool';
  }
  if (Array.isArray(value)) return '[]interface {}';
  if (value instanceof StringMap) return 'map[string]string';
  return 'map[string]interface {}';
}

/** Go's template truth: false, 0, nil and empty strings, lists and maps are false. */
export function isTrue(value: GoValue): boolean {
  if (isNil(value)) return false;
  switch (typeof value) {
    case 'string':
      return value.length > 0;
    case 'number':
      return value !== 0;
    case 'bigint':
      return value !== 0n;
    case 'boolean':
      return value;
  }
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof StringMap) return value.entries.size > 0;
  return Object.keys(value).length > 0;
}

/** Sorted keys and values of a map value, in Go's printing and ranging order. */
export function mapEntries(value: StringMap | GoObject): [string, GoValue][] {
  const entries: [string, GoValue][] = value instanceof StringMap ? [...value.entries] : Object.entries(value);
  return entries.sort(([a], [b]) => compareUtf8(a, b));
}

/** What {{.x}} prints: fmt's %v, except that a nil value prints as "<no value>". */
export function printAction(value: GoValue): string {
  return isNil(value) ? '<no value>' : formatValue(value);
}

/** fmt's %v. */
export function formatValue(value: GoValue): string {
  if (isNil(value)) return '<nil>';
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return formatFloat(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
  }
  if (Array.isArray(value)) return `[${value.map(formatValue).join(' ')}]`;
  return `map[${mapEntries(value as StringMap | GoObject)
    .map(([key, entry]) => `${key}:${formatValue(entry)}`)
    .join(' ')}]`;
}

/**
 * Go's %v for a float64 (strconv's 'g' with the shortest precision): %e form
 * when the decimal exponent is below -4 or at least 6, so a JSON number such
 * as 1000000 prints as "1e+06" in matchbox's templates, and so here.
 */
export function formatFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  return sign + renderGeneral(Math.abs(x), undefined, false);
}
