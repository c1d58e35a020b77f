// The file the wizard writes, and how it differs from the one already there.
import { parse, stringify } from 'yaml';
import { draftConfig, type Answers } from './answers.ts';
import { withUnaskedFields } from './unasked-fields.ts';

export interface ReviewLine {
  /** "+" a line the new file adds, "-" one it removes, " " one both have. */
  readonly mark: '+' | '-' | ' ';
  readonly text: string;
}

export const FILE_HEADER =
  '# Written by `strata install` (the wizard); every field is described in cluster.schema.json.\n';

/**
 * The cluster.yaml the answers make. `kept` is the text of the valid config it replaces: what the wizard does not
 * ask (a pool's snippets, any field it does not know) is kept from it.
 */
export function configYaml(answers: Answers, kept?: string): string {
  const draft = draftConfig(answers);
  const config = kept === undefined ? draft : withUnaskedFields(draft, parse(kept) as unknown);
  return FILE_HEADER + stringify(config, { lineWidth: 0 });
}

/** A line diff of `before` and `after` (longest common subsequence; the files are a few dozen lines). */
export function diffLines(before: string, after: string): ReviewLine[] {
  const a = before.replace(/\n$/, '').split('\n');
  const b = after.replace(/\n$/, '').split('\n');
  const common: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      common[i]![j] = a[i] === b[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
  const lines: ReviewLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push({ mark: ' ', text: a[i]! });
      i++;
      j++;
    } else if (j < b.length && (i === a.length || common[i]![j + 1]! >= common[i + 1]![j]!)) {
      lines.push({ mark: '+', text: b[j]! });
      j++;
    } else {
      lines.push({ mark: '-', text: a[i]! });
      i++;
    }
  }
  return lines;
}

/**
 * What the review shows: the new file, marked against the existing one when there is one. A valid existing file
 * (`existingValid`) gives the new one what the wizard does not ask.
 */
export function reviewLines(answers: Answers, existing: string | undefined, existingValid = true): ReviewLine[] {
  const text = configYaml(answers, existingValid ? existing : undefined);
  return existing === undefined
    ? text
        .replace(/\n$/, '')
        .split('\n')
        .map((line) => ({ mark: ' ', text: line }))
    : diffLines(existing, text);
}
