import type { V1Service } from '@kubernetes/client-node';
import { UPDATE_OPERATOR_NAMESPACE, UPDATE_OPERATOR_NAMES, UPDATE_OPERATOR_PORTS } from './names.ts';
import { OPERATOR_POD_LABELS } from './workloads.ts';

/** Prometheus scrapes the operator's metrics here. */
export function metricsService(): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: UPDATE_OPERATOR_NAMES.metricsService,
      namespace: UPDATE_OPERATOR_NAMESPACE,
      labels: OPERATOR_POD_LABELS,
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(UPDATE_OPERATOR_PORTS.metrics) },
    },
    spec: {
      selector: OPERATOR_POD_LABELS,
      ports: [{ name: 'metrics', port: UPDATE_OPERATOR_PORTS.metrics, targetPort: 'metrics', protocol: 'TCP' }],
    },
  };
}

/**
 * Zincati on Fedora CoreOS nodes asks for reboot slots here. A NodePort, because Zincati runs on the host, outside
 * the pod network and cluster DNS; the node's Ignition config points it at FLEETLOCK_PORT on the API's DNS name.
 */
export function fleetLockService(): V1Service {
  const { fleetLock, fleetLockNodePort } = UPDATE_OPERATOR_PORTS;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: UPDATE_OPERATOR_NAMES.fleetLockService,
      namespace: UPDATE_OPERATOR_NAMESPACE,
      labels: OPERATOR_POD_LABELS,
    },
    spec: {
      type: 'NodePort',
      selector: OPERATOR_POD_LABELS,
      ports: [
        { name: 'fleetlock', port: fleetLock, targetPort: 'fleetlock', nodePort: fleetLockNodePort, protocol: 'TCP' },
      ],
    },
  };
}
