// fmt.Sprintf, fmt.Sprint and fmt.Sprintln for template values: the verbs
// v s q d x X o O b c U t e E f F g G T and %, the flags "+- #0", width and
// precision (also "*"), and Go's error forms (%!d(string=x), %!v(MISSING),
// %!(EXTRA ...)). Hexadecimal floats and argument indexes ("%[1]d") are not
// supported and print as Go prints a bad verb.
import { renderExponent, renderFixed, renderGeneral, digitsForExponent, digitsForFixed } from './float-digits.ts';
import { formatValue, isNil, mapEntries, typeName, type GoValue, type StringMap } from './values.ts';

interface Spec {
  readonly plus: boolean;
  readonly minus: boolean;
  readonly sharp: boolean;
  readonly space: boolean;
  readonly zero: boolean;
  readonly width: number | undefined;
  readonly precision: number | undefined;
  readonly verb: string;
}

/** Go's fmt refuses widths and precisions past a million. */
const TOO_LARGE = 1_000_000;

export function sprintf(format: string, args: readonly GoValue[]): string {
  let out = '';
  let next = 0;
  const chars = [...format];
  for (let i = 0; i < chars.length; i += 1) {
    const char = chars[i] ?? '';
    if (char !== '%') {
      out += char;
      continue;
    }
    i += 1;
    const flags = { plus: false, minus: false, sharp: false, space: false, zero: false };
    for (; i < chars.length; i += 1) {
      const flag = chars[i];
      if (flag === '+') flags.plus = true;
      else if (flag === '-') flags.minus = true;
      else if (flag === '#') flags.sharp = true;
      else if (flag === ' ') flags.space = true;
      else if (flag === '0') flags.zero = true;
      else break;
    }
    let width: number | undefined;
    let precision: number | undefined;
    let bad: string | undefined;
    if (chars[i] === '*') {
      const arg = args[next];
      next += 1;
      if (typeof arg === 'bigint' && arg <= TOO_LARGE && arg >= -TOO_LARGE) {
        width = Number(arg);
        if (width < 0) {
          flags.minus = true;
          width = -width;
        }
      } else bad = '%!(BADWIDTH)';
      i += 1;
    } else {
      const start = i;
      while (/[0-9]/.test(chars[i] ?? '')) i += 1;
      if (i > start) {
        width = Number(chars.slice(start, i).join(''));
        if (width > TOO_LARGE) bad = '%!(BADWIDTH)';
      }
    }
    if (chars[i] === '.') {
      i += 1;
      if (chars[i] === '*') {
        const arg = args[next];
        next += 1;
        if (typeof arg === 'bigint' && arg >= 0n && arg <= TOO_LARGE) precision = Number(arg);
        else bad = '%!(BADPREC)';
        i += 1;
      } else {
        const start = i;
        while (/[0-9]/.test(chars[i] ?? '')) i += 1;
        precision = i > start ? Number(chars.slice(start, i).join('')) : 0;
        if (precision > TOO_LARGE) bad = '%!(BADPREC)';
      }
    }
    const verb = chars[i];
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    if (bad !== undefined) {
      out += bad;
      continue;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (next >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[next];
    next += 1;
    out += formatArg(arg, { ...flags, width, precision, verb });
  }
  if (next < args.length) {
    const extra = args.slice(next).map((arg) => (isNil(arg) ? '<nil>' : `${typeName(arg)}=${formatValue(arg)}`));
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}

/** fmt.Sprint: operands separated by a space when neither side is a string. */
export function sprint(args: readonly GoValue[]): string {
  let out = '';
  args.forEach((arg, index) => {
    if (index > 0 && typeof arg !== 'string' && typeof args[index - 1] !== 'string') out += ' ';
    out += formatValue(arg);
  });
  return out;
}

/** fmt.Sprintln: operands always separated by a space, then a newline. */
export function sprintln(args: readonly GoValue[]): string {
  return `${args.map(formatValue).join(' ')}\n`;
}

function formatArg(arg: GoValue, spec: Spec): string {
  if (spec.verb === 'T') return pad(typeName(arg), spec);
  if (isNil(arg)) return spec.verb === 'v' ? pad('<nil>', spec) : `%!${spec.verb}(<nil>)`;
  if (Array.isArray(arg)) return `[${arg.map((element) => formatArg(element as GoValue, spec)).join(' ')}]`;
  if (typeof arg === 'object') {
    return `map[${mapEntries(arg as StringMap | Readonly<Record<string, GoValue>>)
      .map(([key, value]) => `${formatArg(key, spec)}:${formatArg(value, spec)}`)
      .join(' ')}]`;
  }
  switch (typeof arg) {
    case 'boolean':
      return spec.verb === 'v' || spec.verb === 't' ? pad(String(arg), spec) : badVerb(arg, spec.verb);
    case 'bigint':
      return formatInteger(arg, spec);
    case 'number':
      return formatFloatVerb(arg, spec);
    case 'string':
      return formatString(arg, spec);
  }
  return badVerb(arg, spec.verb);
}

function badVerb(arg: GoValue, verb: string): string {
  return `%!${verb}(${typeName(arg)}=${formatValue(arg)})`;
}

function formatString(text: string, spec: Spec): string {
  const truncated = spec.precision !== undefined ? [...text].slice(0, spec.precision).join('') : text;
  switch (spec.verb) {
    case 'v':
    case 's':
      return pad(truncated, spec);
    case 'q':
      return pad(goQuote(truncated), spec);
    case 'x':
    case 'X': {
      const hex = Buffer.from(truncated, 'utf8').toString('hex');
      return pad(spec.verb === 'X' ? hex.toUpperCase() : hex, spec);
    }
    default:
      return badVerb(text, spec.verb);
  }
}

function formatInteger(value: bigint, spec: Spec): string {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  let digits: string;
  let prefix = '';
  switch (spec.verb) {
    case 'v':
    case 'd':
      digits = magnitude.toString();
      break;
    case 'x':
      digits = magnitude.toString(16);
      if (spec.sharp) prefix = '0x';
      break;
    case 'X':
      digits = magnitude.toString(16).toUpperCase();
      if (spec.sharp) prefix = '0X';
      break;
    case 'o':
      digits = magnitude.toString(8);
      if (spec.sharp) prefix = '0';
      break;
    case 'O':
      digits = magnitude.toString(8);
      prefix = '0o';
      break;
    case 'b':
      digits = magnitude.toString(2);
      break;
    case 'c':
      return pad(codePointText(value), spec);
    case 'q':
      return pad(`'${goQuoteBody(codePointText(value), "'")}'`, spec);
    case 'U':
      return pad(`U+${magnitude.toString(16).toUpperCase().padStart(4, '0')}`, spec);
    default:
      return badVerb(value, spec.verb);
  }
  if (spec.precision !== undefined)
    digits = spec.precision === 0 && magnitude === 0n ? '' : digits.padStart(spec.precision, '0');
  const sign = negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  return padNumber(sign, prefix + digits, spec, spec.precision === undefined);
}

function codePointText(value: bigint): string {
  return value >= 0n && value <= 0x10ffffn && !(value >= 0xd800n && value <= 0xdfffn)
    ? String.fromCodePoint(Number(value))
    : '\ufffd';
}

function formatFloatVerb(value: number, spec: Spec): string {
  const upper = spec.verb === 'E' || spec.verb === 'G';
  if (!Number.isFinite(value)) {
    const text = Number.isNaN(value) ? 'NaN' : value > 0 ? (spec.plus ? '+Inf' : spec.space ? ' Inf' : '+Inf') : '-Inf';
    if (!'vfFeEgG'.includes(spec.verb)) return badVerb(value, spec.verb);
    return pad(Number.isNaN(value) && spec.plus ? '+NaN' : text, { ...spec, zero: false });
  }
  const negative = value < 0 || Object.is(value, -0);
  const magnitude = Math.abs(value);
  let body: string;
  switch (spec.verb) {
    case 'v':
    case 'g':
    case 'G':
      body = renderGeneral(magnitude, spec.precision, upper);
      break;
    case 'e':
    case 'E': {
      const precision = spec.precision ?? 6;
      body = renderExponent(digitsForExponent(magnitude, precision), precision, upper);
      break;
    }
    case 'f':
    case 'F': {
      const precision = spec.precision ?? 6;
      body = renderFixed(digitsForFixed(magnitude, precision), precision);
      break;
    }
    default:
      return badVerb(value, spec.verb);
  }
  const sign = negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  return padNumber(sign, body, spec, true);
}

function padNumber(sign: string, body: string, spec: Spec, zeroAllowed: boolean): string {
  const width = spec.width ?? 0;
  const length = sign.length + body.length;
  if (length >= width) return sign + body;
  if (spec.minus) return sign + body + ' '.repeat(width - length);
  if (spec.zero && zeroAllowed) return sign + '0'.repeat(width - length) + body;
  return ' '.repeat(width - length) + sign + body;
}

function pad(text: string, spec: Spec): string {
  const width = spec.width ?? 0;
  const length = [...text].length;
  if (length >= width) return text;
  return spec.minus ? text + ' '.repeat(width - length) : ' '.repeat(width - length) + text;
}

/** strconv.Quote. */
export function goQuote(text: string): string {
  return `"${goQuoteBody(text, '"')}"`;
}

function goQuoteBody(text: string, quote: string): string {
  let out = '';
  for (const char of text) {
    const point = char.codePointAt(0) ?? 0;
    if (char === quote || char === '\\') out += `\\${char}`;
    else if (point === 7) out += '\\a';
    else if (point === 8) out += '\\b';
    else if (point === 12) out += '\\f';
    else if (point === 10) out += '\\n';
    else if (point === 13) out += '\\r';
    else if (point === 9) out += '\\t';
    else if (point === 11) out += '\\v';
    else if (point < 0x20 || point === 0x7f) out += `\\x${point.toString(16).padStart(2, '0')}`;
    else if (point === 0xfffd || /[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]/u.test(char))
      out += point !== 0x20 && /\p{Zs}/u.test(char) ? escapeUnicode(point) : char;
    else out += escapeUnicode(point);
  }
  return out;
}

function escapeUnicode(point: number): string {
  return point > 0xffff ? `\\U${point.toString(16).padStart(8, '0')}` : `\\u${point.toString(16).padStart(4, '0')}`;
}
