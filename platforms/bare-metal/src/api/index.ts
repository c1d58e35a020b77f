// The write API: JSON over HTTPS with client certificates, its client, and its contract.
export { BootApiClient, type BootApiClientOptions } from './client.ts';
export { WRITE_API_PREFIX, type BootApi, type BootApiEndpoint, type WriteApiError } from './contract.ts';
export { listenAddressSchema, type ListenAddress } from './address.ts';
export { BootApiConnectionError, BootApiError, ConflictingWriteError, InvalidWriteError, type WriteApiErrorKind } from './errors.ts';
export { DEFAULT_MAX_BODY_BYTES } from './body.ts';
export { startWriteApi, type RunningWriteApi, type WriteApiOptions, type WriteApiTls } from './server.ts';
