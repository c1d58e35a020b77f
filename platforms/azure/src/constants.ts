// Fixed choices of the Azure program, in one place.

/** The tag every resource of a cluster carries (Azure tag names cannot hold "/", so not a label-style key). */
export const CLUSTER_TAG = 'strata-cluster';

/** Worker VM size when a pool names none: 2 vCPUs, 8 GiB. */
export const DEFAULT_WORKER_SIZE = 'Standard_D2as_v5';

/** Azure's built-in role that reads blobs and nothing else. */
export const STORAGE_BLOB_DATA_READER_ROLE = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1';
