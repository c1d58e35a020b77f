// An existing matchbox data directory, written as matchbox's examples shape
// it, serves unchanged: same files, same answers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validateIgnition } from '@strata/assets';
import { silentLogger } from '../logging.ts';
import { DataDirectoryStore } from '../store/directory-store.ts';
import { temporaryDirectory, writeFiles, type TemporaryDirectory } from '../testing/data-dir.ts';
import { withoutEmptyObjects } from '../testing/go-json.ts';
import { MATCHBOX_EXAMPLE_MACHINES as MACHINES, matchboxExamples } from '../testing/matchbox-examples.ts';
import { startBootServer, type BootServer } from './boot-server.ts';

describe('a matchbox data directory served by Strata', () => {
  let data: TemporaryDirectory;
  let store: DataDirectoryStore;
  let server: BootServer;
  const files = matchboxExamples();

  before(async () => {
    data = await temporaryDirectory();
    await writeFiles(data.path, files);
    store = await DataDirectoryStore.open({ dataPath: data.path, logger: silentLogger() });
    server = await startBootServer({ address: '127.0.0.1:0', store, logger: silentLogger() });
  });
  after(async () => {
    await server.close();
    await store.close();
    await data.remove();
  });

  const get = async (path: string) => {
    const response = await fetch(`${server.url}${path}`);
    return { status: response.status, body: await response.text() };
  };

  it('loads every file', () => {
    assert.deepEqual(store.problems(), []);
    assert.deepEqual([...store.snapshot().groups.keys()].sort(), ['flatcar', 'install', 'node1']);
  });

  it('boots an unknown machine into the install profile of the default group', async () => {
    const answer = await get(
      `/ipxe?uuid=&mac=${MACHINES.anyMac.replaceAll(':', '-')}&domain=&hostname=&serial=&arch=x86_64`,
    );
    assert.equal(answer.status, 200);
    assert.equal(
      answer.body,
      '#!ipxe\nkernel /assets/flatcar/2605.6.0/flatcar_production_pxe.vmlinuz initrd=flatcar_production_pxe_image.cpio.gz ' +
        'flatcar.config.url=http://matchbox.example.com:8080/ignition?uuid=${uuid}&mac=${mac:hexhyp} flatcar.first_boot=yes console=tty0 console=ttyS0 flatcar.autologin strata.example=install\n' +
        'initrd /assets/flatcar/2605.6.0/flatcar_production_pxe_image.cpio.gz\nboot\n',
    );
  });

  it('serves the install Ignition config unchanged but for the version (3.3.0 served as 3.4.0)', async () => {
    const answer = await get(`/ignition?mac=${MACHINES.anyMac}`);
    const original = JSON.parse(files['ignition/flatcar-install.ign'] ?? '') as { ignition: { version: string } };
    assert.deepEqual(withoutEmptyObjects(JSON.parse(answer.body)), { ...original, ignition: { version: '3.4.0' } });
  });

  it('serves the installed system the os=installed group', async () => {
    const answer = await get('/ignition?os=installed');
    assert.deepEqual(withoutEmptyObjects(JSON.parse(answer.body)), {
      ...(JSON.parse(files['ignition/flatcar.ign'] ?? '') as object),
      ignition: { version: '3.4.0' },
    });
    assert.match((await get('/grub?os=installed')).body, /strata\.example=installed/);
  });

  it('renders the etcd node\u2019s template from its group metadata, as a valid Ignition 3.4.0 config', async () => {
    const answer = await get(`/ignition?uuid=${MACHINES.node1Uuid}`);
    assert.equal(answer.status, 200);
    const config = JSON.parse(answer.body) as {
      ignition: { version: string };
      storage: { files: { contents: { source: string } }[] };
      systemd: { units: { dropins: { contents: string }[] }[] };
    };
    assert.equal(config.ignition.version, '3.4.0');
    assert.equal(config.storage.files[0]?.contents.source, 'data:,node1');
    assert.match(
      config.systemd.units[0]?.dropins[0]?.contents ?? '',
      /ETCD_INITIAL_CLUSTER=node1=http:\/\/172\.15\.0\.21:2380,node2=http:\/\/172\.15\.0\.22:2380\nEnvironment=ETCD_ADVERTISE_CLIENT_URLS=http:\/\/172\.15\.0\.21:2379/,
    );
    assert.deepEqual(validateIgnition(config), []);
  });

  it('answers /generic and /metadata from the same metadata', async () => {
    assert.equal(
      (await get(`/generic?uuid=${MACHINES.node1Uuid}&debug=1`)).body,
      `ETCD_NAME=node1\nUUID=${MACHINES.node1Uuid}\nDEBUG=1\n`,
    );
    assert.equal(
      (await get(`/generic?uuid=${MACHINES.node1Uuid}`)).body,
      `ETCD_NAME=node1\nUUID=${MACHINES.node1Uuid}\n`,
    );
    const metadata = (await get(`/metadata?uuid=${MACHINES.node1Uuid}`)).body.split('\n');
    for (const line of [
      'ETCD_NAME=node1',
      'IPV4_ADDRESS=172.15.0.21',
      'NETWORKD_NAME=ens3',
      'NETWORKD_GATEWAY=172.15.0.1',
      `UUID=${MACHINES.node1Uuid}`,
    ])
      assert.ok(metadata.includes(line), line);
  });
});
