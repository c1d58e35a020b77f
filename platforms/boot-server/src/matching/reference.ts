// Matchbox's own selection algorithm, kept as the reference that tests and
// the benchmark compare the index against: sort every group by precedence,
// return the first whose selectors the labels satisfy.
import type { Labels } from '../labels/labels.ts';
import type { Group } from '@strata/api';
import { comparePrecedence, rankedGroup, type RankedGroup } from './precedence.ts';
import { compareUtf8, normalizeSelector } from './selector.ts';

export function selectGroupBySorting(groups: Iterable<Group>, labels: Labels): Group | undefined {
  const ranked: RankedGroup[] = [];
  // Matchbox lists the files by name, then sorts stably (insertion sort) when there are few.
  const byFileName = [...groups].sort((a, b) => compareUtf8(`${a.id}.json`, `${b.id}.json`));
  for (const group of byFileName) {
    const selector = normalizeSelector(group.selector);
    if (selector !== undefined) ranked.push(rankedGroup(group, selector));
  }
  ranked.sort(comparePrecedence);
  return ranked.find((entry) => Object.entries(entry.selector).every(([key, value]) => labels.get(key) === value))
    ?.group;
}
