// /ignition with Butane templates, against the real butane: what matchbox
// answers for a template whose name is not *.ign or *.ignition.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resolveBinary } from '@strata/binaries';
import { ButaneTranslator } from '../answers/butane.ts';
import { aGroup, aProfile } from '../testing/builders.ts';
import { captureLogger } from '../testing/log-capture.ts';
import { startTestBootServer, type TestBootServer } from '../testing/test-server.ts';

const WORKER = `variant: flatcar
version: 1.1.0
storage:
  files:
    - path: /etc/hostname
      contents:
        inline: {{.hostname}}
`;

describe('/ignition with Butane templates', () => {
  let server: TestBootServer;
  const log = captureLogger('debug');
  const profiles = {
    worker: 'worker.yaml',
    json: 'node.json',
    'bad-yaml': 'bad.yaml',
    'bad-butane': 'relative.bu',
    raw: 'raw.ign',
  };

  before(async () => {
    const butane = new ButaneTranslator({ butanePath: await resolveBinary('butane') });
    server = await startTestBootServer({
      butane,
      logger: log.logger,
      contents: {
        profiles: Object.entries(profiles).map(([id, name]) => aProfile({ id, ignition_id: name })),
        groups: [
          ...['node1', 'node2'].map((name) =>
            aGroup({ id: name, profile: 'worker', selector: { uuid: name }, metadata: { hostname: `${name}.lan` } }),
          ),
          ...Object.keys(profiles)
            .filter((id) => id !== 'worker')
            .map((id) => aGroup({ id, profile: id, selector: { uuid: id } })),
        ],
        ignition: {
          'worker.yaml': WORKER,
          'node.json': '{"ignition":{"version":"3.4.0"}}',
          'bad.yaml': 'variant: flatcar\nversion: [1.1.0\n',
          'relative.bu': 'variant: flatcar\nversion: 1.1.0\nstorage:\n  files:\n    - path: relative\n',
          'raw.ign': '{"ignition":{"version":"3.4.0"}}',
        },
      },
    });
  });
  after(() => server.close());

  it('renders the template, then translates it from Butane to Ignition 3.4.0, per machine', async () => {
    for (const node of ['node1', 'node2', 'node1']) {
      const answer = await server.get(`/ignition?uuid=${node}`);
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('content-type'), 'application/json');
      const config = JSON.parse(answer.body) as {
        ignition: { version: string };
        storage: { files: { path: string; contents: { source: string } }[] };
      };
      assert.equal(config.ignition.version, '3.4.0');
      assert.equal(config.storage.files[0]?.contents.source, `data:,${node}.lan`);
    }
  });

  it('answers 404 for a .json template that renders Ignition JSON, as matchbox does: it is no Butane', async () => {
    assert.equal((await server.get('/ignition?uuid=json')).status, 404);
  });

  it('answers 404 for invalid YAML and invalid Butane, with the reason logged once', async () => {
    for (const id of ['bad-yaml', 'bad-butane', 'bad-yaml'])
      assert.equal((await server.get(`/ignition?uuid=${id}`)).status, 404);
    const lines = log
      .lines()
      .filter((line) => line.msg === 'the rendered template is not valid Butane; not served')
      .filter((line) => line.template !== 'ignition/node.json');
    assert.deepEqual(
      lines.map((line) => line.template),
      ['ignition/bad.yaml', 'ignition/relative.bu'],
    );
    assert.match(String(lines[1]?.reason), /path/);
  });

  it('still serves .ign files as Ignition, untranslated', async () => {
    const answer = await server.get('/ignition?uuid=raw');
    assert.equal(answer.status, 200);
    assert.equal((JSON.parse(answer.body) as { ignition: { version: string } }).ignition.version, '3.4.0');
  });
});
