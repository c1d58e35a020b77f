// Public test helpers of @strata/kube, for the tests of every package above it.
export { aPod, MIRROR_POD_ANNOTATION, type PodController, type PodFixture } from './pods.ts';
