// Group selection whose cost does not grow with the number of groups.
//
// Matchbox sorts every group on every request and returns the first whose
// selectors all equal the request's labels. Here groups are bucketed by the
// set of keys their selector uses; a request needs one hash look-up per
// distinct key set (a handful in practice: {}, {mac}, {uuid}, {os}, ...),
// whatever the number of groups. Every group's precedence is computed once,
// at build time, as a rank, so the answer is the same as matchbox's.
import type { Labels } from '../labels/labels.ts';
import type { Group } from '@strata/api';
import { comparePrecedence, rankedGroup, type RankedGroup } from './precedence.ts';
import { normalizeSelector } from './selector.ts';

interface Candidate {
  readonly group: Group;
  readonly rank: number;
}

interface KeySetBucket {
  readonly keys: readonly string[];
  readonly byValues: ReadonlyMap<string, Candidate>;
}

/** A group left out of matching, and why. */
export interface UnmatchableGroup {
  readonly id: string;
  readonly reason: string;
}

export class GroupIndex {
  /** Key sets, most keys first, so a search can stop below the best count found. */
  readonly #buckets: readonly KeySetBucket[];
  readonly #size: number;
  readonly unmatchable: readonly UnmatchableGroup[];

  private constructor(buckets: readonly KeySetBucket[], size: number, unmatchable: readonly UnmatchableGroup[]) {
    this.#buckets = buckets;
    this.#size = size;
    this.unmatchable = unmatchable;
  }

  /** Groups named by their ids (their file names without ".json"). */
  static build(groups: Iterable<Group>): GroupIndex {
    return GroupIndex.fromEntries([...groups].map((group) => [group.id, group] as const));
  }

  /** Groups by their name in the store (a file name without ".json"), which breaks ties between equal selectors. */
  static fromEntries(groups: Iterable<readonly [string, Group]>): GroupIndex {
    const ranked: RankedGroup[] = [];
    const unmatchable: UnmatchableGroup[] = [];
    for (const [key, group] of groups) {
      const selector = normalizeSelector(group.selector);
      if (selector === undefined) {
        unmatchable.push({ id: group.id, reason: 'its "mac" selector is not a MAC address' });
        continue;
      }
      ranked.push(rankedGroup(group, selector, key));
    }
    ranked.sort(comparePrecedence);

    const buckets = new Map<string, { keys: string[]; byValues: Map<string, Candidate> }>();
    ranked.forEach((entry, rank) => {
      const keys = Object.keys(entry.selector).sort();
      const signature = JSON.stringify(keys);
      let bucket = buckets.get(signature);
      if (bucket === undefined) {
        bucket = { keys, byValues: new Map() };
        buckets.set(signature, bucket);
      }
      const valuesKey = valuesKeyOf(keys.map((key) => entry.selector[key] ?? ''));
      // Sorted by rank, so the first group seen for these values is the winner.
      if (!bucket.byValues.has(valuesKey)) bucket.byValues.set(valuesKey, { group: entry.group, rank });
    });
    const ordered = [...buckets.values()].sort((a, b) => b.keys.length - a.keys.length);
    return new GroupIndex(ordered, ranked.length, unmatchable);
  }

  /** Groups that can match. */
  get size(): number {
    return this.#size;
  }

  /** Distinct selector key sets: the number of look-ups a request may need. */
  get keySets(): number {
    return this.#buckets.length;
  }

  /** The group matchbox would select for these labels, or undefined. */
  match(labels: Labels): Group | undefined {
    let best: Candidate | undefined;
    let bestCount = -1;
    for (const bucket of this.#buckets) {
      if (bucket.keys.length < bestCount) break;
      const values: string[] = [];
      let complete = true;
      for (const key of bucket.keys) {
        const value = labels.get(key);
        if (value === undefined) {
          complete = false;
          break;
        }
        values.push(value);
      }
      if (!complete) continue;
      const candidate = bucket.byValues.get(valuesKeyOf(values));
      if (candidate !== undefined && (best === undefined || candidate.rank < best.rank)) {
        best = candidate;
        bestCount = bucket.keys.length;
      }
    }
    return best?.group;
  }
}

function valuesKeyOf(values: readonly string[]): string {
  return values.length === 1 ? (values[0] ?? '') : JSON.stringify(values);
}
