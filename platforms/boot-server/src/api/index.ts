// The write API's server: JSON over HTTPS with client certificates. Its
// contract and client are in @strata/api.
export { listenAddressSchema, type ListenAddress } from './address.ts';
export {
  DEFAULT_MAX_BODY_BYTES,
  startWriteApi,
  type RunningWriteApi,
  type WriteApiOptions,
  type WriteApiTls,
} from './server.ts';
