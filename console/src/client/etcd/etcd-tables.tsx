// The tables both etcd pages show: a cluster's conditions and its members, as the operator last wrote them in the
// EtcdCluster's status. Every value is a React text child, which React escapes.
import type { ConditionRow, EtcdMemberRow } from '../../shared/etcd-rows.ts';

const yesNo = (value: boolean): string => (value ? 'yes' : 'no');

/** Bytes in the unit people read them in (etcd's database is KiB to GiB). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function ConditionsTable({
  conditions,
  caption,
}: {
  readonly conditions: readonly ConditionRow[];
  readonly caption: string;
}) {
  if (conditions.length === 0) return <p>No conditions reported yet.</p>;
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Condition</th>
          <th scope="col">Status</th>
          <th scope="col">Reason</th>
          <th scope="col">Message</th>
          <th scope="col">Since</th>
        </tr>
      </thead>
      <tbody>
        {conditions.map((condition) => (
          <tr key={condition.type} data-condition={condition.type}>
            <td data-column="type">{condition.type}</td>
            <td data-column="status">{condition.status}</td>
            <td data-column="reason">{condition.reason}</td>
            <td data-column="message">{condition.message}</td>
            <td data-column="since">{condition.lastTransitionTime}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function MembersTable({
  members,
  caption,
}: {
  readonly members: readonly EtcdMemberRow[];
  readonly caption: string;
}) {
  if (members.length === 0) return <p>No members reported yet.</p>;
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">ID</th>
          <th scope="col">Leader</th>
          <th scope="col">Learner</th>
          <th scope="col">Healthy</th>
          <th scope="col">Version</th>
          <th scope="col">DB size</th>
          <th scope="col">Revision</th>
        </tr>
      </thead>
      <tbody>
        {members.map((member) => (
          <tr key={member.id} data-member={member.name}>
            <td data-column="name">{member.name}</td>
            <td data-column="id">{member.id}</td>
            <td data-column="leader">{yesNo(member.leader)}</td>
            <td data-column="learner">{yesNo(member.learner)}</td>
            <td data-column="healthy">{yesNo(member.healthy)}</td>
            <td data-column="version">{member.version ?? '—'}</td>
            <td data-column="dbSize">{member.dbSize === undefined ? '—' : formatBytes(member.dbSize)}</td>
            <td data-column="revision">{member.revision ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Why the EtcdClusters cannot be shown: the CRD is not installed (404), or the list or watch failed. */
export function etcdStreamProblem(error: string | undefined, status: number | undefined): string | undefined {
  if (error === undefined) return undefined;
  if (status === 404) return 'The etcd.strata.dev resources are not installed in this cluster.';
  return error;
}
