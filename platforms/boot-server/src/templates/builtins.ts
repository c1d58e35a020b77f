// The functions a template may call: Go's predefined template functions
// (except "call", which would call into the data) and a small, side-effect
// free part of Sprig, the library matchbox adds. Sprig's env, expandenv,
// file, random and crypto functions are deliberately absent: a template can
// only compute on the data it is given.
import { compareUtf8 } from '../matching/selector.ts';
import { goQuote, sprint, sprintf, sprintln } from './printf.ts';
import { formatValue, isNil, isObject, isTrue, StringMap, typeName, type GoObject, type GoValue } from './values.ts';

export type ParamType = 'any' | 'string' | 'int' | 'bool' | 'map';

export interface TemplateFunction {
  readonly params: readonly ParamType[];
  readonly variadic?: ParamType;
  /** and/or: arguments are evaluated only as far as needed. */
  readonly lazy?: boolean;
  readonly call: (args: readonly GoValue[]) => GoValue;
}

/** Thrown by a function; the executor adds the template position. */
export class FunctionError extends Error {}

const fail = (message: string): never => {
  throw new FunctionError(message);
};

type BasicKind = 'bool' | 'int' | 'float' | 'string' | 'invalid';

function basicKind(value: GoValue): BasicKind {
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
    default:
      return 'invalid';
  }
}

function equal(a: GoValue, b: GoValue): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka !== kb) {
    if (!isNil(a) && !isNil(b)) fail('incompatible types for comparison');
    return false;
  }
  if (ka !== 'invalid') return a === b;
  if (isNil(a) || isNil(b)) return isNil(a) && isNil(b);
  return fail(`non-comparable types ${typeName(a)}: ${typeName(b)}`);
}

function less(a: GoValue, b: GoValue): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'invalid' || kb === 'invalid' || ka === 'bool' || kb === 'bool') fail('invalid type for comparison');
  if (ka !== kb) fail('incompatible types for comparison');
  if (ka === 'string') return compareUtf8(a as string, b as string) < 0;
  return (a as number | bigint) < (b as number | bigint);
}

function length(value: GoValue): bigint {
  if (isNil(value)) return fail('len of nil pointer');
  if (typeof value === 'string') return BigInt(Buffer.byteLength(value, 'utf8'));
  if (Array.isArray(value)) return BigInt(value.length);
  if (value instanceof StringMap) return BigInt(value.entries.size);
  if (isObject(value)) return BigInt(Object.keys(value).length);
  return fail(`len of type ${typeName(value)}`);
}

function indexArg(index: GoValue, size: number, what: string): number {
  if (typeof index !== 'bigint') return fail(`cannot index ${what} with type ${typeName(index)}`);
  if (index < 0n || index >= BigInt(size)) return fail(`index out of range: ${index}`);
  return Number(index);
}

function mapKey(index: GoValue): string {
  if (isNil(index)) return fail('value is nil; should be of type string');
  if (typeof index !== 'string') return fail(`value has type ${typeName(index)}; should be string`);
  return index;
}

function indexInto(item: GoValue, indexes: readonly GoValue[]): GoValue {
  if (isNil(item)) return fail('index of untyped nil');
  let current: GoValue = item;
  for (const index of indexes) {
    if (isNil(current)) return fail('index of nil pointer');
    if (typeof current === 'string') {
      const bytes: Buffer = Buffer.from(current, 'utf8');
      current = BigInt(bytes[indexArg(index, bytes.length, 'string')] ?? 0);
    } else if (Array.isArray(current)) {
      const list: readonly GoValue[] = current;
      current = list[indexArg(index, list.length, 'slice/array')];
    } else if (current instanceof StringMap) {
      current = current.entries.get(mapKey(index)) ?? '';
    } else if (isObject(current)) {
      const key = mapKey(index);
      current = Object.hasOwn(current, key) ? current[key] : undefined;
    } else {
      return fail(`can't index item of type ${typeName(current)}`);
    }
  }
  return current;
}

function sliceOf(item: GoValue, indexes: readonly GoValue[]): GoValue {
  if (isNil(item)) return fail('slice of untyped nil');
  if (indexes.length > 3) return fail(`too many slice indexes: ${indexes.length}`);
  const isString = typeof item === 'string';
  if (!isString && !Array.isArray(item)) return fail(`can't slice item of type ${typeName(item)}`);
  if (isString && indexes.length === 3) return fail('cannot 3-index slice a string');
  const bytes = isString ? Buffer.from(item, 'utf8') : undefined;
  const size = bytes?.length ?? (item as readonly GoValue[]).length;
  const bounds = [0, size, size];
  indexes.forEach((index, at) => {
    if (typeof index !== 'bigint') fail(`cannot index slice/array with type ${typeName(index)}`);
    const value = Number(index);
    if (value < 0 || value > size) fail(`index out of range: ${value}`);
    bounds[at] = value;
  });
  const [low = 0, high = size] = bounds;
  if (low > high) return fail(`invalid slice index: ${low} > ${high}`);
  if (bytes !== undefined) return bytes.subarray(low, high).toString('utf8');
  return (item as readonly GoValue[]).slice(low, high);
}

/** One string from the arguments of html, js, urlquery: the string itself, or fmt.Sprint of them all. */
function argsText(args: readonly GoValue[]): string {
  const [first] = args;
  return args.length === 1 && typeof first === 'string' ? first : sprint(args);
}

function htmlEscape(text: string): string {
  return text.replace(
    /[&'<>"\0]/g,
    (char) => ({ '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;', '\0': '\ufffd' })[char] ?? char,
  );
}

function jsEscape(text: string): string {
  let out = '';
  for (const char of text) {
    const point = char.codePointAt(0) ?? 0;
    if (char === '\\') out += '\\\\';
    else if (char === "'") out += "\\'";
    else if (char === '"') out += '\\"';
    else if (char === '<') out += '\\u003C';
    else if (char === '>') out += '\\u003E';
    else if (char === '&') out += '\\u0026';
    else if (char === '=') out += '\\u003D';
    else if (point < 0x20) out += `\\u${point.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += char;
  }
  return out;
}

/** url.QueryEscape: unreserved characters stay, spaces become "+", the rest %XX. */
function queryEscape(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(char)) out += char;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Sprig's notion of empty, used by default, empty and coalesce. */
function isEmpty(value: GoValue): boolean {
  return !isTrue(value);
}

/** Sprig's strval: a string as is, anything else as fmt's %v. */
function stringValue(value: GoValue): string {
  return typeof value === 'string' ? value : formatValue(value);
}

/** Go's json.Marshal: sorted keys, HTML-safe escapes. Unlike JSON.stringify it keeps bigint (int). */
function toJson(value: GoValue): string {
  const encode = (item: GoValue): string => {
    if (isNil(item)) return 'null';
    if (typeof item === 'bigint') return item.toString();
    if (typeof item === 'number') return Number.isFinite(item) ? JSON.stringify(item) : fail('json: unsupported value');
    if (typeof item === 'string' || typeof item === 'boolean') return JSON.stringify(item);
    if (Array.isArray(item)) return `[${(item as readonly GoValue[]).map(encode).join(',')}]`;
    const entries: [string, GoValue][] =
      item instanceof StringMap ? [...item.entries] : Object.entries(item as GoObject);
    entries.sort(([a], [b]) => compareUtf8(a, b));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${encode(entry)}`).join(',')}}`;
  };
  return encode(value).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function indent(spaces: bigint, text: string): string {
  if (spaces < 0n || spaces > 10_000n) return fail(`indent of ${spaces} spaces is out of range`);
  const pad = ' '.repeat(Number(spaces));
  return pad + text.replaceAll('\n', `\n${pad}`);
}

const anyArgs = (call: (args: readonly GoValue[]) => GoValue): TemplateFunction => ({
  params: [],
  variadic: 'any',
  call,
});

export const BUILTINS: ReadonlyMap<string, TemplateFunction> = new Map<string, TemplateFunction>([
  // Go's predefined functions.
  ['and', { params: ['any'], variadic: 'any', lazy: true, call: () => fail('and is evaluated lazily') }],
  ['or', { params: ['any'], variadic: 'any', lazy: true, call: () => fail('or is evaluated lazily') }],
  ['not', { params: ['any'], call: ([value]) => !isTrue(value) }],
  ['len', { params: ['any'], call: ([value]) => length(value) }],
  ['index', { params: ['any'], variadic: 'any', call: ([item, ...indexes]) => indexInto(item, indexes) }],
  ['slice', { params: ['any'], variadic: 'any', call: ([item, ...indexes]) => sliceOf(item, indexes) }],
  [
    'eq',
    {
      params: ['any'],
      variadic: 'any',
      call: ([first, ...others]) =>
        others.length === 0 ? fail('missing argument for comparison') : others.some((other) => equal(first, other)),
    },
  ],
  ['ne', { params: ['any', 'any'], call: ([a, b]) => !equal(a, b) }],
  ['lt', { params: ['any', 'any'], call: ([a, b]) => less(a, b) }],
  ['le', { params: ['any', 'any'], call: ([a, b]) => less(a, b) || equal(a, b) }],
  ['gt', { params: ['any', 'any'], call: ([a, b]) => !(less(a, b) || equal(a, b)) }],
  ['ge', { params: ['any', 'any'], call: ([a, b]) => !less(a, b) }],
  ['print', anyArgs((args) => sprint(args))],
  ['println', anyArgs((args) => sprintln(args))],
  ['printf', { params: ['string'], variadic: 'any', call: ([format, ...args]) => sprintf(format as string, args) }],
  ['html', anyArgs((args) => htmlEscape(argsText(args)))],
  ['js', anyArgs((args) => jsEscape(argsText(args)))],
  ['urlquery', anyArgs((args) => queryEscape(argsText(args)))],
  // Sprig, the side-effect free part matchbox templates use.
  ['default', { params: ['any'], variadic: 'any', call: ([fallback, given]) => (isEmpty(given) ? fallback : given) }],
  ['empty', { params: ['any'], call: ([value]) => isEmpty(value) }],
  ['coalesce', anyArgs((args) => args.find((arg) => !isEmpty(arg)))],
  [
    'ternary',
    {
      params: ['any', 'any', 'bool'],
      call: ([whenTrue, whenFalse, condition]) => (condition === true ? whenTrue : whenFalse),
    },
  ],
  ['hasKey', { params: ['map', 'string'], call: ([map, key]) => Object.hasOwn(map as GoObject, key as string) }],
  ['upper', { params: ['string'], call: ([text]) => (text as string).toUpperCase() }],
  ['lower', { params: ['string'], call: ([text]) => (text as string).toLowerCase() }],
  ['trim', { params: ['string'], call: ([text]) => (text as string).trim() }],
  [
    'trimPrefix',
    {
      params: ['string', 'string'],
      call: ([prefix, text]) =>
        (text as string).startsWith(prefix as string) ? (text as string).slice((prefix as string).length) : text,
    },
  ],
  [
    'trimSuffix',
    {
      params: ['string', 'string'],
      call: ([suffix, text]) =>
        (text as string).endsWith(suffix as string) && suffix !== ''
          ? (text as string).slice(0, -(suffix as string).length)
          : text,
    },
  ],
  [
    'replace',
    {
      params: ['string', 'string', 'string'],
      call: ([from, to, text]) => (text as string).replaceAll(from as string, to as string),
    },
  ],
  ['contains', { params: ['string', 'string'], call: ([part, text]) => (text as string).includes(part as string) }],
  [
    'hasPrefix',
    { params: ['string', 'string'], call: ([prefix, text]) => (text as string).startsWith(prefix as string) },
  ],
  [
    'hasSuffix',
    { params: ['string', 'string'], call: ([suffix, text]) => (text as string).endsWith(suffix as string) },
  ],
  [
    'quote',
    anyArgs((args) =>
      args
        .filter((arg) => !isNil(arg))
        .map((arg) => goQuote(stringValue(arg)))
        .join(' '),
    ),
  ],
  [
    'squote',
    anyArgs((args) =>
      args
        .filter((arg) => !isNil(arg))
        .map((arg) => `'${stringValue(arg)}'`)
        .join(' '),
    ),
  ],
  [
    'join',
    {
      params: ['string', 'any'],
      call: ([separator, list]) =>
        (Array.isArray(list)
          ? (list as readonly GoValue[]).filter((item) => !isNil(item)).map(stringValue)
          : [stringValue(list)]
        ).join(separator as string),
    },
  ],
  [
    'splitList',
    { params: ['string', 'string'], call: ([separator, text]) => (text as string).split(separator as string) },
  ],
  ['list', anyArgs((args) => [...args])],
  ['toString', { params: ['any'], call: ([value]) => stringValue(value) }],
  ['toJson', { params: ['any'], call: ([value]) => toJson(value) }],
  ['b64enc', { params: ['string'], call: ([text]) => Buffer.from(text as string, 'utf8').toString('base64') }],
  ['b64dec', { params: ['string'], call: ([text]) => Buffer.from(text as string, 'base64').toString('utf8') }],
  ['indent', { params: ['int', 'string'], call: ([spaces, text]) => indent(spaces as bigint, text as string) }],
  ['nindent', { params: ['int', 'string'], call: ([spaces, text]) => `\n${indent(spaces as bigint, text as string)}` }],
]);

export const FUNCTION_NAMES: ReadonlySet<string> = new Set(BUILTINS.keys());
