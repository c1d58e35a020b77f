// Public test helpers of @strata/update-operator ('@strata/update-operator/testing'), for its own tests and others'.
export { aPolicy, aRebootWindow, type PolicyOverrides } from './policy-builders.ts';
export { describeFullCollections, fullCollectionsOf, type FullCollections } from './v8-gc-trace.ts';
