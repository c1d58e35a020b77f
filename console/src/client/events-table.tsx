'use client';
// One table of Events for every page that shows them (the Overview's warnings, a node's Events), newest first, with
// the same cells and test hooks everywhere.
import type { EventRow } from '../shared/etcd-rows.ts';
import { namespacedKey } from '../shared/etcd-rows.ts';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from './ui/table.tsx';

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
    <Table>
      <TableCaption>{caption}</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead>Last seen</TableHead>
          {about ? (
            <>
              <TableHead>Namespace</TableHead>
              <TableHead>Object</TableHead>
            </>
          ) : null}
          <TableHead>Reason</TableHead>
          <TableHead>Message</TableHead>
          <TableHead>Count</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {events.map((event) => (
          <TableRow key={namespacedKey(event)} data-event={event.name}>
            <TableCell data-column="lastSeen">{event.lastSeen}</TableCell>
            {about ? (
              <>
                <TableCell data-column="namespace">{event.namespace}</TableCell>
                <TableCell data-column="object">{event.object}</TableCell>
              </>
            ) : null}
            <TableCell data-column="reason">{event.reason}</TableCell>
            <TableCell data-column="message">{event.message}</TableCell>
            <TableCell data-column="count">{event.count}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
