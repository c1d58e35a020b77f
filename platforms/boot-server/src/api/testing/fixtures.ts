// The write API's tests use the package's one set of typed builders.
export { aGroup, aProfile } from '../../testing/builders.ts';
