// The web console's in-cluster manifests (issue 16).
export {
  CONSOLE_CONTAINER_PORT,
  CONSOLE_HEALTH_PATH,
  CONSOLE_IMAGE,
  CONSOLE_MOUNTS,
  CONSOLE_NAMES,
  CONSOLE_NAMESPACE,
  CONSOLE_POD_LABELS,
  ConsoleManifestError,
  consoleManifests,
  consoleServiceDnsNames,
  type ConsoleManifestInput,
} from './console.ts';
