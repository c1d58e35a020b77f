// Which of two matching groups wins, as matchbox decides: more selectors
// first, then the larger sorted selector string. Matchbox leaves groups with
// identical selectors in no defined order; Strata picks the smaller id, which
// is what matchbox's sort does for a small directory.
import type { Group } from '@strata/api';
import { compareUtf8, selectorString, type Selector } from './selector.ts';

export interface RankedGroup {
  readonly group: Group;
  readonly selector: Selector;
  readonly selectorCount: number;
  readonly selectorString: string;
}

export function rankedGroup(group: Group, selector: Selector): RankedGroup {
  return { group, selector, selectorCount: Object.keys(selector).length, selectorString: selectorString(selector) };
}

/** Negative when `a` wins over `b`. */
export function comparePrecedence(a: RankedGroup, b: RankedGroup): number {
  if (a.selectorCount !== b.selectorCount) return b.selectorCount - a.selectorCount;
  const bySelectors = compareUtf8(b.selectorString, a.selectorString);
  if (bySelectors !== 0) return bySelectors;
  return compareUtf8(a.group.id, b.group.id);
}
