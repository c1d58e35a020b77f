export { GroupIndex, type UnmatchableGroup } from './group-index.ts';
export { selectGroupBySorting } from './reference.ts';
export { compareUtf8, normalizeSelector, selectorString, type Selector } from './selector.ts';
export { comparePrecedence } from './precedence.ts';
