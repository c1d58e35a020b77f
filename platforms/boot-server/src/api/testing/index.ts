// Test helpers of the write API, for this package's tests and for the tests
// of packages that drive the write API (the installer, the Pulumi providers).
export { aGroup, aProfile } from './fixtures.ts';
export { rawHttps, type RawAnswer, type RawRequest } from './raw-https.ts';
// The package's in-memory store, re-exported for the write API's users' tests.
export { MemoryBootStore } from '../../store/memory-store.ts';
export { writeApiCredentials, type WriteApiCredentials, type WriteApiCredentialsOptions } from './pki.ts';
