// The sample lines of Prometheus' text exposition format (what /metrics
// serves), enough for the benchmark to read counters and histograms from the
// API server and the operator: `name{label="value",...} value [timestamp]`,
// with the format's escapes in label values. Comments (# HELP, # TYPE) are
// skipped. The one npm parser (parse-prometheus-text-format 1.1.1) merges the
// label sets of a labelled histogram and drops its _sum and _count, so it
// cannot read the operator's histograms.
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export class PrometheusTextError extends Error {}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', '"': '"', n: '\n' };

function parseValue(text: string, line: string): number {
  switch (text) {
    case '+Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    case 'NaN':
      return Number.NaN;
    default: {
      const value = Number(text);
      if (text === '' || Number.isNaN(value))
        throw new PrometheusTextError(`not a sample value: ${JSON.stringify(text)} in ${JSON.stringify(line)}`);
      return value;
    }
  }
}

/** Reads `{a="x",b="y"}` from the start of `text`; returns the labels and what follows. */
function parseLabels(text: string, line: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let at = 1;
  for (;;) {
    while (text[at] === ' ' || text[at] === ',') at += 1;
    if (text[at] === '}') return { labels, rest: text.slice(at + 1) };
    const name = LABEL_NAME.exec(text.slice(at))?.[0];
    if (name === undefined || text[at + name.length] !== '=' || text[at + name.length + 1] !== '"') {
      throw new PrometheusTextError(`malformed labels in ${JSON.stringify(line)}`);
    }
    at += name.length + 2;
    let value = '';
    for (;;) {
      const char = text[at];
      if (char === undefined) throw new PrometheusTextError(`unterminated label value in ${JSON.stringify(line)}`);
      at += 1;
      if (char === '"') break;
      if (char === '\\') {
        const escaped = text[at];
        at += 1;
        value += escaped === undefined ? '\\' : (ESCAPES[escaped] ?? `\\${escaped}`);
      } else {
        value += char;
      }
    }
    labels[name] = value;
  }
}

/** Every sample of an exposition, in order. */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const name = NAME.exec(line)?.[0];
    if (name === undefined) throw new PrometheusTextError(`no metric name in ${JSON.stringify(line)}`);
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, line));
    const [value = ''] = rest.trim().split(/\s+/);
    samples.push({ name, labels, value: parseValue(value, line) });
  }
  return samples;
}

/** A histogram's cumulative buckets (upper bound to count), summed over the label sets `matches` accepts. */
export function histogramBuckets(
  samples: readonly Sample[],
  name: string,
  matches: (labels: Readonly<Record<string, string>>) => boolean = () => true,
): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const sample of samples) {
    if (sample.name !== `${name}_bucket` || !matches(sample.labels)) continue;
    const le = parseValue(sample.labels['le'] ?? '', sample.name);
    buckets.set(le, (buckets.get(le) ?? 0) + sample.value);
  }
  return new Map([...buckets].sort(([a], [b]) => a - b));
}

/** Adds histograms bucket by bucket (e.g. those of successive operator processes). */
export function addBuckets(into: Map<number, number>, more: ReadonlyMap<number, number>): void {
  for (const [le, count] of more) into.set(le, (into.get(le) ?? 0) + count);
}

/**
 * The upper bound of the bucket holding the q-quantile (0 < q <= 1): the
 * value that at least q of the observations do not exceed, at the
 * histogram's resolution. Undefined without observations.
 */
export function quantileUpperBound(buckets: ReadonlyMap<number, number>, q: number): number | undefined {
  const sorted = [...buckets].sort(([a], [b]) => a - b);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total === 0) return undefined;
  return sorted.find(([, count]) => count >= q * total)?.[0];
}
