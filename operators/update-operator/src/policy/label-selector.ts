// The selector semantics live in @strata/api, beside the LabelSelector schema, so that the console (which may not
// import the operator) selects nodes with the very same code.
export { selectorMatches } from '@strata/api';
