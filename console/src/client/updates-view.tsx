'use client';
// The OS updates page: the UpdatePolicies with their budget and state, and the rollout node by node, both live from
// the tab's one watch stream. Pause and resume are an edit of the policy's spec.paused; the form creates and edits a
// whole policy; delete asks first. Each is offered when the server's SelfSubjectAccessReview allowed it; the API
// server still decides, and its refusal is shown. Every value is a React text child, which React escapes.
import { createColumnHelper } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import type { RolloutRow } from '../shared/rollout-row.ts';
import type { UpdatePolicyRow } from '../shared/update-policy-row.ts';
import { mutate } from './mutate.ts';
import { useLiveRows } from './live-rows.ts';
import { UpdatePolicyForm, type PolicyEditorMode } from './update-policy-form.tsx';

/** What the signed-in user may do to UpdatePolicies, from SelfSubjectAccessReviews. */
export interface PolicyRights {
  readonly create: boolean;
  readonly patch: boolean;
  readonly delete: boolean;
}
import { VirtualTable } from './virtual-table.tsx';
import { Table, TableContainer, TableBody, TableCell, TableHead, TableHeader, TableRow } from './ui/table.tsx';
import { Button } from './ui/button.tsx';
import { ConfirmDialog } from './ui/confirm-dialog.tsx';
import { Alert } from './ui/alert.tsx';

/** The phases in the order a node goes through them, for the nodes' counts in words. */
const PHASE_WORDS: readonly (readonly [keyof NonNullable<UpdatePolicyRow['nodes']>, string])[] = [
  ['rebootNeeded', 'waiting for a slot'],
  ['waiting', 'hooks pending'],
  ['approved', 'granted'],
  ['draining', 'draining'],
  ['rebooting', 'rebooting'],
  ['afterReboot', 'back up'],
  ['failed', 'failed'],
];

function nodeCounts(policy: UpdatePolicyRow): string {
  const nodes = policy.nodes;
  if (nodes === undefined) return 'Not reported yet';
  const busy = PHASE_WORDS.flatMap(([phase, words]) => {
    const count = nodes[phase] ?? 0;
    return count === 0 ? [] : [`${count} ${words}`];
  });
  const total = `${nodes.total ?? 0} selected`;
  return busy.length === 0 ? `${total}, all idle` : `${total}: ${busy.join(', ')}`;
}

function policyState(policy: UpdatePolicyRow): string {
  const blocked = policy.conditions.find((condition) => condition.type === 'Blocked' && condition.status === 'True');
  const degraded = policy.conditions.find((condition) => condition.type === 'Degraded' && condition.status !== 'False');
  const parts = [
    ...(policy.paused ? ['Paused'] : []),
    ...(blocked === undefined ? [] : [`Blocked (${blocked.reason}): ${blocked.message}`]),
    ...(degraded === undefined ? [] : [`Degraded (${degraded.reason}): ${degraded.message}`]),
  ];
  if (!policy.observed) parts.push('the operator has not acted on the last change yet');
  return parts.length === 0 ? 'Rolling' : parts.join('; ');
}

function PauseButton({
  policy,
  onError,
}: {
  readonly policy: UpdatePolicyRow;
  readonly onError: (message: string) => void;
}) {
  const [busy, setBusy] = useState(false);
  const verb = policy.paused ? 'Resume' : 'Pause';
  const act = async () => {
    setBusy(true);
    const result = await mutate('PATCH', `/api/updatepolicies/${encodeURIComponent(policy.name)}`, {
      paused: !policy.paused,
    });
    setBusy(false);
    if (!result.ok) onError(result.error);
  };
  return (
    <Button
      variant="outline"
      size="sm"
      disabled={busy}
      aria-label={`${verb} ${policy.name}`}
      onClick={() => void act()}
    >
      {verb}
    </Button>
  );
}

function DeleteButton({
  policy,
  onError,
}: {
  readonly policy: UpdatePolicyRow;
  readonly onError: (message: string) => void;
}) {
  // The row goes when the watch says the policy is gone.
  return (
    <ConfirmDialog
      trigger={
        <Button variant="outline" size="sm" aria-label={`Delete ${policy.name}`}>
          Delete
        </Button>
      }
      title={`Delete UpdatePolicy ${policy.name}?`}
      description="Its nodes are no longer rebooted under it."
      confirmLabel="Confirm delete"
      busyLabel="Deleting…"
      onConfirm={async () => {
        const result = await mutate('DELETE', `/api/updatepolicies/${encodeURIComponent(policy.name)}`);
        if (!result.ok) onError(result.error);
      }}
    />
  );
}

function PoliciesTable({ rights, onEdit }: { readonly rights: PolicyRights; readonly onEdit: (name: string) => void }) {
  const { rows, synced, error } = useLiveRows('updatepolicies');
  const [actionError, setActionError] = useState<string | undefined>(undefined);
  const hasActions = rights.patch || rights.delete;
  const policies = useMemo(() => [...rows.values()].sort((a, b) => a.name.localeCompare(b.name)), [rows]);
  return (
    <section aria-labelledby="policies-heading">
      <h2 id="policies-heading">Update policies</h2>
      <p aria-live="polite" data-testid="policy-count">
        {synced ? `${policies.length} ${policies.length === 1 ? 'policy' : 'policies'}` : 'Loading policies…'}
      </p>
      {error === undefined ? null : (
        <Alert variant="destructive" role="alert">
          {error}
        </Alert>
      )}
      {actionError === undefined ? null : (
        <Alert variant="destructive" role="alert" data-testid="policy-action-error">
          {actionError}
        </Alert>
      )}
      <TableContainer className="max-h-[70vh] bg-white" tabIndex={0} aria-label="Update policies table">
        {/* Policies carry long selectors and the operator’s messages: their cells wrap rather than scroll. */}
        <Table className="[&_td]:whitespace-normal">
          <TableHeader>
            <TableRow>
              <TableHead>Name</TableHead>
              <TableHead>Selects</TableHead>
              <TableHead>Budget</TableHead>
              <TableHead>Reboot windows</TableHead>
              <TableHead>Nodes</TableHead>
              <TableHead>State</TableHead>
              {hasActions ? <TableHead>Actions</TableHead> : null}
            </TableRow>
          </TableHeader>
          <TableBody>
            {policies.map((policy) => (
              <TableRow key={policy.name} data-policy={policy.name}>
                <TableCell data-column="name">{policy.name}</TableCell>
                <TableCell data-column="selector">{policy.nodeSelector}</TableCell>
                <TableCell data-column="budget">
                  {`${policy.inProgress ?? 0} in use of maxUnavailable ${policy.maxUnavailable}`}
                </TableCell>
                <TableCell data-column="windows">{policy.rebootWindows}</TableCell>
                <TableCell data-column="nodes">{nodeCounts(policy)}</TableCell>
                <TableCell data-column="state">{policyState(policy)}</TableCell>
                {hasActions ? (
                  <TableCell data-column="actions">
                    {rights.patch ? (
                      <>
                        <PauseButton policy={policy} onError={setActionError} />{' '}
                        <Button
                          variant="outline"
                          size="sm"
                          aria-label={`Edit ${policy.name}`}
                          onClick={() => onEdit(policy.name)}
                        >
                          Edit
                        </Button>{' '}
                      </>
                    ) : null}
                    {rights.delete ? <DeleteButton policy={policy} onError={setActionError} /> : null}
                  </TableCell>
                ) : null}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    </section>
  );
}

/** Nodes in a rollout first (in the order they go through it), then the rest by name. */
const PHASE_ORDER: Readonly<Record<RolloutRow['phase'], number>> = {
  failed: 0,
  rebooting: 1,
  draining: 2,
  approved: 3,
  waiting: 4,
  afterReboot: 5,
  rebootNeeded: 6,
  idle: 7,
};

const rolloutColumn = createColumnHelper<RolloutRow>();
// The column ids are the cells' `data-column` values, which the browser tests read.
const ROLLOUT_COLUMNS = [
  rolloutColumn.accessor('name', { header: 'Node' }),
  rolloutColumn.accessor('state', { header: 'State' }),
  rolloutColumn.accessor((node) => node.version ?? '—', { id: 'version', header: 'OS version' }),
  rolloutColumn.accessor((node) => node.newVersion ?? '—', { id: 'newVersion', header: 'Staged' }),
  rolloutColumn.accessor((node) => node.policy ?? '—', { id: 'policy', header: 'Granted by' }),
];

function RolloutTable() {
  const { rows, synced, error } = useLiveRows('rollout');
  const nodes = useMemo(
    () =>
      [...rows.values()].sort((a, b) => PHASE_ORDER[a.phase] - PHASE_ORDER[b.phase] || a.name.localeCompare(b.name)),
    [rows],
  );
  const moving = nodes.filter((node) => node.phase !== 'idle').length;
  return (
    <section aria-labelledby="rollout-heading">
      <h2 id="rollout-heading">Rollout</h2>
      <p aria-live="polite" data-testid="rollout-count">
        {synced ? `${moving} of ${nodes.length} nodes in a rollout` : 'Loading nodes…'}
      </p>
      {error === undefined ? null : (
        <Alert variant="destructive" role="alert">
          {error}
        </Alert>
      )}
      {/* Only the rows in view are in the DOM, as on the Nodes page: a fleet of thousands stays cheap to render. */}
      <VirtualTable
        data={nodes}
        columns={ROLLOUT_COLUMNS}
        label="Rollout table"
        rowId={(node) => node.name}
        rowAttribute="node"
      />
    </section>
  );
}

function usePolicyEditor(rights: PolicyRights) {
  const [mode, setMode] = useState<PolicyEditorMode | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  // A new key per opening, so that the form starts from the stored policy (or the defaults) every time.
  const [opening, setOpening] = useState(0);
  const open = (next: PolicyEditorMode) => {
    setNotice(undefined);
    setMode(next);
    setOpening(opening + 1);
  };
  return {
    open,
    view: (
      <>
        {rights.create ? (
          <p>
            <Button variant="outline" size="sm" onClick={() => open({ kind: 'create' })}>
              Create an UpdatePolicy
            </Button>
          </p>
        ) : null}
        {notice === undefined ? null : (
          <p aria-live="polite" data-testid="policy-notice">
            {notice}
          </p>
        )}
        {mode === undefined ? null : (
          <UpdatePolicyForm
            key={opening}
            mode={mode}
            onDone={(message) => {
              setMode(undefined);
              setNotice(message);
            }}
            onCancel={() => setMode(undefined)}
          />
        )}
      </>
    ),
  };
}

export function UpdatesView({ rights }: { readonly rights: PolicyRights }) {
  const editor = usePolicyEditor(rights);
  return (
    <>
      <PoliciesTable rights={rights} onEdit={(name) => editor.open({ kind: 'edit', name })} />
      {editor.view}
      <RolloutTable />
    </>
  );
}
