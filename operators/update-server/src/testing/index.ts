export * from './builders.ts';
export * from './postgres.ts';
export * from './omaha-client.ts';
export * from './test-server.ts';
// What other packages' tests need to run a server of their own: a store to give it, and the types they read back.
export { openSqliteStore } from '../store/sqlite-store.ts';
export type { HistoryEntry, MachineRecord } from '../store/store.ts';
export type { Release } from '../policy/model.ts';
export * from './resources.ts';
export * from './crds.ts';
export * from './serving-certificate.ts';
export * from './api-server.ts';
export * from './service-account-user.ts';
export * from './feed.ts';
export * from './history.ts';
