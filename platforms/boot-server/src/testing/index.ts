// Public test helpers of @strata/platform-bare-metal: typed builders, data
// directories in matchbox's layout, matchbox's own examples, a test server.
export { aGroup, aProfile, anIgnitionConfig, macOf, type IgnitionConfigOptions } from './builders.ts';
export { temporaryDataDir, temporaryDirectory, writeDataDir, writeFiles, type DataDirContents, type TemporaryDirectory } from './data-dir.ts';
export { captureBootLog, type LogCapture } from './log-capture.ts';
export { startTestBootServer, type TestBootServer, type TestBootServerOptions } from './test-server.ts';
export { matchboxExamples, MATCHBOX_EXAMPLE_MACHINES } from './matchbox-examples.ts';
export { seededRandom, type Random } from './random.ts';
export { eventually } from './wait.ts';
// The write API's test helpers (credentials from Strata's PKI, raw HTTPS requests).
export { captureLogger, rawHttps, writeApiCredentials, type CapturedLogger, type RawAnswer, type RawRequest, type WriteApiCredentials, type WriteApiCredentialsOptions } from '../api/testing/index.ts';
export { rawGet, rawHttpRequest, type RawHttpAnswer } from './raw-http.ts';
