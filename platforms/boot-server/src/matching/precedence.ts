// Which of two matching groups wins, as matchbox decides: more selectors
// first, then the larger sorted selector string. Among groups with identical
// selectors matchbox keeps the order it listed their files in (by file name,
// byte order), because its sort is an insertion sort up to twelve groups; for
// larger directories the order among them is not defined, and Strata keeps the
// same rule: the group whose file name sorts first wins.
import type { Group } from '@strata/api';
import { compareUtf8, selectorString, type Selector } from './selector.ts';

export interface RankedGroup {
  readonly group: Group;
  readonly selector: Selector;
  readonly selectorCount: number;
  readonly selectorString: string;
  /** The group's file name in a data directory ("<key>.json"), which breaks ties. */
  readonly fileName: string;
}

/** `key` is the group's name in its store: its file name without ".json", or its id. */
export function rankedGroup(group: Group, selector: Selector, key: string = group.id): RankedGroup {
  return {
    group,
    selector,
    selectorCount: Object.keys(selector).length,
    selectorString: selectorString(selector),
    fileName: `${key}.json`,
  };
}

/** Negative when `a` wins over `b`. */
export function comparePrecedence(a: RankedGroup, b: RankedGroup): number {
  if (a.selectorCount !== b.selectorCount) return b.selectorCount - a.selectorCount;
  const bySelectors = compareUtf8(b.selectorString, a.selectorString);
  if (bySelectors !== 0) return bySelectors;
  return compareUtf8(a.fileName, b.fileName);
}
