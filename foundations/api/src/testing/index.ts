// Shared test corpora of Strata's APIs, for any package's tests.
export * from '../update-policy/update-policy-corpus.ts';
export * from '../boot/boot-crds-corpus.ts';
