import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IgnitionBuilder } from './builder.ts';
import { decodeDataUrl } from './data-url.ts';
import { IgnitionBuildError, IgnitionValidationError } from './errors.ts';
import { validateIgnition } from './validate.ts';
import { sha512, TEST_CA_PEM } from './test-fixtures.ts';

/** A builder holding one of everything, made by the same calls every time. */
function strataNode(): IgnitionBuilder {
  return new IgnitionBuilder()
    .proxy({ httpsProxy: 'http://proxy.example.com:3128', noProxy: ['10.0.0.0/8', '.cluster.local'] })
    .certificateAuthority(TEST_CA_PEM)
    .user({
      name: 'core',
      sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey core@strata'],
      groups: ['sudo'],
    })
    .group({ name: 'strata', gid: 900 })
    .directory({ path: '/etc/strata', mode: 0o755 })
    .file({
      path: '/etc/strata/cluster.json',
      contents: '{"name":"test"}\n',
      mode: 0o644,
      overwrite: true,
      user: { name: 'root' },
      group: { id: 0 },
    })
    .file({ path: '/opt/strata/bin/helper', contents: new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 255]), mode: 0o755 })
    .link({ path: '/opt/bin/kubectl', target: '/opt/strata/bin/kubectl' })
    .unit({
      name: 'kubelet.service',
      enabled: true,
      contents: '[Service]\nExecStart=/opt/bin/kubelet\n[Install]\nWantedBy=multi-user.target\n',
    })
    .dropin('kubelet.service', { name: '10-strata.conf', contents: '[Service]\nEnvironment=STRATA=1\n' })
    .dropin('containerd.service', { name: '10-strata.conf', contents: '[Service]\nLimitNOFILE=1048576\n' })
    .unit({ name: 'update-engine.service', mask: true });
}

/** Runs `call` and returns the IgnitionBuildError it must throw. */
function buildError(call: () => unknown): IgnitionBuildError {
  try {
    call();
  } catch (error) {
    assert.ok(error instanceof IgnitionBuildError, `expected an IgnitionBuildError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an IgnitionBuildError, but nothing was thrown');
}

const contentsOf = (source: string | undefined): string => {
  const decoded = decodeDataUrl(source ?? '');
  assert.ok(decoded.ok);
  return new TextDecoder().decode(decoded.value.data);
};

describe('IgnitionBuilder output', () => {
  it('builds a config that validates with zero issues, before and after a JSON round trip', () => {
    const builder = strataNode();
    assert.deepEqual(validateIgnition(builder.build()), []);
    assert.deepEqual(validateIgnition(JSON.parse(builder.render())), []);
  });

  it('writes version 3.4.0 and nothing else for an empty builder', () => {
    assert.equal(new IgnitionBuilder().render(), '{"ignition":{"version":"3.4.0"}}');
  });

  it('renders compact JSON in a fixed key order', () => {
    const rendered = new IgnitionBuilder()
      .unit({ name: 'a.service', contents: 'x', enabled: true })
      .file({ group: { id: 0 }, mode: 0o600, contents: 'hi', path: '/etc/a', overwrite: true })
      .user({ sshAuthorizedKeys: ['k'], name: 'core' })
      .render();
    assert.equal(
      rendered,
      '{"ignition":{"version":"3.4.0"},"passwd":{"users":[{"name":"core","sshAuthorizedKeys":["k"]}]},' +
        '"storage":{"files":[{"path":"/etc/a","overwrite":true,"contents":{"source":"data:,hi"},"mode":384,"group":{"id":0}}]},' +
        '"systemd":{"units":[{"name":"a.service","enabled":true,"contents":"x"}]}}',
    );
  });

  it('renders the same calls in the same order to byte-identical JSON', () => {
    const first = strataNode().render();
    const second = strataNode().render();
    assert.equal(first, second);
    assert.equal(Buffer.compare(Buffer.from(first), Buffer.from(second)), 0);
    const builder = strataNode();
    assert.equal(builder.render(), builder.render(), 'rendering twice from one builder');
  });

  it('keeps entries in the order of the calls', () => {
    const paths = (builder: IgnitionBuilder): string[] =>
      builder.build().storage?.files?.map((file) => file.path) ?? [];
    const ab = new IgnitionBuilder()
      .file({ path: '/a', contents: '', mode: 0o644 })
      .file({ path: '/b', contents: '', mode: 0o644 });
    const ba = new IgnitionBuilder()
      .file({ path: '/b', contents: '', mode: 0o644 })
      .file({ path: '/a', contents: '', mode: 0o644 });
    assert.deepEqual(paths(ab), ['/a', '/b']);
    assert.deepEqual(paths(ba), ['/b', '/a']);
  });

  it('lets JSON.stringify(builder) give the same text as render()', () => {
    const builder = strataNode();
    assert.equal(JSON.stringify(builder), builder.render());
  });

  it('writes text as a percent-encoded data URL and bytes as base64', () => {
    const files = strataNode().build().storage?.files ?? [];
    assert.equal(files[0]?.contents?.source, 'data:,%7B%22name%22%3A%22test%22%7D%0A');
    assert.equal(contentsOf(files[0]?.contents?.source), '{"name":"test"}\n');
    assert.equal(files[1]?.contents?.source, 'data:;base64,f0VMRgD/');
  });

  it('writes the certificate authority as a data URL that decodes to the PEM', () => {
    const cas = strataNode().build().ignition.security?.tls?.certificateAuthorities ?? [];
    assert.equal(cas.length, 1);
    assert.equal(contentsOf(cas[0]?.source), TEST_CA_PEM);
  });

  it('puts drop-ins on their unit, declared before or after, and keeps drop-in-only units', () => {
    const units = strataNode().build().systemd?.units ?? [];
    assert.deepEqual(
      units.map((unit) => [unit.name, unit.dropins?.map((dropin) => dropin.name) ?? []]),
      [
        ['kubelet.service', ['10-strata.conf']],
        ['containerd.service', ['10-strata.conf']],
        ['update-engine.service', []],
      ],
    );
    assert.equal(units[1]?.contents, undefined, 'a drop-in-only unit has no contents of its own');
    const declaredLater = new IgnitionBuilder()
      .dropin('etcd.service', { name: '10-a.conf', contents: 'a' })
      .unit({ name: 'etcd.service', contents: 'u', enabled: true, dropins: [{ name: '20-b.conf', contents: 'b' }] })
      .build();
    assert.deepEqual(declaredLater.systemd?.units, [
      {
        name: 'etcd.service',
        enabled: true,
        contents: 'u',
        dropins: [
          { name: '10-a.conf', contents: 'a' },
          { name: '20-b.conf', contents: 'b' },
        ],
      },
    ]);
  });

  it('writes a remote file with its source and hash', () => {
    const hash = sha512('image');
    const built = new IgnitionBuilder()
      .remoteFile({ path: '/opt/extensions/k8s.raw', source: 'https://example.com/k8s.raw', hash, mode: 0o644 })
      .build();
    assert.deepEqual(built.storage?.files, [
      {
        path: '/opt/extensions/k8s.raw',
        contents: { source: 'https://example.com/k8s.raw', verification: { hash } },
        mode: 0o644,
      },
    ]);
  });

  it('returns a config that shares nothing with the builder', () => {
    const builder = new IgnitionBuilder()
      .file({ path: '/a', contents: 'a', mode: 0o644 })
      .unit({ name: 'a.service', dropins: [{ name: 'a.conf', contents: 'a' }] });
    const built = builder.build();
    built.storage?.files?.push({ path: '/b' });
    built.systemd?.units?.[0]?.dropins?.push({ name: 'b.conf' });
    assert.equal(builder.build().storage?.files?.length, 1);
    assert.equal(builder.build().systemd?.units?.[0]?.dropins?.length, 1);
  });
});

describe('IgnitionBuilder refusals', () => {
  it('throws on a duplicate path across files, directories and links, naming the path', () => {
    const builder = new IgnitionBuilder().file({ path: '/etc/a', contents: '', mode: 0o644 });
    for (const call of [
      () => builder.file({ path: '/etc/a', contents: 'again', mode: 0o644 }),
      () => builder.directory({ path: '/etc/a', mode: 0o755 }),
      () => builder.link({ path: '/etc/a', target: '/etc/b' }),
    ]) {
      const error = buildError(call);
      assert.equal(error.message, 'duplicate path /etc/a: a file is already there');
      assert.deepEqual(error.context, { path: '/etc/a', existing: 'file' });
    }
  });

  it('throws on a duplicate unit, naming it', () => {
    const builder = new IgnitionBuilder().unit({ name: 'kubelet.service', contents: 'x' });
    const error = buildError(() => builder.unit({ name: 'kubelet.service', enabled: true }));
    assert.equal(error.message, 'duplicate systemd unit kubelet.service');
    assert.deepEqual(error.context, { unit: 'kubelet.service' });
  });

  it('throws on a duplicate drop-in of one unit, whichever way it was added', () => {
    const builder = new IgnitionBuilder().unit({
      name: 'kubelet.service',
      dropins: [{ name: '10.conf', contents: 'a' }],
    });
    const error = buildError(() => builder.dropin('kubelet.service', { name: '10.conf', contents: 'b' }));
    assert.equal(error.message, 'duplicate drop-in 10.conf of systemd unit kubelet.service');
    assert.deepEqual(error.context, { unit: 'kubelet.service', dropin: '10.conf' });
    const twiceInOneCall = buildError(() =>
      new IgnitionBuilder().unit({
        name: 'etcd.service',
        dropins: [
          { name: '10.conf', contents: 'a' },
          { name: '10.conf', contents: 'b' },
        ],
      }),
    );
    assert.deepEqual(twiceInOneCall.context, { unit: 'etcd.service', dropin: '10.conf' });
  });

  it('throws on a duplicate user, group or certificate authority', () => {
    const builder = new IgnitionBuilder()
      .user({ name: 'core', sshAuthorizedKeys: [] })
      .group({ name: 'strata' })
      .certificateAuthority(TEST_CA_PEM);
    assert.deepEqual(buildError(() => builder.user({ name: 'core', sshAuthorizedKeys: ['k'] })).context, {
      user: 'core',
    });
    assert.deepEqual(buildError(() => builder.group({ name: 'strata', gid: 1 })).context, { group: 'strata' });
    assert.deepEqual(buildError(() => builder.certificateAuthority(TEST_CA_PEM)).context, { certificateAuthority: 0 });
  });

  it('throws when the proxy is set twice or is not an http(s) URL', () => {
    const builder = new IgnitionBuilder().proxy({ httpProxy: 'http://proxy:3128' });
    assert.equal(
      buildError(() => builder.proxy({ httpProxy: 'http://other:3128' })).message,
      'the proxy is already set',
    );
    const bad = buildError(() => new IgnitionBuilder().proxy({ httpsProxy: 'proxy:3128' }));
    assert.equal(bad.message, 'httpsProxy: proxy "proxy:3128" is not an http or https URL');
    assert.deepEqual(bad.context, { httpsProxy: 'proxy:3128' });
  });

  it('throws on a node where Ignition writes a unit or drop-in, in either order', () => {
    const unitFirst = new IgnitionBuilder().unit({ name: 'kubelet.service', contents: 'x' });
    const error = buildError(() =>
      unitFirst.file({ path: '/etc/systemd/system/kubelet.service', contents: 'y', mode: 0o644 }),
    );
    assert.equal(
      error.message,
      'file /etc/systemd/system/kubelet.service sits where Ignition writes systemd unit kubelet.service',
    );
    assert.deepEqual(error.context, { path: '/etc/systemd/system/kubelet.service', unit: 'kubelet.service' });

    const fileFirst = new IgnitionBuilder().file({
      path: '/etc/systemd/system/kubelet.service.d/10.conf',
      contents: 'y',
      mode: 0o644,
    });
    const dropinError = buildError(() => fileFirst.dropin('kubelet.service', { name: '10.conf', contents: 'x' }));
    assert.equal(
      dropinError.message,
      'drop-in 10.conf of systemd unit kubelet.service would be written at /etc/systemd/system/kubelet.service.d/10.conf, where a file already is',
    );
    assert.deepEqual(dropinError.context, {
      path: '/etc/systemd/system/kubelet.service.d/10.conf',
      existing: 'file',
      unit: 'kubelet.service',
      dropin: '10.conf',
    });
  });

  it('throws on a bad path, mode, owner, unit name, drop-in name or link target', () => {
    const builder = new IgnitionBuilder();
    assert.equal(
      buildError(() => builder.file({ path: 'etc/a', contents: '', mode: 0o644 })).message,
      'file etc/a: path "etc/a" is not absolute',
    );
    assert.equal(
      buildError(() => builder.directory({ path: '/etc/a/', mode: 0o755 })).message,
      'directory /etc/a/: path "/etc/a/" is not clean (it should be "/etc/a")',
    );
    assert.deepEqual(buildError(() => builder.file({ path: '/etc/a', contents: '', mode: 0o10000 })).context, {
      path: '/etc/a',
      mode: 0o10000,
    });
    assert.equal(
      buildError(() => builder.file({ path: '/etc/a', contents: '', mode: 0o644, user: { id: 0, name: 'root' } }))
        .message,
      '/etc/a: user: set either id or name, not both',
    );
    assert.deepEqual(buildError(() => builder.unit({ name: 'kubelet' })).context, { unit: 'kubelet' });
    assert.deepEqual(buildError(() => builder.dropin('kubelet.service', { name: '10.txt', contents: '' })).context, {
      unit: 'kubelet.service',
      dropin: '10.txt',
    });
    assert.equal(
      buildError(() => builder.link({ path: '/a', target: '' })).message,
      'link /a: link target is required',
    );
    assert.equal(
      buildError(() => builder.link({ path: '/a', target: 'b', hard: true })).message,
      'link /a: hard link target "b" is not absolute',
    );
    assert.equal(buildError(() => builder.file({ path: '/a', contents: '\ud800', mode: 0o644 })).context.path, '/a');
  });

  it('throws on a remote file without a usable source or with a malformed hash', () => {
    const builder = new IgnitionBuilder();
    assert.equal(
      buildError(() => builder.remoteFile({ path: '/a', source: '', mode: 0o644 })).message,
      'file /a: source is required',
    );
    assert.equal(
      buildError(() => builder.remoteFile({ path: '/a', source: 'ftp://example.com/a', mode: 0o644 })).message,
      'file /a: unsupported URL scheme "ftp": expected one of http, https, tftp, s3, gs, data',
    );
    const badHash = buildError(() =>
      builder.remoteFile({ path: '/a', source: 'https://example.com/a', hash: 'sha512-abc', mode: 0o644 }),
    );
    assert.equal(badHash.message, 'file /a: sha512 sum must be 128 lowercase hex digits, got 3 characters');
    assert.deepEqual(badHash.context, { path: '/a', hash: 'sha512-abc' });
    assert.deepEqual(
      buildError(() =>
        builder
          .file({ path: '/b', contents: '', mode: 0o644 })
          .remoteFile({ path: '/b', source: 'https://example.com/b', mode: 0o644 }),
      ).context,
      {
        path: '/b',
        existing: 'file',
      },
    );
  });

  it('leaves the builder unchanged when a call throws', () => {
    const builder = new IgnitionBuilder();
    buildError(() => builder.file({ path: '/etc/a', contents: '', mode: -1 }));
    buildError(() => builder.unit({ name: 'a.service', contents: 'x', dropins: [{ name: 'bad', contents: 'x' }] }));
    builder.file({ path: '/etc/a', contents: '', mode: 0o644 }).unit({ name: 'a.service', contents: 'x' });
    assert.equal(
      builder.render(),
      new IgnitionBuilder()
        .file({ path: '/etc/a', contents: '', mode: 0o644 })
        .unit({ name: 'a.service', contents: 'x' })
        .render(),
    );
  });

  it('refuses in build() what only the whole config shows: a node under a link', () => {
    const builder = new IgnitionBuilder()
      .link({ path: '/opt/bin', target: '/usr/bin' })
      .file({ path: '/opt/bin/kubectl', contents: '', mode: 0o755 });
    assert.throws(
      () => builder.build(),
      (error: unknown) =>
        error instanceof IgnitionValidationError &&
        error.issues.length === 1 &&
        error.issues[0]?.path === 'storage.files[0].path' &&
        error.issues[0].message === 'path "/opt/bin/kubectl" lies under link "/opt/bin" of this config',
    );
  });
});
