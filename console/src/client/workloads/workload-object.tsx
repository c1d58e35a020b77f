'use client';
// One Workloads object's page: its row live from the tab's stream above the actions and YAML every object has.
import { namespacedKey } from '../../shared/etcd-rows.ts';
import { objectPath, WORKLOAD_INFO, type WorkloadKind, type YamlAnswer } from '../../shared/workloads.ts';
import { useLiveRows } from '../live-rows.ts';
import { ObjectView } from '../object-view.tsx';
import { DescriptionList } from '../ui/description-list.tsx';

export interface WorkloadObjectProps {
  readonly kind: WorkloadKind;
  readonly namespace: string;
  readonly name: string;
  readonly initial: YamlAnswer;
  readonly canEdit: boolean;
  readonly canDelete: boolean;
  readonly canScale: boolean;
  readonly replicas: number | undefined;
}

export function WorkloadObject(props: WorkloadObjectProps) {
  const { kind, namespace, name } = props;
  const info = WORKLOAD_INFO[kind];
  const { rows, synced } = useLiveRows(kind);
  const row = rows.get(namespacedKey({ namespace, name }));
  const summary = (
    <DescriptionList data-testid="object-summary">
      <dt>Kind</dt>
      <dd data-field="kind">{info.kind}</dd>
      {namespace === '' ? null : (
        <>
          <dt>Namespace</dt>
          <dd data-field="namespace">{namespace}</dd>
        </>
      )}
      <dt>Status</dt>
      <dd data-field="status">{row === undefined ? (synced ? 'Gone' : 'Loading…') : row.status || '—'}</dd>
      {row === undefined || row.ready === '' ? null : (
        <>
          <dt>Ready</dt>
          <dd data-field="ready">{row.ready}</dd>
        </>
      )}
    </DescriptionList>
  );
  return (
    <ObjectView
      api={`/api/workloads/${objectPath(kind, namespace, name)}`}
      who={`${info.kind} ${namespace === '' ? '' : `${namespace}/`}${name}`}
      name={name}
      summary={summary}
      initial={props.initial}
      canEdit={props.canEdit}
      canDelete={props.canDelete}
      canScale={props.canScale}
      replicas={props.replicas}
    />
  );
}
