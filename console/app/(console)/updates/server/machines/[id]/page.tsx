// One machine as the update server knows it: what it runs, its group, and its timeline oldest first (granted,
// downloading, downloaded, installed, complete, holds with their reasons, errors with their codes). Read again in
// place when the change feed names the machine (ADR 0073).
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { apiMachineDetailAnswerSchema } from '@strata/update-server/answers';
import { UpdateServerLive } from '../../../../../../src/client/update-server/live-refresh.tsx';
import { DescriptionList } from '../../../../../../src/client/ui/description-list.tsx';
import { askUpdateServer, unreachableMessage } from '../../../../../../src/server/update-server.ts';
import { NotConfigured, Refusal, updateServerPageContext } from '../../../../../../src/server/update-server-page.tsx';
import { machineIdSchema } from '../../../../../../src/shared/update-server-forms.ts';
import { machineState, timelineRows } from '../../../../../../src/shared/update-server-rows.ts';

export const dynamic = 'force-dynamic';

export default async function MachinePage({ params }: { readonly params: Promise<{ id: string }> }) {
  const id = machineIdSchema.safeParse((await params).id);
  if (!id.success) notFound();
  const context = await updateServerPageContext();
  const heading = <h1>Machine {id.data}</h1>;
  if (!context.configured)
    return (
      <>
        {heading}
        <NotConfigured />
      </>
    );
  let machine;
  try {
    machine = await askUpdateServer(
      context.server,
      context.session.token,
      { method: 'GET', path: `/machines/${encodeURIComponent(id.data)}` },
      apiMachineDetailAnswerSchema,
    );
  } catch (error) {
    return (
      <>
        {heading}
        <Refusal status={undefined} message={unreachableMessage(error)} />
        <UpdateServerLive scope={{ page: 'machine', machine: id.data, stale: true }} />
      </>
    );
  }
  if (!machine.ok)
    return (
      <>
        {heading}
        <Refusal status={machine.status} message={machine.message} />
        <UpdateServerLive scope={{ page: 'machine', machine: id.data, stale: true }} />
      </>
    );
  const value = machine.value;
  const rows = timelineRows(value.timeline);
  return (
    <>
      {heading}
      <UpdateServerLive scope={{ page: 'machine', machine: value.machineId }} />
      <DescriptionList>
        <dt>Alias</dt>
        <dd data-field="alias">{value.alias === '' ? 'None' : value.alias}</dd>
        <dt>Group</dt>
        <dd data-field="group">
          {value.group === null ? (
            `None has its track (${value.track})`
          ) : (
            <Link href={`/updates/server/groups/${encodeURIComponent(value.group)}`}>{value.group}</Link>
          )}
        </dd>
        <dt>Version</dt>
        <dd data-field="version">{value.currentVersion}</dd>
        <dt>State</dt>
        <dd data-field="state">{machineState(value)}</dd>
        <dt>Last check</dt>
        <dd data-field="last-check">{value.lastCheckAt}</dd>
      </DescriptionList>
      <section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Timeline</h2>
        {rows.length === 0 ? (
          <p>No events yet: the machine has checked in, and nothing was granted.</p>
        ) : (
          <ol data-testid="timeline" className="flex flex-col gap-1 text-sm">
            {rows.map((row) => (
              <li key={row.key} data-state={row.state}>
                <time dateTime={row.at} className="font-mono text-slate-700">
                  {row.at}
                </time>{' '}
                {row.event}
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}
