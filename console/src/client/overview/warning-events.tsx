'use client';
// The Overview's most recent warning Events across the namespaces the user may list, live from the tab's stream
// (the API server sends only type=Warning).
import { useMemo } from 'react';
import { namespacedKey } from '../../shared/etcd-rows.ts';
import { useLiveRows } from '../live-rows.ts';

const SHOWN = 20;

export function WarningEvents() {
  const { rows, synced, error } = useLiveRows('warningevents');
  const recent = useMemo(
    () => [...rows.values()].sort((a, b) => b.lastSeen.localeCompare(a.lastSeen)).slice(0, SHOWN),
    [rows],
  );
  return (
    <>
      {error === undefined ? null : <p role="alert">{error}</p>}
      <p aria-live="polite" data-testid="warning-count">
        {synced
          ? `${rows.size} warning events${rows.size > SHOWN ? `, the ${SHOWN} most recent shown` : ''}`
          : 'Loading events…'}
      </p>
      {recent.length === 0 ? null : (
        <table>
          <caption>Recent warning events</caption>
          <thead>
            <tr>
              <th scope="col">Last seen</th>
              <th scope="col">Namespace</th>
              <th scope="col">Object</th>
              <th scope="col">Reason</th>
              <th scope="col">Message</th>
              <th scope="col">Count</th>
            </tr>
          </thead>
          <tbody>
            {recent.map((event) => (
              <tr key={namespacedKey(event)} data-event={event.name}>
                <td data-column="lastSeen">{event.lastSeen}</td>
                <td data-column="namespace">{event.namespace}</td>
                <td data-column="object">{event.object}</td>
                <td data-column="reason">{event.reason}</td>
                <td data-column="message">{event.message}</td>
                <td data-column="count">{event.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
