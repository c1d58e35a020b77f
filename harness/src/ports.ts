// The harness's free ports are the host toolkit's: one implementation for tests and components alike.
export { freePort, freePorts } from '@strata/host';
