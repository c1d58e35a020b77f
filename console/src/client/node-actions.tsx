'use client';
// The actions on a node, shared by the Nodes table and the node page: cordon or uncordon (a merge patch of
// spec.unschedulable) and drain (cordon, then an Eviction of each pod a drain evicts). Both go through the console's
// route handlers with the user's own token; the API server decides, and its refusal is what the user reads.
import { useState } from 'react';
import { LABELS } from '@strata/api';
import {
  drainReportSchema,
  KUBECTL_DRAIN_DEFAULTS,
  rebootsAnswerSchema,
  type DrainOptions,
  type DrainReport,
  type RebootsAnswer,
} from '../shared/node-detail.ts';
import type { NodeRow } from '../shared/node-row.ts';
import { mutate } from './mutate.ts';
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from './ui/alert-dialog.tsx';
import { Button } from './ui/button.tsx';
import { Checkbox } from './ui/checkbox.tsx';
import { Label } from './ui/label.tsx';
import {
  Table,
  TableBody,
  TableCaption,
  TableCell,
  TableContainer,
  TableHead,
  TableHeader,
  TableRow,
} from './ui/table.tsx';

export function CordonButton({
  row,
  onError,
}: {
  readonly row: Pick<NodeRow, 'name' | 'schedulable'>;
  readonly onError: (message: string) => void;
}) {
  const [busy, setBusy] = useState(false);
  const verb = row.schedulable ? 'Cordon' : 'Uncordon';
  const act = async () => {
    setBusy(true);
    const result = await mutate('PATCH', `/api/nodes/${encodeURIComponent(row.name)}`, {
      unschedulable: row.schedulable,
    });
    setBusy(false);
    if (!result.ok) onError(result.error);
  };
  return (
    <Button variant="outline" size="xs" disabled={busy} aria-label={`${verb} ${row.name}`} onClick={() => void act()}>
      {verb}
    </Button>
  );
}

/**
 * Drain, after a confirmation that says what it does and offers kubectl drain's two ways to go further: evicting pods
 * no controller recreates (--force) and pods whose emptyDir data would be lost (--delete-emptydir-data). Neither
 * bypasses a PodDisruptionBudget.
 */
export function DrainButton({
  name,
  onReport,
  onError,
}: {
  readonly name: string;
  readonly onReport: (report: DrainReport) => void;
  readonly onError: (message: string) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [options, setOptions] = useState<DrainOptions>(KUBECTL_DRAIN_DEFAULTS);
  const act = async () => {
    setBusy(true);
    const result = await mutate('POST', `/api/nodes/${encodeURIComponent(name)}/drain`, options);
    setBusy(false);
    setConfirming(false);
    setOptions(KUBECTL_DRAIN_DEFAULTS);
    if (!result.ok) {
      onError(result.error);
      return;
    }
    const report = drainReportSchema.safeParse(result.body);
    if (report.success) onReport(report.data);
    else onError(`the console answered the drain with a report it cannot read: ${report.error.message}`);
  };
  // An alert dialog (focus held inside, Escape cancels): the drain cannot be undone by the page. It stays open while
  // the drain runs, so that the user sees it working, and closes with its report or its refusal. It is mounted only
  // once asked for: every row of the Nodes table has this button, and the table re-renders its rows in view on every
  // watch event (docs/benchmarks.md). Radix's focus scope gives the focus back to this button when it closes.
  return (
    <>
      <Button
        variant="outline"
        size="xs"
        aria-label={`Drain ${name}`}
        aria-haspopup="dialog"
        aria-expanded={confirming}
        onClick={() => setConfirming(true)}
      >
        Drain
      </Button>
      {confirming ? (
        <AlertDialog
          open
          onOpenChange={(open) => {
            if (busy) return;
            setConfirming(open);
            if (!open) setOptions(KUBECTL_DRAIN_DEFAULTS);
          }}
        >
          <AlertDialogContent data-testid="drain-confirmation">
            <AlertDialogHeader>
              <AlertDialogTitle>Drain {name}?</AlertDialogTitle>
              <AlertDialogDescription>
                Cordon {name} and evict its pods. A PodDisruptionBudget can still refuse an eviction.
              </AlertDialogDescription>
            </AlertDialogHeader>
            <Label className="font-normal">
              <Checkbox
                checked={options.force}
                disabled={busy}
                onChange={(event) => setOptions({ ...options, force: event.target.checked })}
              />
              also pods no controller recreates (--force)
            </Label>
            <Label className="font-normal">
              <Checkbox
                checked={options.deleteEmptyDirData}
                disabled={busy}
                onChange={(event) => setOptions({ ...options, deleteEmptyDirData: event.target.checked })}
              />
              also pods whose emptyDir data is lost (--delete-emptydir-data)
            </Label>
            <AlertDialogFooter>
              <AlertDialogCancel disabled={busy}>Cancel</AlertDialogCancel>
              {/* Not AlertDialog's Action, which would close the dialog before the drain has answered. */}
              <Button
                variant="destructive"
                disabled={busy}
                aria-label={`Confirm drain of ${name}`}
                onClick={() => void act()}
              >
                {busy ? 'Draining…' : 'Confirm drain'}
              </Button>
            </AlertDialogFooter>
          </AlertDialogContent>
        </AlertDialog>
      ) : null}
    </>
  );
}

/** Pause or resume the node's reboots: the update.strata.dev/reboots-paused label (ADR 0062). */
export function RebootsButton({
  row,
  onAnswer,
  onError,
}: {
  readonly row: Pick<NodeRow, 'name' | 'rebootsPaused'>;
  readonly onAnswer: (answer: RebootsAnswer) => void;
  readonly onError: (message: string) => void;
}) {
  const [busy, setBusy] = useState(false);
  const verb = row.rebootsPaused ? 'Resume reboots' : 'Pause reboots';
  const act = async () => {
    setBusy(true);
    const result = await mutate('PUT', `/api/nodes/${encodeURIComponent(row.name)}/reboots`, {
      paused: !row.rebootsPaused,
    });
    setBusy(false);
    if (!result.ok) {
      onError(result.error);
      return;
    }
    const answer = rebootsAnswerSchema.safeParse(result.body);
    if (answer.success) onAnswer(answer.data);
    else onError(`the console answered with something it cannot read: ${answer.error.message}`);
  };
  return (
    <Button variant="outline" size="xs" disabled={busy} aria-label={`${verb} ${row.name}`} onClick={() => void act()}>
      {verb}
    </Button>
  );
}

/**
 * What pausing or resuming did, honestly: the label only holds a node's reboots where no UpdatePolicy selects it
 * any more (a node with a reboot under way is refused by the server, with why).
 */
export function rebootsOutcome(answer: RebootsAnswer): string {
  const { row, policies } = answer;
  if (!row.rebootsPaused) {
    const by = 'selecting' in policies && policies.selecting.length > 0 ? ` (by ${policies.selecting.join(', ')})` : '';
    return `Reboots of ${row.name} resumed: it may be granted a reboot again${by}.`;
  }
  if ('unknown' in policies)
    return `Reboots of ${row.name} paused (label ${LABELS.rebootsPaused} set), but the UpdatePolicies could not be read to check that none selects it: ${policies.unknown}`;
  if (policies.selecting.length > 0)
    return `The label ${LABELS.rebootsPaused} is set on ${row.name}, but UpdatePolicy ${policies.selecting.join(', ')} still selects it (its nodeSelector does not exclude the label): its reboots are not held.`;
  return `Reboots of ${row.name} paused: no UpdatePolicy selects it, so no reboot will be granted to it.`;
}

/** A drain's report in one line: how many pods went, and which a PodDisruptionBudget or the API server kept. */
export function drainSummary(report: DrainReport): string {
  const count = (outcome: DrainReport['pods'][number]['outcome']) =>
    report.pods.filter((pod) => pod.outcome === outcome).length;
  const parts = [`${count('evicted')} evicted`];
  if (count('refused') > 0) parts.push(`${count('refused')} refused by a PodDisruptionBudget`);
  if (count('failed') > 0) parts.push(`${count('failed')} failed`);
  if (count('not-evicted') > 0) parts.push(`${count('not-evicted')} not evicted`);
  if (count('skipped') > 0) parts.push(`${count('skipped')} skipped`);
  const given = [
    ...(report.options.force ? ['--force'] : []),
    ...(report.options.deleteEmptyDirData ? ['--delete-emptydir-data'] : []),
  ];
  return `Drained ${report.node} (cordoned${given.length === 0 ? '' : `, ${given.join(' ')}`}): ${parts.join(', ')}.`;
}

/** The report pod by pod, the refusals in the API server's words. */
export function DrainReportView({ report }: { readonly report: DrainReport }) {
  return (
    <div data-testid="drain-report" aria-live="polite">
      <p data-testid="drain-summary">{drainSummary(report)}</p>
      {report.pods.length === 0 ? null : (
        <TableContainer>
          <Table>
            <TableCaption>Drain of {report.node}, pod by pod</TableCaption>
            <TableHeader>
              <TableRow>
                <TableHead>Pod</TableHead>
                <TableHead>Outcome</TableHead>
                <TableHead>Why</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {report.pods.map((pod) => (
                <TableRow key={`${pod.namespace}/${pod.name}`} data-drained={`${pod.namespace}/${pod.name}`}>
                  <TableCell>
                    {pod.namespace}/{pod.name}
                  </TableCell>
                  <TableCell data-column="outcome">{pod.outcome}</TableCell>
                  <TableCell data-column="message" className="whitespace-normal">
                    {pod.message ?? ''}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </div>
  );
}
