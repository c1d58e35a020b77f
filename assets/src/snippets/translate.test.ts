// Against the real Butane (the pinned build from @strata/binaries' cache).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBinary } from '@strata/binaries';
import { decodeDataUrl } from '../ignition/data-url.ts';
import { SnippetButaneError, SnippetFileError, SnippetUnsupportedError, SnippetVariantError } from './errors.ts';
import { translateSnippets, type SnippetsConfig } from './translate.ts';

/** A Butane document of `variant`, with `body` (YAML at top level) after the header. */
function butane(variant: string, body: string, version = variant === 'fcos' ? '1.5.0' : '1.1.0'): string {
  return `variant: ${variant}\nversion: ${version}\n${body}`;
}

const CHRONY = `storage:
  files:
    - path: /etc/chrony.conf
      mode: 0644
      contents:
        inline: |
          server ntp.example.com iburst
systemd:
  units:
    - name: chrony-wait.service
      enabled: true
      contents: |
        [Service]
        ExecStart=/usr/bin/chronyc waitsync
        [Install]
        WantedBy=multi-user.target
`;

function poolConfig(os: SnippetsConfig['os']['name'], workerSnippets: string[], controllerSnippets: string[] = []) {
  return {
    os: { name: os },
    controllers: { snippets: controllerSnippets },
    workerPools: [
      { name: 'general', snippets: [] },
      { name: 'gpu', snippets: workerSnippets },
    ],
  } satisfies SnippetsConfig;
}

function fileText(source: string | undefined): string {
  assert.ok(source !== undefined);
  const decoded = decodeDataUrl(source);
  assert.ok(decoded.ok, source);
  return new TextDecoder().decode(decoded.value.data);
}

describe('translating snippets with Butane', () => {
  let butanePath: string;
  let dir: string;

  before(async () => {
    butanePath = await resolveBinary('butane');
    dir = await mkdtemp(join(tmpdir(), 'strata-snippets-'));
    await mkdir(join(dir, 'snippets'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function snippetFile(name: string, text: string): Promise<string> {
    const path = join(dir, 'snippets', name);
    await writeFile(path, text);
    return path;
  }

  it('translates each pool’s files to Ignition, naming each by its config field', async () => {
    const chrony = await snippetFile('chrony.yaml', butane('flatcar', CHRONY));
    const motd = await snippetFile(
      'motd.bu',
      butane('flatcar', 'storage:\n  files:\n    - path: /etc/motd\n      contents:\n        inline: hi\n'),
    );
    const snippets = await translateSnippets(poolConfig('flatcar', ['snippets/chrony.yaml'], [motd]), {
      butanePath,
      baseDir: dir,
    });
    assert.deepEqual(Object.keys(snippets.workerPools), ['gpu']);
    const [gpu] = snippets.workerPools['gpu'] ?? [];
    assert.equal(gpu?.field, 'workerPools[1].snippets[0]');
    assert.equal(gpu?.file, chrony);
    assert.equal(gpu?.ignition.ignition.version, '3.4.0');
    const file = gpu?.ignition.storage?.files?.[0];
    assert.equal(file?.path, '/etc/chrony.conf');
    assert.equal(file?.mode, 0o644);
    assert.equal(fileText(file?.contents?.source), 'server ntp.example.com iburst\n');
    assert.deepEqual(
      gpu?.ignition.systemd?.units?.map((unit) => [unit.name, unit.enabled]),
      [['chrony-wait.service', true]],
    );
    assert.deepEqual(
      snippets.controllers.map((snippet) => [snippet.field, snippet.file]),
      [['controllers.snippets[0]', motd]],
    );
  });

  it('translates the fcos variant for Fedora CoreOS', async () => {
    const path = await snippetFile('fcos.yaml', butane('fcos', CHRONY));
    const snippets = await translateSnippets(poolConfig('fedora-coreos', [path]), { butanePath });
    assert.equal(snippets.workerPools['gpu']?.[0]?.ignition.storage?.files?.[0]?.path, '/etc/chrony.conf');
  });

  it('stores contents Butane compressed as plain data, and reads `local:` files beside the snippet', async () => {
    const big = `${'# a long comment line that compresses well\n'.repeat(200)}`;
    await writeFile(join(dir, 'snippets', 'big.conf'), big);
    const path = await snippetFile(
      'local.yaml',
      butane('flatcar', 'storage:\n  files:\n    - path: /etc/big.conf\n      contents:\n        local: big.conf\n'),
    );
    const snippets = await translateSnippets(poolConfig('flatcar', [path]), { butanePath });
    const contents = snippets.workerPools['gpu']?.[0]?.ignition.storage?.files?.[0]?.contents;
    assert.equal(contents?.compression, undefined);
    assert.equal(fileText(contents?.source), big);
  });

  it('refuses a missing file, naming the field and the file', async () => {
    const missing = join(dir, 'snippets', 'missing.yaml');
    await assert.rejects(translateSnippets(poolConfig('flatcar', [missing]), { butanePath }), (error: unknown) => {
      assert.ok(error instanceof SnippetFileError);
      assert.match(error.message, /^workerPools\[1\]\.snippets\[0\]: cannot read the snippet .*missing\.yaml: ENOENT/);
      assert.deepEqual(error.context, { field: 'workerPools[1].snippets[0]', file: missing });
      return true;
    });
  });

  it('refuses invalid Butane with Butane’s own message, its line and column, and the file', async () => {
    const path = await snippetFile('bad.yaml', butane('flatcar', 'storage:\n  files:\n    - path: etc/relative\n'));
    await assert.rejects(translateSnippets(poolConfig('flatcar', [path]), { butanePath }), (error: unknown) => {
      assert.ok(error instanceof SnippetButaneError);
      assert.match(error.message, /^workerPools\[1\]\.snippets\[0\]: Butane refused .*bad\.yaml:\n/);
      assert.match(error.message, /line 5 col 13: path not absolute/);
      return true;
    });
  });

  it('refuses a key Butane does not know (strict), rather than dropping it', async () => {
    const path = await snippetFile('typo.yaml', butane('flatcar', 'storage:\n  filez: []\n'));
    await assert.rejects(translateSnippets(poolConfig('flatcar', [path]), { butanePath }), (error: unknown) => {
      assert.ok(error instanceof SnippetButaneError);
      assert.match(error.message, /line 4 col 3: unused key filez/);
      return true;
    });
  });

  it('refuses the variant of the other OS', async () => {
    const fcos = await snippetFile('fcos-on-flatcar.yaml', butane('fcos', CHRONY));
    await assert.rejects(translateSnippets(poolConfig('flatcar', [fcos]), { butanePath }), (error: unknown) => {
      assert.ok(error instanceof SnippetVariantError);
      assert.match(
        error.message,
        /is Butane variant "fcos", but the cluster's machines run Flatcar: use variant "flatcar"/,
      );
      return true;
    });
    const flatcar = await snippetFile('flatcar-on-fcos.yaml', butane('flatcar', CHRONY));
    await assert.rejects(
      translateSnippets(poolConfig('fedora-coreos', [flatcar]), { butanePath }),
      (error: unknown) =>
        error instanceof SnippetVariantError && /run Fedora CoreOS: use variant "fcos"/.test(error.message),
    );
  });

  it('refuses what Strata cannot merge: Ignition newer than it renders, disks, remote configs, a proxy', async () => {
    const cases: [string, string, RegExp][] = [
      [
        'new.yaml',
        butane('fcos', CHRONY, '1.6.0'),
        /translates to Ignition 3\.5\.0, newer than the 3\.4\.0 Strata renders/,
      ],
      [
        'disks.yaml',
        butane('fcos', 'storage:\n  disks:\n    - device: /dev/vdb\n      wipe_table: true\n'),
        /uses Ignition fields a snippet cannot set in Strata \(storage\.disks\)/,
      ],
      [
        'merge.yaml',
        butane('fcos', 'ignition:\n  config:\n    merge:\n      - source: https://example.com/more.ign\n'),
        /merges or replaces another Ignition config/,
      ],
      [
        'proxy.yaml',
        butane('fcos', 'ignition:\n  proxy:\n    http_proxy: http://proxy.example.com:3128\n'),
        /sets Ignition's proxy/,
      ],
    ];
    for (const [name, text, reason] of cases) {
      const path = await snippetFile(name, text);
      await assert.rejects(
        translateSnippets(poolConfig('fedora-coreos', [path]), { butanePath }),
        (error: unknown) => error instanceof SnippetUnsupportedError && reason.test(error.message),
        name,
      );
    }
  });
});
