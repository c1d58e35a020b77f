// Decimal digits of a float64, rounded as Go's strconv rounds them: on the
// exact binary value, ties to even. JavaScript's toFixed rounds ties up and
// switches to exponent form past 1e21, so it cannot be used for %f and %e.

/** value = 0.digits × 10^point; digits has no leading or trailing zeros ("" for zero). */
export interface Decimal {
  readonly digits: string;
  readonly point: number;
}

/** The exact decimal expansion of a finite, non-negative float64. */
export function exactDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', point: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biasedExponent = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  let exponent: number;
  if (biasedExponent === 0) {
    exponent = -1074;
  } else {
    mantissa |= 1n << 52n;
    exponent = biasedExponent - 1075;
  }
  let integerDigits: string;
  let fractionLength = 0;
  if (exponent >= 0) {
    integerDigits = (mantissa << BigInt(exponent)).toString();
  } else {
    // mantissa / 2^k = mantissa × 5^k / 10^k
    fractionLength = -exponent;
    integerDigits = (mantissa * 5n ** BigInt(fractionLength)).toString();
  }
  const point = integerDigits.length - fractionLength;
  return trim({ digits: integerDigits, point });
}

function trim(decimal: Decimal): Decimal {
  let { digits, point } = decimal;
  let start = 0;
  while (digits[start] === '0') start += 1;
  digits = digits.slice(start);
  point -= start;
  let end = digits.length;
  while (end > 0 && digits[end - 1] === '0') end -= 1;
  digits = digits.slice(0, end);
  return digits === '' ? { digits: '', point: 0 } : { digits, point };
}

/** Rounds to `count` significant digits (count may be <= 0), half to even. */
export function roundDigits(decimal: Decimal, count: number): Decimal {
  const { digits, point } = decimal;
  if (count < 0 || count >= digits.length) return decimal;
  const next = digits[count] ?? '0';
  const roundUp =
    next > '5' || (next === '5' && (count + 1 < digits.length || (count > 0 && Number(digits[count - 1]) % 2 === 1)));
  if (!roundUp) return trim({ digits: digits.slice(0, count), point });
  // Add one at position count-1, carrying.
  const kept = digits.slice(0, count).split('').map(Number);
  let at = kept.length - 1;
  while (at >= 0 && kept[at] === 9) {
    kept[at] = 0;
    at -= 1;
  }
  if (at < 0) return trim({ digits: `1${kept.join('')}`, point: point + 1 });
  kept[at] = (kept[at] ?? 0) + 1;
  return trim({ digits: kept.join(''), point });
}

/** Digits for %e with `precision` decimals: precision+1 significant digits. */
export function digitsForExponent(x: number, precision: number): Decimal {
  return roundDigits(exactDecimal(x), precision + 1);
}

/** Digits for %f with `precision` decimals. */
export function digitsForFixed(x: number, precision: number): Decimal {
  const decimal = exactDecimal(x);
  return roundDigits(decimal, decimal.point + precision);
}

/** Renders digits as d.ddde±XX with exactly `precision` decimals. */
export function renderExponent(decimal: Decimal, precision: number, upper: boolean): string {
  const padded = decimal.digits.padEnd(precision + 1, '0') || '0'.repeat(precision + 1);
  const exponent = decimal.digits === '' ? 0 : decimal.point - 1;
  const mantissa = precision > 0 ? `${padded[0]}.${padded.slice(1, precision + 1)}` : (padded[0] ?? '0');
  return `${mantissa}${upper ? 'E' : 'e'}${exponent < 0 ? '-' : '+'}${Math.abs(exponent).toString().padStart(2, '0')}`;
}

/** Renders digits as ddd.ddd with exactly `precision` decimals. */
export function renderFixed(decimal: Decimal, precision: number): string {
  const { digits, point } = decimal;
  const integer = point > 0 ? digits.slice(0, point).padEnd(point, '0') : '0';
  let fraction = '';
  for (let i = 0; i < precision; i += 1) {
    const at = point + i;
    fraction += at >= 0 && at < digits.length ? digits[at] : '0';
  }
  return precision > 0 ? `${integer}.${fraction}` : integer;
}

/** The shortest digits that read back as x (what %v and %g print). */
export function shortestDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', point: 0 };
  const [mantissa = '0', exponent = '0'] = Math.abs(x).toExponential().split('e');
  return trim({ digits: mantissa.replace('.', ''), point: Number(exponent) + 1 });
}

/** strconv's %g: shortest when precision is undefined, else `precision` significant digits. */
export function renderGeneral(x: number, precision: number | undefined, upper: boolean): string {
  let decimal: Decimal;
  let eprec: number;
  if (precision === undefined) {
    decimal = shortestDecimal(x);
    eprec = 6;
  } else {
    const significant = precision === 0 ? 1 : precision;
    decimal = roundDigits(exactDecimal(x), significant);
    eprec = significant;
    if (eprec > decimal.digits.length && decimal.digits.length >= decimal.point) eprec = decimal.digits.length;
  }
  if (decimal.digits === '') decimal = { digits: '0', point: 1 };
  const count = decimal.digits.length;
  const exponent = decimal.point - 1;
  if (exponent < -4 || exponent >= eprec) return renderExponent(decimal, count - 1, upper);
  return renderFixed(decimal, Math.max(count - decimal.point, 0));
}
