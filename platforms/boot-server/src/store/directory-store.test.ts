import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvalidNameError, InvalidResourceError } from '../errors.ts';
import { aGroup, aProfile } from '../testing/builders.ts';
import { temporaryDataDir, temporaryDirectory, type TemporaryDirectory } from '../testing/data-dir.ts';
import { captureLogger } from '../testing/log-capture.ts';
import { waitFor } from '@strata/harness';
import { DataDirectoryStore } from './directory-store.ts';

const open = (dataPath: string, logger = captureLogger().logger) =>
  DataDirectoryStore.open({ dataPath, logger, debounceMs: 10, resyncIntervalMs: 0 });

describe('DataDirectoryStore: reading matchbox\u2019s layout', () => {
  let data: TemporaryDirectory;
  before(async () => {
    data = await temporaryDataDir({
      profiles: [aProfile({ id: 'worker' })],
      groups: [aGroup({ id: 'node1', profile: 'worker', selector: { mac: '52-54-00-AA-BB-CC' } })],
      ignition: { 'worker.ign': '{"ignition":{"version":"3.3.0"}}' },
      generic: { 'setup.env': 'A={{.a}}' },
      cloud: { 'old.yaml': '#cloud-config\n' },
    });
  });
  after(() => data.remove());

  it('serves groups and profiles by file name, templates by file name, without converting them', async () => {
    const store = await open(data.path);
    try {
      const snapshot = store.snapshot();
      assert.deepEqual([...snapshot.groups.keys()], ['node1']);
      assert.deepEqual([...snapshot.profiles.keys()], ['worker']);
      assert.equal(snapshot.templates.ignition.get('worker.ign'), '{"ignition":{"version":"3.3.0"}}');
      assert.equal(snapshot.templates.generic.get('setup.env'), 'A={{.a}}');
      assert.equal(snapshot.templates.cloud.get('old.yaml'), '#cloud-config\n');
      // As matchbox normalizes a group's MAC selector when it loads it.
      assert.deepEqual(snapshot.groups.get('node1')?.selector, { mac: '52:54:00:aa:bb:cc' });
      assert.deepEqual(store.problems(), []);
    } finally {
      await store.close();
    }
  });

  it('reads null fields as Go does, as absent (zero values)', async () => {
    await writeFile(
      join(data.path, 'groups', 'nulls.json'),
      JSON.stringify({ id: 'nulls', name: null, profile: 'worker', selector: null, metadata: null }),
    );
    await writeFile(
      join(data.path, 'profiles', 'bare.json'),
      JSON.stringify({ id: 'bare', boot: { kernel: '/k', initrd: null, args: null }, ignition_id: null }),
    );
    const store = await open(data.path);
    try {
      assert.deepEqual(store.snapshot().groups.get('nulls'), {
        id: 'nulls',
        name: '',
        profile: 'worker',
        selector: {},
        metadata: {},
      });
      assert.deepEqual(store.snapshot().profiles.get('bare')?.boot, { kernel: '/k', initrd: [], args: [] });
      assert.deepEqual(store.problems(), []);
    } finally {
      await store.close();
      await rm(join(data.path, 'groups', 'nulls.json'));
      await rm(join(data.path, 'profiles', 'bare.json'));
    }
  });

  it('ignores subdirectories, non-JSON files in groups/ and interrupted writes', async () => {
    await mkdir(join(data.path, 'groups', 'nested.json'), { recursive: true });
    await writeFile(join(data.path, 'groups', 'notes.txt'), 'not a group');
    await writeFile(join(data.path, 'ignition', '.worker.ign.0123456789ab.tmp'), 'half');
    const store = await open(data.path);
    try {
      assert.deepEqual([...store.snapshot().groups.keys()], ['node1']);
      assert.deepEqual([...store.snapshot().templates.ignition.keys()], ['worker.ign']);
    } finally {
      await store.close();
    }
  });

  it('refuses a data path that is not a directory', async () => {
    await assert.rejects(open(join(data.path, 'missing')), /cannot be read/);
    await assert.rejects(open(join(data.path, 'groups', 'notes.txt')), /is not a directory/);
  });
});

describe('DataDirectoryStore: a bad file is reported and skipped, the rest keeps serving', () => {
  it('names the file and the field', async () => {
    const data = await temporaryDataDir({ groups: [aGroup({ id: 'good' })], profiles: [aProfile({ id: 'worker' })] });
    const log = captureLogger();
    await writeFile(join(data.path, 'groups', 'broken.json'), '{"id": "broken", ');
    await writeFile(
      join(data.path, 'groups', 'badmac.json'),
      JSON.stringify({ id: 'badmac', selector: { MAC: 'zz:zz' } }),
    );
    await writeFile(
      join(data.path, 'profiles', 'wrong.json'),
      JSON.stringify({ id: 'wrong', boot: { kernel: '/k', initrd: '/not-a-list' } }),
    );
    await writeFile(join(data.path, 'profiles', 'noid.json'), JSON.stringify({ name: 'no id' }));
    await writeFile(
      join(data.path, 'groups', 'deep.json'),
      `{"id": "deep", "metadata": ${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`,
    );
    const store = await open(data.path, log.logger);
    try {
      assert.deepEqual([...store.snapshot().groups.keys()], ['good']);
      assert.deepEqual([...store.snapshot().profiles.keys()], ['worker']);
      const problems = store.problems().map(({ path, field }) => ({ file: path.slice(data.path.length + 1), field }));
      assert.deepEqual(problems, [
        { file: 'groups/badmac.json', field: 'selector.MAC' },
        { file: 'groups/broken.json', field: undefined },
        { file: 'groups/deep.json', field: 'metadata' },
        { file: 'profiles/noid.json', field: 'id' },
        { file: 'profiles/wrong.json', field: 'boot.initrd' },
      ]);
      const warnings = log.lines().filter((line) => line.msg === 'skipped a data file that does not parse');
      assert.deepEqual(
        warnings.map((line) => [String(line.path).slice(data.path.length + 1), line.field]),
        problems.map(({ file, field }) => [file, field]),
      );
    } finally {
      await store.close();
      await data.remove();
    }
  });
});

describe('DataDirectoryStore: live reload', () => {
  it('notices files added, changed and removed, and directories created later, without a restart', async () => {
    const data = await temporaryDataDir({ groups: [aGroup({ id: 'first' })] });
    const store = await open(data.path);
    const sizes: number[] = [];
    store.onChange((snapshot) => sizes.push(snapshot.groups.size));
    try {
      await writeFile(join(data.path, 'groups', 'second.json'), JSON.stringify(aGroup({ id: 'second' })));
      await waitFor('the added group', () => (store.snapshot().groups.has('second') ? true : undefined), 5000);

      await writeFile(
        join(data.path, 'groups', 'second.json'),
        JSON.stringify(aGroup({ id: 'second', name: 'renamed' })),
      );
      await waitFor(
        'the changed group',
        () => (store.snapshot().groups.get('second')?.name === 'renamed' ? true : undefined),
        5000,
      );

      await rm(join(data.path, 'groups', 'first.json'));
      await waitFor('the removed group', () => (!store.snapshot().groups.has('first') ? true : undefined), 5000);

      await mkdir(join(data.path, 'generic'));
      await writeFile(join(data.path, 'generic', 'late.env'), 'X=1');
      await waitFor(
        'a template in a directory created after start',
        () => (store.snapshot().templates.generic.has('late.env') ? true : undefined),
        5000,
      );
      // Each of the four changes was announced to listeners (a write may be seen in more than one step).
      assert.ok(sizes.length >= 4, `${sizes.length} announcements`);
      assert.equal(sizes.at(-1), 1);
    } finally {
      await store.close();
      await data.remove();
    }
  });

  it('keeps the same snapshot, and tells no listener, when a rescan finds nothing changed', async () => {
    const data = await temporaryDataDir({ groups: [aGroup({ id: 'only' })] });
    const store = await open(data.path);
    let notified = 0;
    store.onChange(() => (notified += 1));
    try {
      const before = store.snapshot();
      assert.equal(await store.refresh(), before);
      assert.equal(notified, 0);
    } finally {
      await store.close();
      await data.remove();
    }
  });

  it('sees a file replaced by rename, as editors and config management do', async () => {
    const data = await temporaryDataDir({ profiles: [aProfile({ id: 'p', name: 'old' })] });
    const store = await open(data.path);
    try {
      const staged = join(data.path, 'staged.json');
      await writeFile(staged, JSON.stringify(aProfile({ id: 'p', name: 'new' })));
      await rename(staged, join(data.path, 'profiles', 'p.json'));
      await waitFor(
        'the renamed-in profile',
        () => (store.snapshot().profiles.get('p')?.name === 'new' ? true : undefined),
        5000,
      );
    } finally {
      await store.close();
      await data.remove();
    }
  });
});

describe('DataDirectoryStore: writes', () => {
  it('writes atomically and the snapshot includes the write once it resolves', async () => {
    const data = await temporaryDataDir();
    const store = await open(data.path);
    try {
      await store.putProfile(aProfile({ id: 'worker' }));
      await store.putGroup(aGroup({ id: 'node1', profile: 'worker', selector: { mac: '52-54-00-AA-BB-01' } }));
      await store.putTemplate('ignition', 'worker.ign', '{"ignition":{"version":"3.4.0"}}');
      await store.putTemplate('generic', 'worker.env', 'X={{.x}}');
      const snapshot = store.snapshot();
      assert.equal(snapshot.profiles.get('worker')?.id, 'worker');
      assert.deepEqual(snapshot.groups.get('node1')?.selector, { mac: '52:54:00:aa:bb:01' });
      assert.equal(snapshot.templates.generic.get('worker.env'), 'X={{.x}}');

      const written = JSON.parse(await readFile(join(data.path, 'groups', 'node1.json'), 'utf8')) as {
        selector: unknown;
      };
      assert.deepEqual(written.selector, { mac: '52:54:00:aa:bb:01' });
      assert.equal((await stat(join(data.path, 'ignition', 'worker.ign'))).mode & 0o777, 0o600);
      assert.equal((await stat(join(data.path, 'profiles', 'worker.json'))).mode & 0o777, 0o644);
      for (const directory of ['groups', 'profiles', 'ignition', 'generic']) {
        assert.ok(
          (await readdir(join(data.path, directory))).every((name) => !name.endsWith('.tmp')),
          `no temporary file left in ${directory}`,
        );
      }

      assert.equal(await store.deleteGroup('node1'), true);
      assert.equal(await store.deleteGroup('node1'), false);
      assert.equal(await store.deleteTemplate('generic', 'worker.env'), true);
      assert.equal(store.snapshot().groups.has('node1'), false);
      assert.equal(store.snapshot().templates.generic.has('worker.env'), false);
    } finally {
      await store.close();
      await data.remove();
    }
  });

  it('refuses names that could leave the data directory, and writes nothing', async () => {
    const root = await temporaryDirectory();
    const dataPath = join(root.path, 'data');
    await mkdir(dataPath);
    const store = await open(dataPath);
    try {
      for (const name of ['../escape', '..', '.', '/etc/passwd', 'a/b', 'a\\b', 'nul\0byte', '', 'x'.repeat(300)]) {
        await assert.rejects(store.putTemplate('ignition', name, 'x'), InvalidNameError, JSON.stringify(name));
        await assert.rejects(store.deleteTemplate('generic', name), InvalidNameError, JSON.stringify(name));
        await assert.rejects(store.deleteProfile(name), InvalidNameError, JSON.stringify(name));
      }
      await assert.rejects(store.putProfile({ ...aProfile(), id: '../../evil' }), InvalidResourceError);
      await assert.rejects(store.putGroup({ ...aGroup(), id: 'g', selector: { mac: 'nope' } }), InvalidResourceError);
      assert.deepEqual(await readdir(root.path), ['data']);
      assert.deepEqual(await readdir(dataPath), []);
    } finally {
      await store.close();
      await root.remove();
    }
  });
});
