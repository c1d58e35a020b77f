export { normalizeMac } from './mac.ts';
export { parseQuery, queryUnescape, rawPathOf, rawQueryOf, type QueryValues } from './query.ts';
export { labelsFromQuery, type Labels, type RequestLabels } from './labels.ts';
