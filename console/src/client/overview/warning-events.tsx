'use client';
// The Overview's most recent warning Events across the namespaces the user may list, live from the tab's stream
// (the API server sends only type=Warning).
import { useMemo } from 'react';
import { EventsTable, newestFirst } from '../events-table.tsx';
import { useLiveRows } from '../live-rows.ts';
import { Alert } from '../ui/alert.tsx';

const SHOWN = 20;

export function WarningEvents() {
  const { rows, synced, error } = useLiveRows('warningevents');
  const recent = useMemo(() => newestFirst(rows.values()).slice(0, SHOWN), [rows]);
  return (
    <>
      {error === undefined ? null : (
        <Alert variant="destructive" role="alert">
          {error}
        </Alert>
      )}
      <p aria-live="polite" data-testid="warning-count">
        {synced
          ? `${rows.size} warning events${rows.size > SHOWN ? `, the ${SHOWN} most recent shown` : ''}`
          : 'Loading events…'}
      </p>
      <EventsTable events={recent} caption="Recent warning events" about />
    </>
  );
}
