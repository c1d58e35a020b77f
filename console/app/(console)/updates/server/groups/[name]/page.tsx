// One update group: its summary, version breakdown and rollout, and its machines a page at a time (the JSON API's
// `continue` token, carried in the URL so that a page can be bookmarked), each leading to its timeline. Read again in
// place when the change feed says the group or one of its machines changed (ADR 0073).
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { UPDATE_GROUP } from '@strata/api';
import { apiGroupAnswerSchema, apiMachinesAnswerSchema } from '@strata/update-server/answers';
import { z } from 'zod';
import { GroupPauseButton } from '../../../../../../src/client/update-server/group-pause-button.tsx';
import { UpdateServerLive } from '../../../../../../src/client/update-server/live-refresh.tsx';
import { VersionChart } from '../../../../../../src/client/update-server/version-chart.tsx';
import { Alert } from '../../../../../../src/client/ui/alert.tsx';
import { DescriptionList } from '../../../../../../src/client/ui/description-list.tsx';
import {
  Table,
  TableBody,
  TableCaption,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  TableRowHead,
} from '../../../../../../src/client/ui/table.tsx';
import { mayI } from '../../../../../../src/server/access.ts';
import { consoleConfig } from '../../../../../../src/server/config.ts';
import { askUpdateServer, unreachableMessage } from '../../../../../../src/server/update-server.ts';
import { NotConfigured, Refusal, updateServerPageContext } from '../../../../../../src/server/update-server-page.tsx';
import { userKubeConfig } from '../../../../../../src/server/user-client.ts';
import { updateObjectNameSchema } from '../../../../../../src/shared/update-server-forms.ts';
import {
  groupState,
  machineState,
  policySummary,
  rolloutProgress,
} from '../../../../../../src/shared/update-server-rows.ts';

export const dynamic = 'force-dynamic';

/** The page's query: the update server checks the token and the limit again (400 naming the field). */
const pageQuerySchema = z.object({
  continue: z.string().max(1024).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export default async function UpdateGroupPage({
  params,
  searchParams,
}: {
  readonly params: Promise<{ name: string }>;
  readonly searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const name = updateObjectNameSchema.safeParse((await params).name);
  if (!name.success) notFound();
  const query = pageQuerySchema.safeParse(await searchParams);
  const context = await updateServerPageContext();
  const heading = <h1>Update group {name.data}</h1>;
  if (!context.configured)
    return (
      <>
        {heading}
        <NotConfigured />
      </>
    );
  if (!query.success)
    return (
      <>
        {heading}
        <Alert variant="destructive" role="alert">
          The page&apos;s query is not valid: {z.prettifyError(query.error)}
        </Alert>
      </>
    );
  const { server, session } = context;
  const machinesPath = `/machines?${new URLSearchParams({
    group: name.data,
    ...(query.data.limit === undefined ? {} : { limit: String(query.data.limit) }),
    ...(query.data.continue === undefined ? {} : { continue: query.data.continue }),
  }).toString()}`;
  let group, machines, canPause;
  try {
    [group, machines, canPause] = await Promise.all([
      askUpdateServer(server, session.token, { method: 'GET', path: `/groups/${name.data}` }, apiGroupAnswerSchema),
      askUpdateServer(server, session.token, { method: 'GET', path: machinesPath }, apiMachinesAnswerSchema),
      mayI(userKubeConfig(consoleConfig().apiServer, session.token), {
        verb: 'patch',
        group: UPDATE_GROUP.group,
        resource: UPDATE_GROUP.plural,
        name: name.data,
      }),
    ]);
  } catch (error) {
    return (
      <>
        {heading}
        <Refusal status={undefined} message={unreachableMessage(error)} />
        <UpdateServerLive scope={{ page: 'group', group: name.data, stale: true }} />
      </>
    );
  }
  if (!group.ok)
    return (
      <>
        {heading}
        <Refusal status={group.status} message={group.message} />
        <UpdateServerLive scope={{ page: 'group', group: name.data, stale: true }} />
      </>
    );
  const progress = rolloutProgress(group.value);
  const next =
    machines.ok && machines.value.continue !== null
      ? `?${new URLSearchParams({
          continue: machines.value.continue,
          ...(query.data.limit === undefined ? {} : { limit: String(query.data.limit) }),
        }).toString()}`
      : undefined;
  return (
    <>
      {heading}
      <p>
        <Link href="/updates/server">All channels and groups</Link>
      </p>
      <UpdateServerLive scope={{ page: 'group', group: group.value.name, stale: !machines.ok }} />
      <DescriptionList data-group={group.value.name}>
        <dt>Track</dt>
        <dd data-field="track">{group.value.track}</dd>
        <dt>Channel</dt>
        <dd data-field="channel">{group.value.channel}</dd>
        <dt>State</dt>
        <dd data-field="state">{groupState(group.value)}</dd>
        <dt>Policy</dt>
        <dd data-field="policy">{policySummary(group.value.policy)}</dd>
        <dt>Rollout</dt>
        <dd data-field="rollout">{progress.text}</dd>
      </DescriptionList>
      {canPause ? <GroupPauseButton group={group.value.name} paused={group.value.paused} /> : null}
      <VersionChart group={group.value.name} versions={group.value.versions} />
      <section aria-labelledby="machines-heading">
        <h2 id="machines-heading">Machines</h2>
        {!machines.ok ? (
          <Refusal status={machines.status} message={machines.message} />
        ) : (
          <>
            <Table data-testid="machines">
              <TableCaption>
                Machines of {group.value.name}
                {query.data.continue === undefined ? '' : ' (a later page)'}
              </TableCaption>
              <TableHeader>
                <TableRow>
                  <TableHead>Machine</TableHead>
                  <TableHead>Alias</TableHead>
                  <TableHead>Version</TableHead>
                  <TableHead>State</TableHead>
                  <TableHead>Last check</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {machines.value.items.map((machine) => (
                  <TableRow key={machine.machineId} data-machine={machine.machineId}>
                    <TableRowHead>
                      <Link href={`/updates/server/machines/${encodeURIComponent(machine.machineId)}`}>
                        {machine.machineId}
                      </Link>
                    </TableRowHead>
                    <TableCell data-column="alias">{machine.alias}</TableCell>
                    <TableCell data-column="version">{machine.currentVersion}</TableCell>
                    <TableCell data-column="state">{machineState(machine)}</TableCell>
                    <TableCell data-column="last-check">{machine.lastCheckAt}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            <nav aria-label="Machine pages" className="mt-2 flex gap-4">
              {query.data.continue === undefined ? null : (
                <Link href={`/updates/server/groups/${name.data}`}>First page</Link>
              )}
              {next === undefined ? null : <Link href={`/updates/server/groups/${name.data}${next}`}>Next page</Link>}
            </nav>
          </>
        )}
      </section>
    </>
  );
}
