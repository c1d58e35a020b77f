// Data directories laid out as matchbox reads them but as Strata once did not:
// templates in subdirectories, group and profile files without "id", groups
// with equal selectors. Each answer is the one matchbox v0.11.0 gives.
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { aGroup, aProfile } from '../testing/builders.ts';
import { temporaryDirectory, writeFiles, type TemporaryDirectory } from '../testing/data-dir.ts';
import { captureLogger } from '../testing/log-capture.ts';
import { startTestBootServer, type TestBootServer } from '../testing/test-server.ts';

const ignitionOf = (path: string) => JSON.stringify({ ignition: { version: '3.4.0' }, storage: { files: [{ path }] } });

const json = (value: unknown) => `${JSON.stringify(value)}\n`;

describe('boot server: data directories as matchbox reads them', () => {
  let server: TestBootServer;
  let outside: TemporaryDirectory;
  const log = captureLogger('debug');

  before(async () => {
    outside = await temporaryDirectory();
    await writeFile(join(outside.path, 'secret.ign'), ignitionOf('/outside'));
    server = await startTestBootServer({
      logger: log.logger,
      contents: {
        profiles: [
          aProfile({ id: 'first', ignition_id: 'first.ign' }),
          aProfile({ id: 'second', ignition_id: 'second.ign' }),
        ],
        groups: [
          aGroup({ id: 'site', profile: 'site', selector: { uuid: 'site' }, metadata: { name: 'n1' } }),
          aGroup({ id: 'climb', profile: 'climb', selector: { uuid: 'climb' }, metadata: { name: 'n2' } }),
          aGroup({ id: 'escape', profile: 'escape', selector: { uuid: 'escape' } }),
          aGroup({ id: 'leave', profile: 'leave', selector: { uuid: 'leave' } }),
          aGroup({ id: 'inside-link', profile: 'inside-link', selector: { uuid: 'inside-link' } }),
          // Equal selectors: matchbox lists "a-b.json" before "a.json" and keeps that order.
          aGroup({ id: 'a', profile: 'second', selector: { os: 'installed' } }),
          aGroup({ id: 'a-b', profile: 'first', selector: { os: 'installed' } }),
        ],
        ignition: {
          'first.ign': ignitionOf('/first'),
          'second.ign': ignitionOf('/second'),
        },
      },
    });
    // References with a "/" are matchbox's, not the write API's, so these profiles are files written by hand.
    await writeFiles(server.dataPath, {
      'profiles/site.json': json({ id: 'site', ignition_id: 'site/worker.ign', generic_id: 'site/env/node.env' }),
      'profiles/climb.json': json({
        id: 'climb',
        ignition_id: '../ignition/site/./worker.ign',
        generic_id: 'site//env/node.env',
      }),
      // Matchbox joins "ignition" and the reference before cleaning: this names data/site/worker.ign, which is absent.
      'profiles/leave.json': json({ id: 'leave', ignition_id: '../site/worker.ign' }),
      'profiles/escape.json': json({ id: 'escape', ignition_id: 'links/secret.ign' }),
      'profiles/inside-link.json': json({ id: 'inside-link', ignition_id: 'links/worker.ign' }),
      'ignition/site/worker.ign': ignitionOf('/site'),
      'generic/site/env/node.env': 'NAME={{.name}}\n',
      // No "id": matchbox loads the group all the same, and the profile not at all.
      'groups/anonymous.json': json({
        profile: 'site',
        selector: { uuid: 'anonymous' },
        metadata: { name: 'n3', straße: 'upper-cased as Go does' },
      }),
      'groups/no-profile.json': json({ profile: 'anonymous-profile', selector: { uuid: 'no-profile' } }),
      'profiles/anonymous-profile.json': json({ ignition_id: 'site/worker.ign' }),
    });
    await mkdir(join(server.dataPath, 'ignition', 'links'));
    await symlink(join(outside.path, 'secret.ign'), join(server.dataPath, 'ignition', 'links', 'secret.ign'));
    await symlink('../site/worker.ign', join(server.dataPath, 'ignition', 'links', 'worker.ign'));
    await server.store.refresh();
  });
  after(async () => {
    await server.close();
    await outside.remove();
  });

  const ignitionPath = async (query: string) => {
    const answer = await server.get(`/ignition?${query}`);
    if (answer.status !== 200) return answer.status;
    return (JSON.parse(answer.body) as { storage: { files: { path: string }[] } }).storage.files[0]?.path;
  };

  it('serves an ignition_id and a generic_id in subdirectories', async () => {
    assert.equal(await ignitionPath('uuid=site'), '/site');
    const generic = await server.get('/generic?uuid=site');
    assert.deepEqual([generic.status, generic.body], [200, 'NAME=n1\n']);
  });

  it('cleans a reference as matchbox does, and looks only in the template directory', async () => {
    assert.equal(await ignitionPath('uuid=climb'), '/site');
    assert.equal(await ignitionPath('uuid=leave'), 404);
    assert.equal((await server.get('/generic?uuid=climb')).body, 'NAME=n2\n');
  });

  it('refuses a symbolic link whose target lies outside the data directory, and reports it', async () => {
    assert.equal(await ignitionPath('uuid=escape'), 404);
    assert.equal(await ignitionPath('uuid=inside-link'), '/site');
    const problem = server.store.problems().find((entry) => entry.path.endsWith(join('links', 'secret.ign')));
    assert.equal(problem?.message, 'is a symbolic link that leads outside the data directory');
    assert.equal(log.text().includes('/outside'), false, 'nothing of the file outside was read');
  });

  it('loads a group file without "id", and not a profile file without one', async () => {
    assert.equal(await ignitionPath('uuid=anonymous'), '/site');
    assert.equal(
      (await server.get('/metadata?uuid=anonymous')).body,
      'NAME=n3\nREQUEST_QUERY_UUID=anonymous\nREQUEST_RAW_QUERY=uuid=anonymous\nSTRAßE=upper-cased as Go does\nUUID=anonymous\n',
    );
    assert.equal(await ignitionPath('uuid=no-profile'), 404);
  });

  it('picks, among groups with equal selectors, the one whose file matchbox lists first', async () => {
    assert.equal(await ignitionPath('os=installed'), '/first');
  });
});
