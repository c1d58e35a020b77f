// Public test helpers of @strata/platform-bare-metal: typed builders, data
// directories in matchbox's layout, matchbox's own examples, a test server.
export { aGroup, aProfile, anIgnitionConfig, macOf, type IgnitionConfigOptions } from './builders.ts';
export { withoutEmptyObjects } from './go-json.ts';
export {
  temporaryDataDir,
  temporaryDirectory,
  writeDataDir,
  writeFiles,
  type DataDirContents,
  type TemporaryDirectory,
} from './data-dir.ts';
export { captureLogger, type CapturedLogger } from './log-capture.ts';
export { startTestBootServer, type TestBootServer, type TestBootServerOptions } from './test-server.ts';
export { matchboxExamples, MATCHBOX_EXAMPLE_MACHINES } from './matchbox-examples.ts';
export { randomOf, type Random } from './random.ts';
// The write API's test helpers (credentials from Strata's PKI, raw HTTPS requests).
export {
  rawHttps,
  writeApiCredentials,
  type RawAnswer,
  type RawRequest,
  type WriteApiCredentials,
  type WriteApiCredentialsOptions,
} from '../api/testing/index.ts';
export { rawGet, rawHttpRequest, type RawHttpAnswer } from './raw-http.ts';
// The boot server itself, for the tests of programs that talk to it (the bare-metal program's Pulumi providers and
// flow), which sit on its layer and so may not import its production entry point.
export { startWriteApi, type RunningWriteApi } from '../api/server.ts';
export { MemoryBootStore } from '../store/memory-store.ts';
export { DataDirectoryStore } from '../store/directory-store.ts';
export { labelsFromQuery } from '../labels/index.ts';
export { GroupIndex } from '../matching/index.ts';
// A client of matchbox's gRPC API over matchbox's own protos, for the CLI's tests.
export { matchboxTestClient, type MatchboxTestClient } from '../grpc/testing.ts';
