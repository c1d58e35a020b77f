'use client';
// The actions on a node, shared by the Nodes table and the node page: cordon or uncordon (a merge patch of
// spec.unschedulable) and drain (cordon, then an Eviction of each pod a drain evicts). Both go through the console's
// route handlers with the user's own token; the API server decides, and its refusal is what the user reads.
import { useState } from 'react';
import { drainReportSchema, type DrainReport } from '../shared/node-detail.ts';
import type { NodeRow } from '../shared/node-row.ts';
import { mutate } from './mutate.ts';

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
    <button type="button" disabled={busy} aria-label={`${verb} ${row.name}`} onClick={() => void act()}>
      {verb}
    </button>
  );
}

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
  const act = async () => {
    setBusy(true);
    const result = await mutate('POST', `/api/nodes/${encodeURIComponent(name)}/drain`);
    setBusy(false);
    if (!result.ok) {
      onError(result.error);
      return;
    }
    const report = drainReportSchema.safeParse(result.body);
    if (report.success) onReport(report.data);
    else onError(`the console answered the drain with a report it cannot read: ${report.error.message}`);
  };
  return (
    <button type="button" disabled={busy} aria-label={`Drain ${name}`} onClick={() => void act()}>
      {busy ? 'Draining…' : 'Drain'}
    </button>
  );
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
  return `Drained ${report.node} (cordoned): ${parts.join(', ')}.`;
}

/** The report pod by pod, the refusals in the API server's words. */
export function DrainReportView({ report }: { readonly report: DrainReport }) {
  return (
    <div data-testid="drain-report" aria-live="polite">
      <p data-testid="drain-summary">{drainSummary(report)}</p>
      {report.pods.length === 0 ? null : (
        <table>
          <caption>Drain of {report.node}, pod by pod</caption>
          <thead>
            <tr>
              <th scope="col">Pod</th>
              <th scope="col">Outcome</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {report.pods.map((pod) => (
              <tr key={`${pod.namespace}/${pod.name}`} data-drained={`${pod.namespace}/${pod.name}`}>
                <td>
                  {pod.namespace}/{pod.name}
                </td>
                <td data-column="outcome">{pod.outcome}</td>
                <td data-column="message">{pod.message ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
