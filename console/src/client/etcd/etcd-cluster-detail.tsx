'use client';
// One EtcdCluster's page: its state, conditions and members, and its backups with every snapshot they recorded
// (revision, sha256, size, time), live from the tab's watch stream. Scale and "back up now" appear only when the
// server page's SelfSubjectAccessReviews allowed them; the API server decides each request again.
import Link from 'next/link';
import { useMemo, useState, type FormEvent } from 'react';
import {
  backupNowSchema,
  etcdClusterPath,
  issueLines,
  restoreSchema,
  scaleEtcdClusterSchema,
} from '../../shared/etcd-forms.ts';
import type { BackupDestination, EtcdBackupRow } from '../../shared/etcd-rows.ts';
import { useLiveRows } from '../live-rows.ts';
import { mutate } from '../mutate.ts';
import { ClusterSummary } from './etcd-clusters.tsx';
import { ConditionsTable, etcdStreamProblem, formatBytes, MembersTable } from './etcd-tables.tsx';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '../ui/table.tsx';
import { Button } from '../ui/button.tsx';
import { Input } from '../ui/input.tsx';
import { NativeSelect } from '../ui/native-select.tsx';
import { Alert } from '../ui/alert.tsx';
import { Card } from '../ui/card.tsx';
import { Label } from '../ui/label.tsx';
import { DescriptionList } from '../ui/description-list.tsx';

function describeDestination(destination: BackupDestination | undefined): string {
  if (destination === undefined) return '—';
  if ('pvc' in destination)
    return `volume claim ${destination.pvc.claimName}${destination.pvc.path === undefined ? '' : `:${destination.pvc.path}`}`;
  return `s3 ${destination.s3.bucket}${destination.s3.prefix === undefined ? '' : `/${destination.s3.prefix}`} at ${destination.s3.endpoint}`;
}

function Problems({ problems, testId }: { readonly problems: readonly string[]; readonly testId: string }) {
  if (problems.length === 0) return null;
  return (
    <ul role="alert" data-testid={testId}>
      {problems.map((problem) => (
        <li key={problem}>{problem}</li>
      ))}
    </ul>
  );
}

function ScaleForm({
  namespace,
  name,
  size,
}: {
  readonly namespace: string;
  readonly name: string;
  readonly size: number;
}) {
  const [problems, setProblems] = useState<readonly string[]>([]);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = new FormData(event.currentTarget).get('size');
    const text = typeof value === 'string' ? value.trim() : '';
    const parsed = scaleEtcdClusterSchema.safeParse({ size: text === '' ? undefined : Number(text) });
    if (!parsed.success) {
      setProblems(issueLines(parsed.error));
      return;
    }
    setProblems([]);
    setBusy(true);
    const result = await mutate('PATCH', etcdClusterPath(namespace, name), parsed.data);
    setBusy(false);
    if (!result.ok) setProblems([result.error]);
  };
  return (
    <form onSubmit={(event) => void submit(event)} aria-label="Scale" noValidate>
      <Label>
        Members <Input name="size" type="number" defaultValue={size} key={size} />
      </Label>{' '}
      <Button type="submit" disabled={busy}>
        Scale
      </Button>
      <Problems problems={problems} testId="scale-errors" />
    </form>
  );
}

function BackUpNow({
  namespace,
  cluster,
  backups,
}: {
  readonly namespace: string;
  readonly cluster: string;
  readonly backups: readonly EtcdBackupRow[];
}) {
  const [problems, setProblems] = useState<readonly string[]>([]);
  const [created, setCreated] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const send = async (destination: unknown) => {
    const parsed = backupNowSchema.safeParse({ destination });
    if (!parsed.success) {
      setProblems(issueLines(parsed.error));
      return;
    }
    setProblems([]);
    setBusy(true);
    const result = await mutate('POST', `${etcdClusterPath(namespace, cluster)}/backups`, parsed.data);
    setBusy(false);
    if (!result.ok) {
      setProblems([result.error]);
      return;
    }
    const body = result.body;
    setCreated(typeof body === 'object' && body !== null && 'name' in body ? String(body.name) : 'a backup');
  };
  const toClaim = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const claim = new FormData(event.currentTarget).get('claimName');
    void send({ pvc: { claimName: typeof claim === 'string' ? claim.trim() : '' } });
  };
  // Each place the cluster is already backed up to, once.
  const destinations = new Map<string, BackupDestination>();
  for (const backup of backups)
    if (backup.destination !== undefined) destinations.set(describeDestination(backup.destination), backup.destination);
  return (
    <Card aria-labelledby="back-up-now">
      <h2 id="back-up-now">Back up now</h2>
      {[...destinations].map(([described, destination]) => (
        <p key={described}>
          <Button variant="outline" size="sm" disabled={busy} onClick={() => void send(destination)}>
            Back up now to {described}
          </Button>
        </p>
      ))}
      <form onSubmit={toClaim} aria-label="Back up now to a volume claim" noValidate>
        <Label>
          Volume claim <Input name="claimName" autoComplete="off" />
        </Label>{' '}
        <Button type="submit" disabled={busy}>
          Back up now
        </Button>
      </form>
      <Problems problems={problems} testId="backup-errors" />
      {created === undefined ? null : (
        <p role="status" data-testid="backup-created">
          Created EtcdBackup {created}
        </p>
      )}
    </Card>
  );
}

function RestoreForm({
  namespace,
  cluster,
  backups,
}: {
  readonly namespace: string;
  readonly cluster: string;
  readonly backups: readonly EtcdBackupRow[];
}) {
  const [problems, setProblems] = useState<readonly string[]>([]);
  const [restored, setRestored] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const choices = backups.flatMap((backup) =>
    backup.snapshots.map((snapshot) => ({
      backup: backup.name,
      snapshot: snapshot.name,
      label: `${snapshot.name} (revision ${snapshot.revision}, ${snapshot.takenAt})`,
    })),
  );
  if (choices.length === 0) return null;
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const chosen = form.get('snapshot');
    const name = form.get('cluster');
    const choice = typeof chosen === 'string' ? choices[Number(chosen)] : undefined;
    const parsed = restoreSchema.safeParse({
      backup: choice?.backup,
      snapshot: choice?.snapshot,
      cluster: typeof name === 'string' ? name.trim() : '',
    });
    if (!parsed.success) {
      setProblems(issueLines(parsed.error));
      return;
    }
    setProblems([]);
    setBusy(true);
    const result = await mutate('POST', `${etcdClusterPath(namespace, cluster)}/restores`, parsed.data);
    setBusy(false);
    if (!result.ok) {
      setProblems([result.error]);
      return;
    }
    setRestored(parsed.data.cluster);
  };
  return (
    <Card aria-labelledby="restore">
      <h2 id="restore">Restore to a new cluster</h2>
      <form onSubmit={(event) => void submit(event)} aria-label="Restore to a new cluster" noValidate>
        <Label>
          Snapshot{' '}
          <NativeSelect name="snapshot">
            {choices.map((choice, index) => (
              <option key={`${choice.backup}/${choice.snapshot}`} value={index}>
                {choice.label}
              </option>
            ))}
          </NativeSelect>
        </Label>{' '}
        <Label>
          New cluster <Input name="cluster" autoComplete="off" />
        </Label>{' '}
        <Button type="submit" disabled={busy}>
          Restore
        </Button>
      </form>
      <Problems problems={problems} testId="restore-errors" />
      {restored === undefined ? null : (
        <p role="status" data-testid="restore-created">
          Restoring into <Link href={`/etcd/${namespace}/${restored}`}>{`${namespace}/${restored}`}</Link>
        </p>
      )}
    </Card>
  );
}

function BackupsTable({ backups }: { readonly backups: readonly EtcdBackupRow[] }) {
  if (backups.length === 0) return <p>No EtcdBackups of this cluster.</p>;
  return (
    <>
      {backups.map((backup) => {
        const ready = backup.conditions.find((condition) => condition.type === 'Ready');
        return (
          <Card key={backup.name} data-backup={backup.name} aria-label={`EtcdBackup ${backup.name}`}>
            <h3>{backup.name}</h3>
            <DescriptionList>
              <dt>Schedule</dt>
              <dd>{backup.schedule ?? 'once'}</dd>
              <dt>Destination</dt>
              <dd>{describeDestination(backup.destination)}</dd>
              <dt>Last success</dt>
              <dd data-field="lastSuccess">{backup.lastSuccess ?? 'none yet'}</dd>
              <dt>Ready</dt>
              <dd data-field="ready">
                {ready === undefined ? '—' : `${ready.status}${ready.message === '' ? '' : `: ${ready.message}`}`}
              </dd>
            </DescriptionList>
            {backup.snapshots.length === 0 ? (
              <p>No snapshot recorded yet.</p>
            ) : (
              <Table>
                <TableCaption>Snapshots of {backup.name}</TableCaption>
                <TableHeader>
                  <TableRow>
                    <TableHead>Taken at</TableHead>
                    <TableHead>Revision</TableHead>
                    <TableHead>Size</TableHead>
                    <TableHead>sha256</TableHead>
                    <TableHead>Location</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {backup.snapshots.map((snapshot) => (
                    <TableRow key={snapshot.name} data-snapshot={snapshot.name}>
                      <TableCell data-column="takenAt">{snapshot.takenAt}</TableCell>
                      <TableCell data-column="revision">{snapshot.revision}</TableCell>
                      <TableCell data-column="size">{formatBytes(snapshot.size)}</TableCell>
                      <TableCell data-column="sha256" className="hash">
                        {snapshot.sha256}
                      </TableCell>
                      <TableCell data-column="location">{snapshot.location}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
          </Card>
        );
      })}
    </>
  );
}

export function EtcdClusterDetail({
  namespace,
  name,
  canScale,
  canBackUp,
  canRestore,
}: {
  readonly namespace: string;
  readonly name: string;
  readonly canScale: boolean;
  readonly canBackUp: boolean;
  readonly canRestore: boolean;
}) {
  const clusters = useLiveRows('etcdclusters');
  const backupRows = useLiveRows('etcdbackups');
  const key = `${namespace}/${name}`;
  const cluster = clusters.rows.get(key);
  const backups = useMemo(
    () =>
      [...backupRows.rows.values()]
        .filter((backup) => backup.namespace === namespace && backup.cluster === name)
        .sort((a, b) => a.name.localeCompare(b.name)),
    [backupRows.rows, namespace, name],
  );
  const clusterProblem = etcdStreamProblem(clusters.error, clusters.errorStatus);
  const backupProblem = etcdStreamProblem(backupRows.error, backupRows.errorStatus);
  return (
    <>
      {clusterProblem === undefined ? null : (
        <Alert variant="destructive" role="alert">
          {clusterProblem}
        </Alert>
      )}
      <p aria-live="polite" data-testid="cluster-state">
        {!clusters.synced
          ? 'Loading…'
          : cluster === undefined
            ? `There is no EtcdCluster ${key}.`
            : `EtcdCluster ${key}`}
      </p>
      {cluster === undefined ? null : (
        <>
          <ClusterSummary cluster={cluster} />
          {canScale ? <ScaleForm namespace={namespace} name={name} size={cluster.size} /> : null}
          <section aria-labelledby="conditions">
            <h2 id="conditions">Conditions</h2>
            <ConditionsTable conditions={cluster.conditions} caption={`Conditions of ${key}`} />
          </section>
          <section aria-labelledby="members">
            <h2 id="members">Members</h2>
            <MembersTable members={cluster.members} caption={`Members of ${key}`} />
          </section>
          {canBackUp ? <BackUpNow namespace={namespace} cluster={name} backups={backups} /> : null}
        </>
      )}
      <section aria-labelledby="backups">
        <h2 id="backups">Backups</h2>
        {backupProblem === undefined ? null : (
          <Alert variant="destructive" role="alert">
            {backupProblem}
          </Alert>
        )}
        {backupRows.synced ? <BackupsTable backups={backups} /> : <p>Loading backups…</p>}
      </section>
      {canRestore && cluster !== undefined ? (
        <RestoreForm namespace={namespace} cluster={name} backups={backups} />
      ) : null}
    </>
  );
}
