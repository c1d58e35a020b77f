// The tables both etcd pages show: a cluster's conditions and its members, as the operator last wrote them in the
// EtcdCluster's status. Every value is a React text child, which React escapes.
import type { ConditionRow, EtcdMemberRow } from '../../shared/etcd-rows.ts';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../ui/table.tsx';

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
    <Table>
      <TableCaption>{caption}</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead>Condition</TableHead>
          <TableHead>Status</TableHead>
          <TableHead>Reason</TableHead>
          <TableHead>Message</TableHead>
          <TableHead>Since</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {conditions.map((condition) => (
          <TableRow key={condition.type} data-condition={condition.type}>
            <TableCell data-column="type">{condition.type}</TableCell>
            <TableCell data-column="status">{condition.status}</TableCell>
            <TableCell data-column="reason">{condition.reason}</TableCell>
            <TableCell data-column="message">{condition.message}</TableCell>
            <TableCell data-column="since">{condition.lastTransitionTime}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
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
    <Table>
      <TableCaption>{caption}</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead>Name</TableHead>
          <TableHead>ID</TableHead>
          <TableHead>Leader</TableHead>
          <TableHead>Learner</TableHead>
          <TableHead>Healthy</TableHead>
          <TableHead>Version</TableHead>
          <TableHead>DB size</TableHead>
          <TableHead>Revision</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {members.map((member) => (
          <TableRow key={member.id} data-member={member.name}>
            <TableCell data-column="name">{member.name}</TableCell>
            <TableCell data-column="id">{member.id}</TableCell>
            <TableCell data-column="leader">{yesNo(member.leader)}</TableCell>
            <TableCell data-column="learner">{yesNo(member.learner)}</TableCell>
            <TableCell data-column="healthy">{yesNo(member.healthy)}</TableCell>
            <TableCell data-column="version">{member.version ?? '—'}</TableCell>
            <TableCell data-column="dbSize">{member.dbSize === undefined ? '—' : formatBytes(member.dbSize)}</TableCell>
            <TableCell data-column="revision">{member.revision ?? '—'}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** Why the EtcdClusters cannot be shown: the CRD is not installed (404), or the list or watch failed. */
export function etcdStreamProblem(error: string | undefined, status: number | undefined): string | undefined {
  if (error === undefined) return undefined;
  if (status === 404) return 'The etcd.strata.dev resources are not installed in this cluster.';
  return error;
}
