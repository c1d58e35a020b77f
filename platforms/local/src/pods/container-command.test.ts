import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Container } from '@kubernetes/client-node';
import {
  containerCommandLine,
  execCommandLine,
  UnmappedExecutableError,
  type CommandContext,
} from './container-command.ts';
import { expand, lookupIn } from './expansion.ts';
import { ETCD_VERSION } from '@strata/binaries';
import { defaultImageMap, type ImageEntry } from './image-map.ts';
import { container } from './test-fixtures.ts';

const binaries = { etcd: '/opt/bin/etcd', etcdctl: '/opt/bin/etcdctl', etcdutl: '/opt/bin/etcdutl' };
const etcdImage = `registry.k8s.io/etcd:${ETCD_VERSION.replace(/^v/, '')}-0`;

function context(overrides: Partial<CommandContext> = {}): CommandContext {
  const entry = defaultImageMap(new Map([[ETCD_VERSION, binaries]])).lookup(etcdImage);
  assert.ok(entry);
  return {
    image: etcdImage,
    entry,
    podDir: '/state/pods/uid-1',
    rewrite: (value) => value,
    env: lookupIn(
      new Map([
        ['POD_IP', '127.0.64.7'],
        ['NAME', 'etcd-0'],
      ]),
    ),
    ...overrides,
  };
}

/** An etcd container that, like most, sets no command unless the test says so. */
const etcdContainer = (overrides: Partial<V1Container>): V1Container =>
  container({ image: etcdImage, command: undefined, ...overrides });

describe('$(VAR) expansion', () => {
  const env = lookupIn(
    new Map([
      ['A', 'alpha'],
      ['EMPTY', ''],
    ]),
    new Map([
      ['B', 'beta'],
      ['A', 'shadowed'],
    ]),
  );
  const cases: [string, string][] = [
    ['$(A)', 'alpha'],
    ['x-$(A)-$(B)-y', 'x-alpha-beta-y'],
    ['$(EMPTY)', ''],
    ['$(UNDEFINED)', '$(UNDEFINED)'],
    ['$$(A)', '$(A)'],
    ['$$$(A)', '$alpha'],
    ['$$$$(A)', '$$(A)'],
    ['$(A', '$(A'],
    ['$A', '$A'],
    ['$', '$'],
    ['a$', 'a$'],
    ['$()', '$()'],
    ['$(A)$(A)', 'alphaalpha'],
  ];
  for (const [input, expected] of cases) {
    it(`expands ${JSON.stringify(input)} to ${JSON.stringify(expected)}`, () =>
      assert.equal(expand(input, env), expected));
  }
});

describe('the command line of a container', () => {
  it('runs the image entrypoint with the image defaults when the container sets neither command nor args', () => {
    const entry: ImageEntry = { command: ['/opt/bin/etcd', '--log-level=info'], args: ['--name=default'] };
    assert.deepEqual(containerCommandLine(etcdContainer({}), context({ entry })), {
      command: '/opt/bin/etcd',
      args: ['--log-level=info', '--name=default'],
    });
  });

  it('appends args to the entrypoint, replacing the image defaults', () => {
    const entry: ImageEntry = { command: ['/opt/bin/etcd'], args: ['--name=default'] };
    assert.deepEqual(containerCommandLine(etcdContainer({ args: ['--name=$(NAME)'] }), context({ entry })), {
      command: '/opt/bin/etcd',
      args: ['--name=etcd-0'],
    });
  });

  it('replaces the entrypoint with command, mapping etcd by name or path to the local binary, and appends args', () => {
    for (const program of ['etcd', '/usr/local/bin/etcd']) {
      const line = containerCommandLine(
        etcdContainer({
          command: [program, '--listen-client-urls=http://$(POD_IP):2379'],
          args: ['--name', '$(NAME)'],
        }),
        context(),
      );
      assert.deepEqual(line, {
        command: '/opt/bin/etcd',
        args: ['--listen-client-urls=http://127.0.64.7:2379', '--name', 'etcd-0'],
      });
    }
  });

  it('maps the image’s other programs, and refuses one the image map does not know', () => {
    assert.equal(
      containerCommandLine(etcdContainer({ command: ['/usr/local/bin/etcdctl', 'version'] }), context()).command,
      '/opt/bin/etcdctl',
    );
    assert.throws(
      () => containerCommandLine(etcdContainer({ command: ['/bin/sh', '-c', 'etcd'] }), context()),
      (error: unknown) => {
        assert.ok(error instanceof UnmappedExecutableError);
        assert.match(
          error.message,
          /"\/bin\/sh" is not an executable of registry\.k8s\.io\/etcd:3\.6\.\d+-0.*etcd, etcdctl/,
        );
        return true;
      },
    );
  });

  it('runs a program the pod brought in one of its volumes, after rewriting its mount path', () => {
    const rewrite = (value: string): string => value.replace(/^\/scripts/, '/state/pods/uid-1/volumes/scripts');
    const line = containerCommandLine(etcdContainer({ command: ['/scripts/start.sh'] }), context({ rewrite }));
    assert.equal(line.command, '/state/pods/uid-1/volumes/scripts/start.sh');
    assert.throws(
      () => containerCommandLine(etcdContainer({ command: ['/state/pods/other/x'] }), context()),
      UnmappedExecutableError,
    );
  });

  it('resolves and expands an exec probe’s command the same way', () => {
    assert.deepEqual(
      execCommandLine(['etcdctl', '--endpoints=http://$(POD_IP):2379', 'endpoint', 'health'], context()),
      {
        command: '/opt/bin/etcdctl',
        args: ['--endpoints=http://127.0.64.7:2379', 'endpoint', 'health'],
      },
    );
  });
});
