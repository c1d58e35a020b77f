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
