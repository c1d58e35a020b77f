import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IgnitionValidationError, type IgnitionIssue } from './errors.ts';
import type { IgnitionConfig } from './schema.ts';
import { assertValidIgnition, validateIgnition } from './validate.ts';
import { config, directory, file, group, link, resource, sha256, sha512, unit, user } from './test-fixtures.ts';

const issue = (path: string, message: string): IgnitionIssue => ({ path, message });

/** Asserts that `input` has exactly these issues, in this order. */
function assertIssues(input: unknown, ...expected: IgnitionIssue[]): void {
  assert.deepEqual(validateIgnition(input), expected);
}

const fileWithSource = (source: string): IgnitionConfig => config({ files: [file({ contents: { source } })] });

describe('validateIgnition on the fixture', () => {
  it('finds no issue in a config that uses every part of the schema', () => {
    assertIssues(config());
  });

  it('finds no issue in the smallest config', () => {
    assertIssues({ ignition: { version: '3.4.0' } });
  });
});

describe('shape', () => {
  it('reports a root that is not an object', () => {
    assertIssues(null, issue('', 'expected an object, got null'));
    assertIssues([], issue('', 'expected an object, got an array'));
  });

  it('reports a missing required field', () => {
    assertIssues({ ignition: {} }, issue('ignition.version', 'required field is missing (expected a string)'));
    assertIssues({}, issue('ignition', 'required field is missing (expected an object)'));
  });

  it('reports a value of the wrong type, with the value found', () => {
    const input = { ...config(), storage: { files: [{ ...file(), path: 3 }] } };
    assertIssues(input, issue('storage.files[0].path', 'expected a string, got number 3'));
    const notAList = { ...config(), systemd: { units: unit() } };
    assertIssues(notAList, issue('systemd.units', 'expected an array, got an object'));
    const stringFlag = { ...config(), systemd: { units: [{ ...unit(), enabled: 'yes' }] } };
    assertIssues(stringFlag, issue('systemd.units[0].enabled', 'expected a boolean, got a string ("yes")'));
  });

  it('reports a fractional id', () => {
    assertIssues(
      config({ users: [user({ uid: 1000.5 })] }),
      issue('passwd.users[0].uid', 'expected an integer, got number 1000.5'),
    );
  });

  it('reports every unknown field, including fields of Ignition outside the supported subset', () => {
    const input = {
      ...config(),
      storage: { files: [{ ...file(), contents: { sourceUrl: 'https://x' } }], disks: [] },
    };
    assertIssues(
      input,
      issue('storage.files[0].contents.sourceUrl', 'unknown field "sourceUrl"'),
      issue('storage.disks', 'unknown field "disks"'),
    );
  });

  it('quotes keys that are not identifiers', () => {
    assertIssues({ ignition: { version: '3.4.0' }, 'odd key': 1 }, issue('["odd key"]', 'unknown field "odd key"'));
  });
});

describe('ignition.version', () => {
  it('accepts every released 3.x version up to 3.4.0', () => {
    for (const version of ['3.0.0', '3.1.0', '3.2.0', '3.3.0', '3.4.0']) {
      assertIssues(config({ version }));
    }
  });

  it('refuses versions Ignition does not know, including experimental ones', () => {
    const expected = 'expected one of 3.0.0, 3.1.0, 3.2.0, 3.3.0, 3.4.0';
    assertIssues(
      config({ version: '3.5.0' }),
      issue('ignition.version', `unsupported config version "3.5.0": ${expected}`),
    );
    assertIssues(
      config({ version: '2.3.0' }),
      issue('ignition.version', `unsupported config version "2.3.0": ${expected}`),
    );
    assertIssues(
      config({ version: '3.4.0-experimental' }),
      issue('ignition.version', `unsupported config version "3.4.0-experimental": ${expected}`),
    );
  });

  it('refuses a version that is not semver', () => {
    assertIssues(
      config({ version: '3.4' }),
      issue('ignition.version', 'invalid config version "3.4": not a semantic version'),
    );
    assertIssues(
      config({ version: '' }),
      issue('ignition.version', 'invalid config version "": not a semantic version'),
    );
  });
});

describe('node paths', () => {
  it('must be absolute', () => {
    assertIssues(
      config({ files: [file({ path: 'etc/strata/cluster.json' })] }),
      issue('storage.files[0].path', 'path "etc/strata/cluster.json" is not absolute'),
    );
    assertIssues(
      config({ directories: [directory({ path: 'strata' })] }),
      issue('storage.directories[0].path', 'path "strata" is not absolute'),
    );
  });

  it('must not be empty', () => {
    assertIssues(config({ links: [link({ path: '' })] }), issue('storage.links[0].path', 'path is empty'));
  });

  it('must be clean: no doubled slash, trailing slash, "." or ".."', () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ['/etc//strata', '/etc/strata'],
      ['/etc/strata/', '/etc/strata'],
      ['/etc/./strata', '/etc/strata'],
      ['/etc/x/../strata', '/etc/strata'],
      ['/../etc/strata', '/etc/strata'],
    ];
    for (const [path, clean] of cases) {
      assertIssues(
        config({ directories: [directory({ path })] }),
        issue(
          'storage.directories[0].path',
          `path ${JSON.stringify(path)} is not clean (it should be ${JSON.stringify(clean)})`,
        ),
      );
    }
  });
});

describe('uniqueness', () => {
  it('allows each path once across files, directories and links', () => {
    const duplicateAcrossKinds = config({
      files: [file({ path: '/etc/a' })],
      directories: [directory({ path: '/etc/a' })],
      links: [link({ path: '/etc/a' })],
    });
    assertIssues(
      duplicateAcrossKinds,
      issue('storage.directories[0].path', 'duplicate path "/etc/a" (first at storage.files[0].path)'),
      issue('storage.links[0].path', 'duplicate path "/etc/a" (first at storage.files[0].path)'),
    );
    const duplicateFiles = config({ files: [file(), file({ path: '/etc/b' }), file()] });
    assertIssues(
      duplicateFiles,
      issue('storage.files[2].path', 'duplicate path "/etc/strata/cluster.json" (first at storage.files[0].path)'),
    );
  });

  it('allows each unit name once', () => {
    assertIssues(
      config({ units: [unit(), unit({ dropins: [] })] }),
      issue('systemd.units[1].name', 'duplicate unit name "kubelet.service" (first at systemd.units[0].name)'),
    );
  });

  it('allows each drop-in name once within a unit, and again in another unit', () => {
    const dropin = { name: '10-strata.conf', contents: '[Service]\n' };
    assertIssues(
      config({ units: [unit({ dropins: [dropin, dropin] })] }),
      issue(
        'systemd.units[0].dropins[1].name',
        'duplicate drop-in name "10-strata.conf" (first at systemd.units[0].dropins[0].name)',
      ),
    );
    assertIssues(
      config({ units: [unit({ dropins: [dropin] }), unit({ name: 'containerd.service', dropins: [dropin] })] }),
    );
  });

  it('allows each user and group name once', () => {
    assertIssues(
      config({ users: [user(), user({ sshAuthorizedKeys: [] })] }),
      issue('passwd.users[1].name', 'duplicate user name "core" (first at passwd.users[0].name)'),
    );
    assertIssues(
      config({ groups: [group(), group({ gid: 901 })] }),
      issue('passwd.groups[1].name', 'duplicate group name "strata" (first at passwd.groups[0].name)'),
    );
  });

  // Ignition refuses a repeated entry of any list ("duplicate entry defined"); a differential test against
  // ignition-validate found these lists of strings, which Strata's validator let through.
  it("allows each string once in a user's SSH keys and groups, in noProxy, and in all kernel arguments", () => {
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey core@strata';
    assertIssues(
      config({ users: [user({ sshAuthorizedKeys: [key, key], groups: ['sudo', 'sudo'] })] }),
      issue(
        'passwd.users[0].sshAuthorizedKeys[1]',
        `duplicate SSH key ${JSON.stringify(key)} (first at passwd.users[0].sshAuthorizedKeys[0])`,
      ),
      issue('passwd.users[0].groups[1]', 'duplicate supplementary group "sudo" (first at passwd.users[0].groups[0])'),
    );
    assertIssues(
      config({ proxy: { httpProxy: 'http://proxy.example.com:3128', noProxy: ['.local', '.local'] } }),
      issue('ignition.proxy.noProxy[1]', 'duplicate noProxy entry ".local" (first at ignition.proxy.noProxy[0])'),
    );
    assertIssues(
      { ...config(), kernelArguments: { shouldExist: ['quiet', 'console=ttyS0'], shouldNotExist: ['quiet'] } },
      issue(
        'kernelArguments.shouldNotExist[0]',
        'duplicate kernel argument "quiet" (first at kernelArguments.shouldExist[0])',
      ),
    );
    assertIssues(
      { ...config(), kernelArguments: { shouldExist: ['quiet', 'quiet'] } },
      issue(
        'kernelArguments.shouldExist[1]',
        'duplicate kernel argument "quiet" (first at kernelArguments.shouldExist[0])',
      ),
    );
  });

  it('allows each merged config source once', () => {
    const merged = resource();
    assertIssues(
      config({ merge: [merged, merged] }),
      issue(
        'ignition.config.merge[1].source',
        'duplicate merged config source "https://assets.example.com/config.ign" (first at ignition.config.merge[0].source)',
      ),
    );
  });

  it('allows each certificate authority source once', () => {
    const ca = { source: 'https://pki.example.com/ca.pem' };
    assertIssues(
      config({ certificateAuthorities: [ca, ca] }),
      issue(
        'ignition.security.tls.certificateAuthorities[1].source',
        'duplicate certificate authority source "https://pki.example.com/ca.pem" (first at ignition.security.tls.certificateAuthorities[0].source)',
      ),
    );
  });
});

describe('systemd names', () => {
  it('requires a unit name to end in a systemd unit type', () => {
    for (const suffix of [
      '.service',
      '.socket',
      '.device',
      '.mount',
      '.automount',
      '.swap',
      '.target',
      '.path',
      '.timer',
      '.snapshot',
      '.slice',
      '.scope',
    ]) {
      assertIssues(config({ units: [unit({ name: `strata${suffix}` })] }));
    }
    assertIssues(
      config({ units: [unit({ name: 'kubelet.conf' })] }),
      issue(
        'systemd.units[0].name',
        'unit name "kubelet.conf" does not end in a systemd unit type (.service, .socket, .device, .mount, .automount, .swap, .target, .path, .timer, .snapshot, .slice, .scope)',
      ),
    );
  });

  it('refuses a unit name with a slash', () => {
    assertIssues(
      config({ units: [unit({ name: '../../etc/evil.service' })] }),
      issue('systemd.units[0].name', 'unit name "../../etc/evil.service" may not contain "/"'),
    );
  });

  it('requires a drop-in name to end in .conf', () => {
    assertIssues(
      config({ units: [unit({ dropins: [{ name: '10-strata.service', contents: '[Service]\n' }] })] }),
      issue('systemd.units[0].dropins[0].name', 'drop-in name "10-strata.service" does not end in ".conf"'),
    );
    assertIssues(
      config({ units: [unit({ dropins: [{ name: 'x/10.conf' }] })] }),
      issue('systemd.units[0].dropins[0].name', 'drop-in name "x/10.conf" may not contain "/"'),
    );
  });
});

describe('files', () => {
  it('refuses overwrite without contents.source', () => {
    const message = 'overwrite is true but contents.source is unspecified';
    assertIssues(config({ files: [file({ contents: undefined })] }), issue('storage.files[0].overwrite', message));
    assertIssues(config({ files: [file({ contents: { source: '' } })] }), issue('storage.files[0].overwrite', message));
    assertIssues(config({ files: [file({ overwrite: false, contents: undefined })] }));
  });

  it('checks every appended resource', () => {
    assertIssues(
      config({ files: [file({ append: [{ source: 'data:,ok' }, { source: 'ftp://example.com/x' }] })] }),
      issue(
        'storage.files[0].append[1].source',
        'unsupported URL scheme "ftp": expected one of http, https, tftp, s3, gs, data',
      ),
    );
  });
});

describe('resource sources', () => {
  it('accepts http, https, tftp, s3, gs and data sources', () => {
    for (const source of [
      'http://example.com/a',
      'https://example.com/a',
      'tftp://example.com:69/a',
      's3://bucket/key',
      's3://bucket/key?versionId=v1',
      'gs://bucket/object',
      'data:,x',
      'HTTPS://example.com/a',
    ]) {
      assertIssues(fileWithSource(source));
    }
  });

  it('refuses other schemes and sources without a scheme', () => {
    const expected = 'expected one of http, https, tftp, s3, gs, data';
    assertIssues(
      fileWithSource('ftp://example.com/a'),
      issue('storage.files[0].contents.source', `unsupported URL scheme "ftp": ${expected}`),
    );
    assertIssues(
      fileWithSource('file:///etc/hosts'),
      issue('storage.files[0].contents.source', `unsupported URL scheme "file": ${expected}`),
    );
    assertIssues(
      fileWithSource('/etc/hosts'),
      issue('storage.files[0].contents.source', `source "/etc/hosts" has no URL scheme: ${expected}`),
    );
  });

  it('refuses a URL that does not parse', () => {
    assertIssues(
      fileWithSource('https://exa mple.com/a'),
      issue('storage.files[0].contents.source', 'source "https://exa mple.com/a" is not a valid URL'),
    );
  });

  it('refuses an empty s3 versionId', () => {
    assertIssues(
      fileWithSource('s3://bucket/key?versionId='),
      issue('storage.files[0].contents.source', 'the versionId of an s3 URL may not be empty'),
    );
  });

  it('allows an absent or empty source for file contents and appends, and for config.replace', () => {
    const input = config({ files: [file({ overwrite: false, contents: { source: '' }, append: [{}] })] });
    input.ignition.config = { ...input.ignition.config, replace: {} };
    assertIssues(input);
  });

  it('requires a source for config.merge entries and certificate authorities', () => {
    assertIssues(config({ merge: [{}] }), issue('ignition.config.merge[0].source', 'source is required'));
    assertIssues(
      config({ certificateAuthorities: [{ source: '' }] }),
      issue('ignition.security.tls.certificateAuthorities[0].source', 'source is required'),
    );
  });

  it('decodes data URLs and reports why one does not decode', () => {
    assertIssues(
      fileWithSource('data:;base64,SGk'),
      issue(
        'storage.files[0].contents.source',
        'invalid data URL: malformed base64 data: length 3 is not a multiple of 4 (padding missing?)',
      ),
    );
    assertIssues(
      fileWithSource('data:,100%'),
      issue('storage.files[0].contents.source', 'invalid data URL: truncated percent-escape "%" at offset 9'),
    );
    assertIssues(
      fileWithSource('data:,%zz'),
      issue('storage.files[0].contents.source', 'invalid data URL: bad percent-escape "%zz" at offset 6'),
    );
    assertIssues(
      config({ certificateAuthorities: [{ source: 'data:,-----BEGIN CERTIFICATE-----' }] }),
      issue(
        'ignition.security.tls.certificateAuthorities[0].source',
        'invalid data URL: invalid character " " at offset 16 in data (it must be percent-encoded)',
      ),
    );
  });
});

describe('resource verification, compression and headers', () => {
  const withContents = (contents: IgnitionConfig['ignition']['config']): IgnitionConfig => {
    const input = config();
    input.ignition.config = contents;
    return input;
  };
  const merged = (overrides: Parameters<typeof resource>[0]): IgnitionConfig =>
    withContents({ merge: [resource(overrides)] });

  it('accepts sha512 and sha256 hashes of lowercase hex', () => {
    assertIssues(merged({ verification: { hash: sha512('x') } }));
    assertIssues(merged({ verification: { hash: sha256('x') } }));
  });

  it('refuses a malformed hash', () => {
    const at = 'ignition.config.merge[0].verification.hash';
    const upper = `sha512-${sha512('x').slice('sha512-'.length).toUpperCase()}`;
    assertIssues(
      merged({ verification: { hash: upper } }),
      issue(at, `sha512 sum must be 128 lowercase hex digits, got ${JSON.stringify(upper.charAt(7))} at position 0`),
    );
    assertIssues(
      merged({ verification: { hash: sha256('x').slice(0, -1) } }),
      issue(at, 'sha256 sum must be 64 lowercase hex digits, got 63 characters'),
    );
    assertIssues(
      merged({ verification: { hash: `sha512-${'g'.repeat(128)}` } }),
      issue(at, 'sha512 sum must be 128 lowercase hex digits, got "g" at position 0'),
    );
    assertIssues(
      merged({ verification: { hash: 'md5-d41d8cd98f00b204e9800998ecf8427e' } }),
      issue(at, 'unsupported hash function "md5": expected sha512 or sha256'),
    );
    assertIssues(
      merged({ verification: { hash: 'abc' } }),
      issue(at, 'malformed hash "abc": expected "sha512-<hex>" or "sha256-<hex>"'),
    );
  });

  it('refuses a hash without a source', () => {
    assertIssues(
      config({ files: [file({ overwrite: false, contents: { verification: { hash: sha512('x') } } })] }),
      issue('storage.files[0].contents.verification.hash', 'a hash cannot be verified without a source'),
    );
  });

  it('accepts no compression, an empty one or gzip, and nothing else', () => {
    assertIssues(merged({ compression: '' }));
    assertIssues(merged({ compression: 'gzip' }));
    assertIssues(
      merged({ compression: 'xz' }),
      issue('ignition.config.merge[0].compression', 'unsupported compression "xz": expected "gzip" or none'),
    );
  });

  it('allows HTTP headers only on http and https sources, with unique non-empty names', () => {
    const header = { name: 'Authorization', value: 'Bearer t' };
    assertIssues(merged({ httpHeaders: [header] }));
    assertIssues(
      merged({ source: 's3://bucket/key', httpHeaders: [header] }),
      issue('ignition.config.merge[0].httpHeaders', 'HTTP headers need an http or https source'),
    );
    assertIssues(
      merged({ httpHeaders: [header, { name: '' }, header] }),
      issue('ignition.config.merge[0].httpHeaders[1].name', 'HTTP header name is empty'),
      issue(
        'ignition.config.merge[0].httpHeaders[2].name',
        'duplicate HTTP header "Authorization" (first at ignition.config.merge[0].httpHeaders[0].name)',
      ),
    );
  });
});

describe('modes and owners', () => {
  it('accepts integer modes from 0 to 0o7777', () => {
    assertIssues(config({ files: [file({ mode: 0 })], directories: [directory({ mode: 0o7777 })] }));
  });

  it('refuses a mode out of range or not an integer', () => {
    for (const mode of [-1, 0o10000, 420.5]) {
      assertIssues(
        config({ files: [file({ mode })] }),
        issue('storage.files[0].mode', `mode must be an integer from 0 to 4095 (0o7777), got ${mode}`),
      );
    }
    assertIssues(
      config({ directories: [directory({ mode: 0o10000 })] }),
      issue('storage.directories[0].mode', 'mode must be an integer from 0 to 4095 (0o7777), got 4096'),
    );
  });

  it('refuses an owner given by both id and name', () => {
    assertIssues(
      config({ files: [file({ user: { id: 0, name: 'root' } })] }),
      issue('storage.files[0].user', 'set either id or name, not both'),
    );
    assertIssues(
      config({ links: [link({ group: { id: 0, name: 'root' } })] }),
      issue('storage.links[0].group', 'set either id or name, not both'),
    );
  });
});

describe('links', () => {
  it('requires a target', () => {
    assertIssues(
      config({ links: [link({ target: '' })] }),
      issue('storage.links[0].target', 'link target is required'),
    );
  });

  it('requires an absolute target for a hard link but not for a symbolic one', () => {
    assertIssues(config({ links: [link({ target: '../strata/bin/kubectl' })] }));
    assertIssues(
      config({ links: [link({ target: 'kubectl', hard: true })] }),
      issue('storage.links[0].target', 'hard link target "kubectl" is not absolute'),
    );
  });

  it('refuses a hard link to a directory of the config', () => {
    assertIssues(
      config({ links: [link({ target: '/etc/strata', hard: true })] }),
      issue('storage.links[0].target', 'hard link target "/etc/strata" is a directory in this config'),
    );
  });

  it('refuses a node whose path goes through a link of the config', () => {
    assertIssues(
      config({
        links: [link({ path: '/etc/strata', target: '/opt/strata' })],
        directories: [directory({ path: '/var/lib/strata' })],
      }),
      issue('storage.files[0].path', 'path "/etc/strata/cluster.json" lies under link "/etc/strata" of this config'),
    );
  });
});

describe('nodes at systemd paths', () => {
  it("refuses a node at a unit's path", () => {
    assertIssues(
      config({ files: [file({ path: '/etc/systemd/system/kubelet.service' })] }),
      issue(
        'storage.files[0].path',
        'path "/etc/systemd/system/kubelet.service" is where Ignition writes systemd unit "kubelet.service" (systemd.units[0])',
      ),
    );
  });

  it("refuses a node at a drop-in's path", () => {
    assertIssues(
      config({
        directories: [directory(), directory({ path: '/etc/systemd/system/kubelet.service.d/10-strata.conf' })],
      }),
      issue(
        'storage.directories[1].path',
        'path "/etc/systemd/system/kubelet.service.d/10-strata.conf" is where Ignition writes drop-in "10-strata.conf" of "kubelet.service" (systemd.units[0].dropins[0])',
      ),
    );
  });

  it("refuses a node at a masked unit's path, where Ignition links /dev/null", () => {
    assertIssues(
      config({
        units: [unit({ name: 'update-engine.service', contents: undefined, dropins: undefined, mask: true })],
        links: [link({ path: '/etc/systemd/system/update-engine.service', target: '/dev/null' })],
      }),
      issue(
        'storage.links[0].path',
        'path "/etc/systemd/system/update-engine.service" is where Ignition writes systemd unit "update-engine.service" (systemd.units[0])',
      ),
    );
  });

  it('allows a node at the path of a unit or drop-in that has no contents, since Ignition writes nothing there', () => {
    assertIssues(
      config({
        units: [unit({ contents: undefined, dropins: [{ name: '10-strata.conf' }] })],
        files: [
          file({ path: '/etc/systemd/system/kubelet.service' }),
          file({ path: '/etc/systemd/system/kubelet.service.d/10-strata.conf' }),
        ],
      }),
    );
  });
});

describe('proxy', () => {
  it('requires http or https proxy URLs', () => {
    assertIssues(
      config({ proxy: { httpProxy: 'socks5://proxy:1080', httpsProxy: 'proxy.example.com:3128' } }),
      issue('ignition.proxy.httpProxy', 'proxy "socks5://proxy:1080" is not an http or https URL'),
      issue('ignition.proxy.httpsProxy', 'proxy "proxy.example.com:3128" is not an http or https URL'),
    );
  });
});

describe('assertValidIgnition', () => {
  it('returns a valid config', () => {
    assert.deepEqual(assertValidIgnition(config()), config());
  });

  it('throws an IgnitionValidationError listing every issue', () => {
    const input = config({ version: '9.9.9', files: [file({ path: 'relative', mode: -1 })] });
    assert.throws(
      () => assertValidIgnition(input),
      (error: unknown) => {
        assert.ok(error instanceof IgnitionValidationError);
        assert.deepEqual(error.issues, [
          issue(
            'ignition.version',
            'unsupported config version "9.9.9": expected one of 3.0.0, 3.1.0, 3.2.0, 3.3.0, 3.4.0',
          ),
          issue('storage.files[0].path', 'path "relative" is not absolute'),
          issue('storage.files[0].mode', 'mode must be an integer from 0 to 4095 (0o7777), got -1'),
        ]);
        assert.deepEqual(error.context, { issues: error.issues });
        assert.equal(
          error.message,
          [
            'Ignition config has 3 problems:',
            '  ignition.version: unsupported config version "9.9.9": expected one of 3.0.0, 3.1.0, 3.2.0, 3.3.0, 3.4.0',
            '  storage.files[0].path: path "relative" is not absolute',
            '  storage.files[0].mode: mode must be an integer from 0 to 4095 (0o7777), got -1',
          ].join('\n'),
        );
        return true;
      },
    );
  });

  it('throws on a config of the wrong shape', () => {
    assert.throws(() => assertValidIgnition('{}'), {
      name: 'IgnitionValidationError',
      message: 'Ignition config has 1 problem:\n  (root): expected an object, got a string ("{}")',
    });
  });
});
