// The update server's channels and groups (issue 16, ADR 0066), read from its JSON API as the signed-in user, and
// read again in place whenever its change feed says a group or channel changed (ADR 0073: UpdateServerLive). Promote
// and pause are offered where a SelfSubjectAccessReview allows `patch` on that channel or group; the update server
// decides again.
import Link from 'next/link';
import { UPDATE_CHANNEL, UPDATE_GROUP } from '@strata/api';
import { apiChannelsAnswerSchema, apiGroupsAnswerSchema } from '@strata/update-server/answers';
import { GroupPauseButton } from '../../../../src/client/update-server/group-pause-button.tsx';
import { UpdateServerLive } from '../../../../src/client/update-server/live-refresh.tsx';
import { PromoteForm } from '../../../../src/client/update-server/promote-form.tsx';
import { VersionChart } from '../../../../src/client/update-server/version-chart.tsx';
import { Card } from '../../../../src/client/ui/card.tsx';
import { DescriptionList } from '../../../../src/client/ui/description-list.tsx';
import {
  Table,
  TableBody,
  TableCaption,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  TableRowHead,
} from '../../../../src/client/ui/table.tsx';
import { mayI } from '../../../../src/server/access.ts';
import { consoleConfig } from '../../../../src/server/config.ts';
import { askUpdateServer, unreachableMessage } from '../../../../src/server/update-server.ts';
import { NotConfigured, Refusal, updateServerPageContext } from '../../../../src/server/update-server-page.tsx';
import { userKubeConfig } from '../../../../src/server/user-client.ts';
import { groupState, policySummary, rolloutProgress } from '../../../../src/shared/update-server-rows.ts';

export const dynamic = 'force-dynamic';

export default async function UpdateServerPage() {
  const context = await updateServerPageContext();
  const heading = <h1>Update server</h1>;
  if (!context.configured)
    return (
      <>
        {heading}
        <NotConfigured />
      </>
    );
  const { server, session } = context;
  let channels, groups;
  try {
    [channels, groups] = await Promise.all([
      askUpdateServer(server, session.token, { method: 'GET', path: '/channels' }, apiChannelsAnswerSchema),
      askUpdateServer(server, session.token, { method: 'GET', path: '/groups' }, apiGroupsAnswerSchema),
    ]);
  } catch (error) {
    return (
      <>
        {heading}
        <Refusal status={undefined} message={unreachableMessage(error)} />
        <UpdateServerLive scope={{ page: 'overview', stale: true }} />
      </>
    );
  }
  const kubeConfig = userKubeConfig(consoleConfig().apiServer, session.token);
  const may = (resource: string, name: string) =>
    mayI(kubeConfig, { verb: 'patch', group: UPDATE_GROUP.group, resource, name });
  const [canPromote, canPause] = await Promise.all([
    Promise.all((channels.ok ? channels.value.items : []).map((channel) => may(UPDATE_CHANNEL.plural, channel.name))),
    Promise.all((groups.ok ? groups.value.items : []).map((group) => may(UPDATE_GROUP.plural, group.name))),
  ]);
  return (
    <>
      {heading}
      <p>
        The cluster&apos;s Omaha update server: what each channel offers, and how each group of machines follows it. The
        update policies and the reboots node by node are on <Link href="/updates">OS updates</Link>.
      </p>
      <UpdateServerLive scope={{ page: 'overview', stale: !channels.ok || !groups.ok }} />
      <section aria-labelledby="channels-heading">
        <h2 id="channels-heading">Channels</h2>
        {!channels.ok ? (
          <Refusal status={channels.status} message={channels.message} />
        ) : (
          <Table data-testid="channels">
            <TableCaption>Update channels</TableCaption>
            <TableHeader>
              <TableRow>
                <TableHead>Channel</TableHead>
                <TableHead>Release</TableHead>
                <TableHead>Version</TableHead>
                <TableHead>Resolved</TableHead>
                {canPromote.some(Boolean) ? <TableHead>Promote</TableHead> : null}
              </TableRow>
            </TableHeader>
            <TableBody>
              {channels.value.items.map((channel, index) => (
                <TableRow key={channel.name} data-channel={channel.name}>
                  <TableRowHead>{channel.name}</TableRowHead>
                  <TableCell data-column="release">{channel.release ?? 'None'}</TableCell>
                  <TableCell data-column="version">{channel.version ?? 'None'}</TableCell>
                  <TableCell data-column="resolved">
                    {channel.resolved === null
                      ? 'Not yet'
                      : channel.resolved.status === 'True'
                        ? 'Yes'
                        : `${channel.resolved.reason}: ${channel.resolved.message}`}
                  </TableCell>
                  {canPromote.some(Boolean) ? (
                    <TableCell>{canPromote[index] === true ? <PromoteForm channel={channel.name} /> : null}</TableCell>
                  ) : null}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </section>
      <section aria-labelledby="groups-heading">
        <h2 id="groups-heading">Groups</h2>
        {!groups.ok ? (
          <Refusal status={groups.status} message={groups.message} />
        ) : groups.value.items.length === 0 ? (
          <p>No UpdateGroups.</p>
        ) : (
          groups.value.items.map((group, index) => {
            const progress = rolloutProgress(group);
            return (
              <Card asChild key={group.name} className="[&>h3]:m-0">
                <article data-group={group.name} aria-labelledby={`group-${group.name}`}>
                  <h3 id={`group-${group.name}`}>
                    <Link href={`/updates/server/groups/${encodeURIComponent(group.name)}`}>{group.name}</Link>
                  </h3>
                  <DescriptionList>
                    <dt>Track</dt>
                    <dd data-field="track">{group.track}</dd>
                    <dt>Channel</dt>
                    <dd data-field="channel">{group.channel}</dd>
                    <dt>State</dt>
                    <dd data-field="state">{groupState(group)}</dd>
                    <dt>Policy</dt>
                    <dd data-field="policy">{policySummary(group.policy)}</dd>
                    <dt>Machines</dt>
                    <dd data-field="machines">{group.machines}</dd>
                    <dt>Rollout</dt>
                    <dd data-field="rollout">
                      {progress.text}
                      {progress.version === null || progress.machines === 0 ? null : (
                        // Beside the words, not in them: the cell's text stays the progress in words.
                        <progress
                          className="ml-2 align-middle"
                          max={progress.machines}
                          value={progress.onVersion}
                          aria-label={`${group.name}: machines on ${progress.version}`}
                        />
                      )}
                    </dd>
                  </DescriptionList>
                  {canPause[index] === true ? <GroupPauseButton group={group.name} paused={group.paused} /> : null}
                  <VersionChart group={group.name} versions={group.versions} />
                </article>
              </Card>
            );
          })
        )}
      </section>
    </>
  );
}
