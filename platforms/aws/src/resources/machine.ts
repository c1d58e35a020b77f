// What every machine of the cluster shares, controller or worker.

/**
 * IMDSv2 only (a session token, which a request forwarded by a confused server
 * does not carry), with a hop limit of 1: a pod's packets cross one more hop
 * than the host's, so pods in their own network namespace get no token and
 * cannot read the metadata service, user data included.
 */
export const METADATA_OPTIONS = {
  httpEndpoint: 'enabled',
  httpTokens: 'required',
  httpPutResponseHopLimit: 1,
  instanceMetadataTags: 'disabled',
} as const;

/** The root device name of Flatcar's and Fedora CoreOS's AMIs. */
export const ROOT_DEVICE = '/dev/xvda';
export const ROOT_VOLUME_GIB = 30;
export const ROOT_VOLUME_TYPE = 'gp3';

/** Worker instance type when a pool names none; the controllers' comes from aws.controllerType. */
export const DEFAULT_WORKER_TYPE = 't3.small';

/** EC2 refuses user data above 16 KiB (before its base64 encoding). */
export const MAX_USER_DATA_BYTES = 16 * 1024;
