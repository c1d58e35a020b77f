// Each Workloads kind's object, projected to the one row shape the Workloads table shows.
import type {
  CoreV1Event,
  KubernetesObject,
  V1DaemonSet,
  V1Deployment,
  V1Namespace,
  V1Pod,
  V1Service,
  V1StatefulSet,
} from '@kubernetes/client-node';
import type { WorkloadRow } from '../shared/workloads.ts';

const asIso = (value: Date | string | undefined): string =>
  value === undefined ? '' : value instanceof Date ? value.toISOString() : value;

const base = (object: KubernetesObject): Pick<WorkloadRow, 'namespace' | 'name' | 'labels' | 'created'> => ({
  namespace: object.metadata?.namespace ?? '',
  name: object.metadata?.name ?? '',
  labels: { ...object.metadata?.labels },
  created: asIso(object.metadata?.creationTimestamp),
});

export function namespaceRow(namespace: V1Namespace): WorkloadRow {
  return { ...base(namespace), status: namespace.status?.phase ?? '', ready: '', detail: '' };
}

export function workloadPodRow(pod: V1Pod): WorkloadRow {
  const containers = pod.spec?.containers ?? [];
  const statuses = pod.status?.containerStatuses ?? [];
  const ready = statuses.filter((status) => status.ready).length;
  return {
    ...base(pod),
    // Terminating shows before the phase, as kubectl does: the phase stays Running meanwhile.
    status: pod.metadata?.deletionTimestamp === undefined ? (pod.status?.phase ?? '') : 'Terminating',
    ready: `${ready}/${containers.length}`,
    detail: pod.spec?.nodeName ?? '',
  };
}

const images = (template: { spec?: { containers?: readonly { image?: string }[] } } | undefined): string =>
  (template?.spec?.containers ?? []).map((container) => container.image ?? '').join(', ');

export function deploymentRow(deployment: V1Deployment): WorkloadRow {
  const desired = deployment.spec?.replicas ?? 1;
  const available = deployment.status?.conditions?.find((condition) => condition.type === 'Available');
  return {
    ...base(deployment),
    status: available === undefined ? '' : available.status === 'True' ? 'Available' : 'Unavailable',
    ready: `${deployment.status?.readyReplicas ?? 0}/${desired}`,
    detail: images(deployment.spec?.template),
  };
}

export function statefulSetRow(statefulSet: V1StatefulSet): WorkloadRow {
  const desired = statefulSet.spec?.replicas ?? 1;
  const ready = statefulSet.status?.readyReplicas ?? 0;
  return {
    ...base(statefulSet),
    status: ready === desired ? 'Ready' : 'Progressing',
    ready: `${ready}/${desired}`,
    detail: images(statefulSet.spec?.template),
  };
}

export function daemonSetRow(daemonSet: V1DaemonSet): WorkloadRow {
  const desired = daemonSet.status?.desiredNumberScheduled ?? 0;
  const ready = daemonSet.status?.numberReady ?? 0;
  return {
    ...base(daemonSet),
    status: ready === desired ? 'Ready' : 'Progressing',
    ready: `${ready}/${desired}`,
    detail: images(daemonSet.spec?.template),
  };
}

export function serviceRow(service: V1Service): WorkloadRow {
  // The target port only where it differs from the port (the API server fills it in with the port otherwise).
  const ports = (service.spec?.ports ?? []).map((port) => {
    const target =
      port.targetPort === undefined || String(port.targetPort) === String(port.port)
        ? ''
        : `→${String(port.targetPort)}`;
    return `${port.port}${target}/${port.protocol ?? 'TCP'}`;
  });
  return {
    ...base(service),
    status: service.spec?.type ?? 'ClusterIP',
    ready: '',
    detail: [service.spec?.clusterIP ?? '', ...ports].filter((part) => part !== '').join(' '),
  };
}

export function workloadEventRow(event: CoreV1Event): WorkloadRow {
  const involved = event.involvedObject;
  return {
    ...base(event),
    status: `${event.type ?? ''} ${event.reason ?? ''}`.trim(),
    ready: '',
    detail: `${involved.kind ?? ''}/${involved.name ?? ''}: ${event.message ?? ''} (×${event.series?.count ?? event.count ?? 1})`,
  };
}
