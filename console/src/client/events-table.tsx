'use client';
// One table of Events for every page that shows them (the Overview's warnings, a node's Events), newest first, with
// the same cells and test hooks everywhere.
import type { EventRow } from '../shared/etcd-rows.ts';
import { namespacedKey } from '../shared/etcd-rows.ts';

/** Events newest first, by when they were last seen. */
export function newestFirst(events: Iterable<EventRow>): EventRow[] {
  return [...events].sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
}

/** `about`: the columns that say which object an Event is about (off where the page is about one object). */
export function EventsTable({
  events,
  caption,
  about,
}: {
  readonly events: readonly EventRow[];
  readonly caption: string;
  readonly about: boolean;
}) {
  if (events.length === 0) return null;
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Last seen</th>
          {about ? (
            <>
              <th scope="col">Namespace</th>
              <th scope="col">Object</th>
            </>
          ) : null}
          <th scope="col">Reason</th>
          <th scope="col">Message</th>
          <th scope="col">Count</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <tr key={namespacedKey(event)} data-event={event.name}>
            <td data-column="lastSeen">{event.lastSeen}</td>
            {about ? (
              <>
                <td data-column="namespace">{event.namespace}</td>
                <td data-column="object">{event.object}</td>
              </>
            ) : null}
            <td data-column="reason">{event.reason}</td>
            <td data-column="message">{event.message}</td>
            <td data-column="count">{event.count}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
