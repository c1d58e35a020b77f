export type { BootSnapshot, BootStore, WritableBootStore } from './store.ts';
export { DataDirectoryStore, type DataDirectoryStoreOptions } from './directory-store.ts';
export { MemoryBootStore, type MemoryStoreContents } from './memory-store.ts';
export { makeSnapshot, EMPTY_SNAPSHOT, type SnapshotParts } from './snapshot.ts';
export { scanDataDirectory, MAX_FILE_BYTES, type DataProblem, type ScanResult } from './scan.ts';
export { checkName, resourcePath, type ResourceDirectory } from './names.ts';
