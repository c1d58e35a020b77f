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
    <button type="button" disabled={busy} aria-label={`${verb} ${policy.name}`} onClick={() => void act()}>
      {verb}
    </button>
  );
}

function DeleteButton({
  policy,
  onError,
}: {
  readonly policy: UpdatePolicyRow;
  readonly onError: (message: string) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const remove = async () => {
    setBusy(true);
    const result = await mutate('DELETE', `/api/updatepolicies/${encodeURIComponent(policy.name)}`);
    setBusy(false);
    setConfirming(false);
    if (!result.ok) onError(result.error);
  };
  if (!confirming)
    return (
      <button type="button" aria-label={`Delete ${policy.name}`} onClick={() => setConfirming(true)}>
        Delete
      </button>
    );
  // The row goes when the watch says the policy is gone.
  return (
    <span role="group" aria-label={`Confirm deleting ${policy.name}`}>
      Delete {policy.name}? Its nodes are no longer rebooted under it.{' '}
      <button type="button" disabled={busy} onClick={() => void remove()}>
        Confirm delete
      </button>{' '}
      <button type="button" onClick={() => setConfirming(false)}>
        Cancel
      </button>
    </span>
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
      {error === undefined ? null : <p role="alert">{error}</p>}
      {actionError === undefined ? null : (
        <p role="alert" data-testid="policy-action-error">
          {actionError}
        </p>
      )}
      <div className="table-scroller" tabIndex={0} aria-label="Update policies table">
        <table className="wrapping">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Selects</th>
              <th scope="col">Budget</th>
              <th scope="col">Reboot windows</th>
              <th scope="col">Nodes</th>
              <th scope="col">State</th>
              {hasActions ? <th scope="col">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {policies.map((policy) => (
              <tr key={policy.name} data-policy={policy.name}>
                <td data-column="name">{policy.name}</td>
                <td data-column="selector">{policy.nodeSelector}</td>
                <td data-column="budget">
                  {`${policy.inProgress ?? 0} in use of maxUnavailable ${policy.maxUnavailable}`}
                </td>
                <td data-column="windows">{policy.rebootWindows}</td>
                <td data-column="nodes">{nodeCounts(policy)}</td>
                <td data-column="state">{policyState(policy)}</td>
                {hasActions ? (
                  <td data-column="actions">
                    {rights.patch ? (
                      <>
                        <PauseButton policy={policy} onError={setActionError} />{' '}
                        <button type="button" aria-label={`Edit ${policy.name}`} onClick={() => onEdit(policy.name)}>
                          Edit
                        </button>{' '}
                      </>
                    ) : null}
                    {rights.delete ? <DeleteButton policy={policy} onError={setActionError} /> : null}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
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
      {error === undefined ? null : <p role="alert">{error}</p>}
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
            <button type="button" onClick={() => open({ kind: 'create' })}>
              Create an UpdatePolicy
            </button>
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
