// Public test helpers of @strata/assets, for the tests of other packages.
export { certificateRequest, renderConfig } from './fixtures.ts';
export { openssl, type OpensslResult } from './openssl.ts';
