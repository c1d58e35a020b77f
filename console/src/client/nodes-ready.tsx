'use client';
import { useNodeRows } from './watch-provider.tsx';
import { Alert } from './ui/alert.tsx';

/** Nodes Ready out of the total, live from the tab's watch stream. */
export function NodesReady() {
  const { rows, synced, error } = useNodeRows();
  const ready = [...rows.values()].filter((row) => row.ready === 'Ready').length;
  return (
    <>
      <p aria-live="polite" data-testid="nodes-ready">
        {synced ? `${ready} of ${rows.size} nodes Ready` : 'Loading nodes…'}
      </p>
      {error === undefined ? null : (
        <Alert variant="destructive" role="alert">
          {error}
        </Alert>
      )}
    </>
  );
}
