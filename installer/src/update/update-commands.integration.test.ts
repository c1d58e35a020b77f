// `strata update channels|groups|promote|pause|resume|status` as a user runs
// them: the real CLI in a child process, against a real API server (the
// harness) and an update server's control side, JSON API and Omaha endpoint
// in this process. Kubeconfigs of three users: the cluster admin (a client
// certificate), a viewer and a user without any RBAC (ServiceAccount tokens).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CustomObjectsApi, KubeConfig, type V1PolicyRule } from '@kubernetes/client-node';
import { SIMULATED_PAYLOADS_ANNOTATION, UPDATE_CHANNEL, UPDATE_GROUP, UPDATE_RELEASE } from '@strata/api';
import { simulatedReleaseSpec } from '@strata/omaha';
import { sharedControlPlane, uniqueName, waitFor } from '@strata/harness';
import { SECRET_FILE_MODE, writeFileAtomic } from '@strata/host';
import { UpdateResources } from '@strata/update-server';
import {
  aChannelResource,
  aGroupResource,
  anOmahaRequest,
  aReleaseResource,
  aServiceAccountUser,
  createUpdateResource,
  forCreation,
  installUpdateServerCrds,
  postOmaha,
  readAsUpdateEngine,
  startApiUpdateServer,
  type ApiUpdateServer,
} from '@strata/update-server/testing';
import { z } from 'zod';
import { runStrata } from '../testing/run-strata.ts';

const cluster = await sharedControlPlane();
const adminConfig = cluster.adminKubeConfig();
const NAMESPACE = 'default';

const channelsJson = z.object({
  channels: z.array(
    z.object({
      name: z.string(),
      release: z.string().nullable(),
      version: z.string().nullable(),
      resolved: z.string().nullable(),
    }),
  ),
});
const groupJson = z.object({
  name: z.string(),
  paused: z.boolean(),
  machines: z.number().nullable(),
  versions: z.array(z.object({ version: z.string(), machines: z.number() })),
  rollout: z.object({ version: z.string(), inProgress: z.number(), completed: z.number() }).nullable(),
  source: z.enum(['status', 'server']),
});
const statusJson = z.object({
  groups: z.array(groupJson),
  machines: z
    .object({
      items: z.array(z.object({ machineId: z.string(), currentVersion: z.string(), state: z.string().nullable() })),
      continue: z.string().nullable(),
    })
    .optional(),
});
const promotionJson = z.object({
  channel: z.string(),
  release: z.string(),
  version: z.string(),
  previousRelease: z.string().nullable(),
  changed: z.boolean(),
});

describe('strata update against a real API server and update server', () => {
  const suffix = uniqueName('ucli');
  const names = { release: `${suffix}-r1`, next: `${suffix}-r2`, channel: `${suffix}-ch`, group: `${suffix}-g` };
  const track = `${suffix}-track`;
  const cleanups: (() => Promise<unknown>)[] = [];
  const kubeconfigs = { admin: cluster.kubeconfigPath, viewer: '', nobody: '' };
  let directory: string;
  let server: ApiUpdateServer;
  let caFile: string;

  const strata = (user: keyof typeof kubeconfigs, args: readonly string[]) =>
    runStrata(['update', ...args, '--kubeconfig', kubeconfigs[user]], { env: { ...process.env, KUBECONFIG: '' } });
  const serverFlags = () => ['--server', server.baseUrl, '--server-ca-file', caFile];

  /** A ServiceAccount with `rules` (none: no RBAC at all) and a kubeconfig file carrying its token. */
  async function tokenUser(role: 'viewer' | 'nobody', rules: V1PolicyRule[]): Promise<void> {
    const name = `${suffix}-${role}`;
    const user = await aServiceAccountUser(adminConfig, { namespace: NAMESPACE, name, rules });
    cleanups.push(() => user.remove());
    const adminCluster = adminConfig.getCurrentCluster();
    assert.ok(adminCluster);
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [adminCluster],
      users: [{ name, token: user.token }],
      contexts: [{ name, cluster: adminCluster.name, user: name }],
      currentContext: name,
    });
    kubeconfigs[role] = join(directory, `${role}.kubeconfig`);
    await writeFileAtomic(kubeconfigs[role], config.exportConfig(), SECRET_FILE_MODE);
  }

  async function create(
    kind: typeof UPDATE_RELEASE | typeof UPDATE_CHANNEL | typeof UPDATE_GROUP,
    object: ReturnType<typeof forCreation>,
  ) {
    cleanups.push(await createUpdateResource(adminConfig, kind, object));
  }

  async function checkIn(machine: string, version = '3374.2.0') {
    const answer = await postOmaha(
      server.omahaUrl,
      anOmahaRequest({ track, machineId: `${suffix}-${machine}`, version }),
      {
        ca: server.caPem,
      },
    );
    assert.equal(answer.status, 200);
    return readAsUpdateEngine(answer.body);
  }

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'strata-update-cli-'));
    await installUpdateServerCrds(adminConfig);
    const readOnly: V1PolicyRule = {
      apiGroups: [UPDATE_GROUP.group],
      resources: ['updategroups', 'updatechannels', 'updatereleases'],
      verbs: ['get', 'list'],
    };
    await tokenUser('viewer', [readOnly]);
    await tokenUser('nobody', []);
    await create(UPDATE_RELEASE, forCreation(aReleaseResource(names.release, { version: '3374.2.1' })));
    await create(UPDATE_RELEASE, forCreation(aReleaseResource(names.next, { version: '3374.3.0' })));
    await create(UPDATE_CHANNEL, forCreation(aChannelResource(names.channel, names.release)));
    await create(
      UPDATE_GROUP,
      forCreation(aGroupResource(names.group, { track, channel: names.channel, policy: { maxInProgress: 2 } })),
    );
    server = await startApiUpdateServer({
      kubeConfig: adminConfig,
      name: suffix,
      leaseNamespace: NAMESPACE,
      statusResyncMs: 500,
    });
    caFile = join(directory, 'update-server-ca.pem');
    await writeFile(caFile, server.caPem);
    await waitFor(
      'the group in the catalog',
      () => server.catalog().groupByTrack.get(track)?.channel === names.channel || undefined,
    );
    for (const machine of ['m1', 'm2', 'm3']) await checkIn(machine);
  });

  after(async () => {
    await server.close();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await rm(directory, { recursive: true, force: true });
  });

  it('lists the channels and the groups, and a group’s status, as tables and as JSON, from the resources', async () => {
    const channels = await waitFor('the channel’s status', async () => {
      const run = await strata('viewer', ['channels', '--json']);
      assert.equal(run.code, 0, run.stderr);
      const mine = channelsJson.parse(JSON.parse(run.stdout)).channels.find((each) => each.name === names.channel);
      return mine?.version === '3374.2.1' ? mine : undefined;
    });
    assert.deepEqual(channels, { name: names.channel, release: names.release, version: '3374.2.1', resolved: 'True' });
    const table = await strata('viewer', ['channels']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^CHANNEL +RELEASE +VERSION +RESOLVED$/m);
    assert.match(table.stdout, new RegExp(`^${names.channel} +${names.release} +3374\\.2\\.1 +True$`, 'm'));

    // The counts are the server's status writer's, recounted every 500 ms here.
    const resources = new UpdateResources(adminConfig);
    await waitFor('the group’s counts', async () =>
      (await resources.group(names.group)).status?.rollout?.inProgress === 2 ? true : undefined,
    );
    const [groups, status] = await Promise.all([
      strata('viewer', ['groups']),
      strata('viewer', ['status', names.group, '--json']),
    ]);
    assert.equal(status.code, 0, status.stderr);
    const [fromStatus] = statusJson.parse(JSON.parse(status.stdout)).groups;
    assert.equal(fromStatus?.source, 'status');
    assert.equal(fromStatus?.machines, 3);
    assert.deepEqual(fromStatus?.versions, [{ version: '3374.2.0', machines: 3 }]);
    assert.equal(fromStatus?.rollout?.inProgress, 2);
    assert.equal(groups.code, 0, groups.stderr);
    assert.match(groups.stdout, /^GROUP +TRACK +CHANNEL +PAUSED +MACHINES +ROLLOUT$/m);
    assert.match(
      groups.stdout,
      new RegExp(`^${names.group} +${track} +${names.channel} +no +3 +3374\\.2\\.1: 0 done, 2 in progress$`, 'm'),
    );
  });

  it('shows a group’s version breakdown, rollout and machines live from the update server with the user’s token', async () => {
    const run = await strata('viewer', ['status', names.group, ...serverFlags(), '--machines', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const status = statusJson.parse(JSON.parse(run.stdout));
    assert.equal(status.groups.length, 1);
    const group = status.groups[0];
    assert.equal(group?.source, 'server');
    assert.equal(group?.machines, 3);
    assert.deepEqual(group?.versions, [{ version: '3374.2.0', machines: 3 }]);
    // maxInProgress 2: two granted, the third held.
    assert.equal(group?.rollout?.inProgress, 2);
    assert.deepEqual(
      status.machines?.items.map((machine) => machine.machineId).sort(),
      ['m1', 'm2', 'm3'].map((machine) => `${suffix}-${machine}`),
    );
    assert.deepEqual(status.machines?.items.map((machine) => machine.state).sort(), ['granted', 'granted', 'on-hold']);

    const text = await strata('viewer', ['status', names.group, ...serverFlags(), '--machines', '--limit', '2']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^Group ${names.group}: track ${track}, channel ${names.channel}$`, 'm'));
    assert.match(text.stdout, /^ {2}versions: 3374\.2\.0 on 3$/m);
    assert.match(
      text.stdout,
      /^ {2}rollout of 3374\.2\.1: 0 completed, 2 in progress, 0 timed out, 0 failed; 2 granted in this period$/m,
    );
    assert.match(text.stdout, /^MACHINE +ALIAS +VERSION +STATE +TARGET +HOLD +LAST CHECK$/m);
    assert.match(text.stdout, /\(more machines: add --continue \S+\)/);
  });

  it('quotes the update server’s 403 to a user RBAC does not allow, and exits 3', async () => {
    const [run, promote] = await Promise.all([
      strata('nobody', ['status', ...serverFlags()]),
      strata('nobody', ['promote', '3374.3.0', '--channel', names.channel]),
    ]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(
        `answered GET /api/v1/groups with 403 \\(Forbidden: system:serviceaccount:${NAMESPACE}:${suffix}-nobody may not list updategroups\\.update\\.strata\\.dev`,
      ),
    );
    assert.equal(promote.code, 3, promote.stderr);
    assert.match(promote.stderr, /HTTP 403/);
    assert.match(promote.stderr, new RegExp(`${suffix}-nobody`));
  });

  it('refuses bad flags with exit 2 naming the flag, and a kubeconfig without a token for --server', async () => {
    // Independent runs, at once: each is a CLI start-up.
    const [limit, version, both, machines, certificate] = await Promise.all([
      strata('viewer', ['status', ...serverFlags(), '--machines', '--limit', 'many']),
      strata('admin', ['promote', '3374..0', '--channel', names.channel]),
      strata('admin', ['promote', '3374.3.0', '--release', names.next, '--channel', names.channel]),
      strata('viewer', ['status', '--machines']),
      strata('admin', ['status', ...serverFlags()]),
    ]);
    assert.equal(limit.code, 2);
    assert.match(limit.stderr, /--limit: .*number.* \(got "many"\)/);
    assert.equal(version.code, 2);
    assert.match(version.stderr, /<version>: must be a Container Linux version such as 4230\.2\.4 \(got "3374\.\.0"\)/);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--release: give either a <version> or --release <name>/);
    assert.equal(machines.code, 2);
    assert.match(machines.stderr, /--machines: needs --server/);
    assert.equal(certificate.code, 1);
    assert.match(certificate.stderr, /--server: the user of .* has no bearer token/);
  });

  it('promotes a release to a channel, once, and says what it did; an unknown version exits 4', async () => {
    const resources = new UpdateResources(adminConfig);
    const unknown = await strata('admin', ['promote', '9999.0.0', '--channel', names.channel]);
    assert.equal(unknown.code, 4, unknown.stderr);
    assert.match(unknown.stderr, /version: no UpdateRelease has version 9999\.0\.0/);
    const noChannel = await strata('admin', ['promote', '3374.3.0', '--channel', `${suffix}-nosuch`]);
    assert.equal(noChannel.code, 4, noChannel.stderr);
    assert.match(noChannel.stderr, new RegExp(`UpdateChannel ${suffix}-nosuch does not exist`));

    const run = await strata('admin', ['promote', '3374.3.0', '--channel', names.channel, '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(promotionJson.parse(JSON.parse(run.stdout)), {
      channel: names.channel,
      release: names.next,
      version: '3374.3.0',
      previousRelease: names.release,
      changed: true,
    });
    assert.equal((await resources.channel(names.channel)).spec.release, names.next);
    await waitFor('the catalog to offer 3374.3.0', () =>
      server.catalog().channelByName.get(names.channel)?.release?.version === '3374.3.0' ? true : undefined,
    );

    const again = await strata('admin', ['promote', '--release', names.next, '--channel', names.channel]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stdout,
      new RegExp(
        `Channel ${names.channel} already offers 3374\\.3\\.0 \\(UpdateRelease ${names.next}\\); nothing changed`,
      ),
    );
  });

  it('pauses a group, which the Omaha endpoint then holds, and resumes it', async () => {
    const resources = new UpdateResources(adminConfig);
    const pause = await strata('admin', ['pause', names.group, '--json']);
    assert.equal(pause.code, 0, pause.stderr);
    assert.deepEqual(JSON.parse(pause.stdout), { group: names.group, paused: true, changed: true });
    assert.equal((await resources.group(names.group)).spec.policy.enabled, false);
    const held = await waitFor('the server to hold a new machine', async () => {
      const answer = await checkIn(`paused-${Date.now()}`);
      return answer.appStatus === 'updates-disabled' ? answer : undefined;
    });
    assert.equal(held.updateCheckStatus, 'noupdate');

    const twice = await strata('admin', ['pause', names.group]);
    assert.equal(twice.code, 0, twice.stderr);
    assert.match(twice.stdout, new RegExp(`Group ${names.group} is already paused; nothing changed`));

    const resume = await strata('admin', ['resume', names.group]);
    assert.equal(resume.code, 0, resume.stderr);
    assert.match(resume.stdout, new RegExp(`Resumed group ${names.group}`));
    assert.equal((await resources.group(names.group)).spec.policy.enabled, true);
    const noGroup = await strata('admin', ['resume', `${suffix}-nosuch`]);
    assert.equal(noGroup.code, 4);
    assert.match(noGroup.stderr, new RegExp(`UpdateGroup ${suffix}-nosuch does not exist`));
  });

  it('on a cluster of simulated machines, publishes the release of a version none has, then promotes it', async () => {
    const resources = new UpdateResources(adminConfig);
    const customObjects = adminConfig.makeApiClient(CustomObjectsApi);
    const remove = (name: string) =>
      customObjects
        .deleteClusterCustomObject({
          group: UPDATE_RELEASE.group,
          version: UPDATE_RELEASE.version,
          plural: UPDATE_RELEASE.plural,
          name,
        })
        .catch(() => undefined);
    // A version no other test uses: this cluster's API server is shared.
    const major = 5000 + Math.floor(Math.random() * 4000);
    const [initial, next] = [`${major}.0.0`, `${major}.1.0`];
    const base = 'http://127.0.0.9:30780/flatcar/';
    const marked = `${suffix}-simulated`;
    try {
      // What `strata up` renders: the nodes' release, saying where the simulated payloads are served.
      await resources.createRelease(marked, simulatedReleaseSpec(base, initial), {
        [SIMULATED_PAYLOADS_ANNOTATION]: base,
      });

      const refused = await strata('viewer', ['promote', next, '--channel', names.channel]);
      assert.equal(refused.code, 3, `a user who may not create releases is refused: ${refused.stderr}`);
      assert.match(refused.stderr, /create updatereleases/);
      const suffixed = await strata('admin', ['promote', `${major}.2.0+build`, '--channel', names.channel]);
      assert.equal(suffixed.code, 2, suffixed.stderr);
      assert.match(suffixed.stderr, /<version>: this cluster's machines are simulated/);

      const run = await strata('admin', ['promote', next, '--channel', names.channel, '--json']);
      assert.equal(run.code, 0, run.stderr);
      const answer = promotionJson
        .extend({ published: z.object({ name: z.string(), version: z.string(), payloadUrl: z.string() }).nullable() })
        .parse(JSON.parse(run.stdout));
      assert.deepEqual(answer, {
        channel: names.channel,
        release: `flatcar-${next}`,
        version: next,
        previousRelease: names.next,
        changed: true,
        published: {
          name: `flatcar-${next}`,
          version: next,
          payloadUrl: `${base}${next}/flatcar_production_update.gz`,
        },
      });
      const published = (await resources.releases()).find((release) => release.metadata.name === `flatcar-${next}`);
      assert.deepEqual(published?.spec, simulatedReleaseSpec(base, next));
      assert.equal(published?.metadata.annotations?.[SIMULATED_PAYLOADS_ANNOTATION], base);

      // Promoting it again publishes nothing more.
      const again = await strata('admin', ['promote', next, '--channel', names.channel]);
      assert.equal(again.code, 0, again.stderr);
      assert.doesNotMatch(again.stdout, /Published/);
      assert.match(again.stdout, /already offers/);
    } finally {
      await strata('admin', ['promote', '--release', names.next, '--channel', names.channel]);
      await remove(`flatcar-${next}`);
      await remove(marked);
    }
  });
});
