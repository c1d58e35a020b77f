// Each answer checked by the same schema and rules as `strata install
// --config`: the whole draft goes through validateClusterConfig, and every
// issue is placed on the field its path belongs to, with the same words.
import { validateClusterConfig, type ClusterConfig, type ConfigIssue } from '@strata/assets';
import { draftConfig, machineLines, type Answers, type FieldId } from './answers.ts';
import { allVisibleFields } from './fields.ts';

export interface FieldProblem {
  /** "networking.podCidr overlaps …", as `--config` words it after the file name. */
  readonly text: string;
  readonly hint?: string;
  /** For the machines: the line of the field the problem is on. */
  readonly line?: number;
}

export interface Validation {
  readonly byField: ReadonlyMap<FieldId, readonly FieldProblem[]>;
  /** Problems no shown field owns; the review lists them and refuses to write. */
  readonly unplaced: readonly FieldProblem[];
  /** The config with its defaults, once there are no problems. */
  readonly config?: ClusterConfig;
}

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}

function problemOf(issue: ConfigIssue, line?: number): FieldProblem {
  return {
    text: issue.path === '' ? issue.message : `${issue.path} ${issue.message}`,
    ...(issue.hint === undefined ? {} : { hint: issue.hint }),
    ...(line === undefined ? {} : { line }),
  };
}

/** Checks the answers; `hostNetworks` are this machine's, for the overlap check (tests pass their own). */
export function validateAnswers(answers: Answers, hostNetworks?: readonly string[]): Validation {
  const result = validateClusterConfig(draftConfig(answers), hostNetworks === undefined ? {} : { hostNetworks });
  if (result.ok) return { byField: new Map(), unplaced: [], config: result.config };
  const fields = allVisibleFields(answers);
  const lines = machineLines(answers);
  const byField = new Map<FieldId, FieldProblem[]>();
  const unplaced: FieldProblem[] = [];
  for (const issue of result.issues) {
    // The most specific owner: "workerPools[0].instanceType" before "workerPools".
    let owner: { id: FieldId; length: number } | undefined;
    for (const field of fields)
      for (const path of field.paths)
        if (under(issue.path, path) && (owner === undefined || path.length > owner.length))
          owner = { id: field.id, length: path.length };
    if (owner === undefined) {
      unplaced.push(problemOf(issue));
      continue;
    }
    const machine = /^bareMetal\.machines\[(\d+)\]/.exec(issue.path)?.[1];
    const line = machine === undefined ? undefined : lines[Number(machine)]?.line;
    byField.set(owner.id, [...(byField.get(owner.id) ?? []), problemOf(issue, line)]);
  }
  return { byField, unplaced };
}
