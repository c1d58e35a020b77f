import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IgnitionConfig } from '../ignition/schema.ts';
import { file, directory, group, link, unit, user } from '../ignition/test-fixtures.ts';
import { SnippetConflictError } from './errors.ts';
import { mergeSnippets } from './merge.ts';
import type { TranslatedSnippet } from './translate.ts';

const NODE = 'demo-worker-0';

/** What Strata renders, in small: the core user, a file, a unit with a drop-in. */
function rendered(): IgnitionConfig {
  return {
    ignition: { version: '3.4.0' },
    passwd: { users: [user({ name: 'core', groups: [] })] },
    storage: { files: [file({ path: '/etc/kubernetes/kubelet.yaml' })] },
    systemd: { units: [unit({ name: 'kubelet.service' })] },
  };
}

/** A translated snippet; `index` names its config field. */
function aSnippet(ignition: Omit<IgnitionConfig, 'ignition'>, index = 0): TranslatedSnippet {
  return {
    field: `workerPools[0].snippets[${index}]`,
    file: `/clusters/demo/snippets/s${index}.yaml`,
    ignition: { ignition: { version: '3.4.0' }, ...ignition },
  };
}

function conflictOf(call: () => unknown): SnippetConflictError {
  try {
    call();
  } catch (error) {
    assert.ok(error instanceof SnippetConflictError, `expected a SnippetConflictError, got ${String(error)}`);
    return error;
  }
  assert.fail('the merge was not refused');
}

describe('merging snippets into a node’s Ignition', () => {
  it('adds every kind of entry after Strata’s, leaving Strata’s as they were', () => {
    const base = rendered();
    const merged = mergeSnippets(
      base,
      [
        aSnippet({
          storage: {
            files: [file({ path: '/etc/chrony.conf' })],
            directories: [directory({ path: '/var/lib/extra' })],
            links: [link({ path: '/opt/bin/tool', target: '/opt/tool/bin/tool' })],
          },
          systemd: { units: [unit({ name: 'chronyd.service', dropins: [] })] },
          passwd: { users: [user({ name: 'ops' })], groups: [group({ name: 'ops' })] },
          kernelArguments: { shouldExist: ['console=ttyS0'] },
        }),
        aSnippet({ storage: { files: [file({ path: '/etc/motd' })] } }, 1),
      ],
      NODE,
    );
    assert.deepEqual(
      merged.storage?.files?.map((entry) => entry.path),
      ['/etc/kubernetes/kubelet.yaml', '/etc/chrony.conf', '/etc/motd'],
    );
    assert.deepEqual(merged.storage?.directories, [directory({ path: '/var/lib/extra' })]);
    assert.deepEqual(merged.storage?.links, [link({ path: '/opt/bin/tool', target: '/opt/tool/bin/tool' })]);
    assert.deepEqual(
      merged.systemd?.units?.map((entry) => entry.name),
      ['kubelet.service', 'chronyd.service'],
    );
    assert.deepEqual(
      merged.passwd?.users?.map((entry) => entry.name),
      ['core', 'ops'],
    );
    assert.deepEqual(merged.passwd?.groups, [group({ name: 'ops' })]);
    assert.deepEqual(merged.kernelArguments, { shouldExist: ['console=ttyS0'] });
    assert.deepEqual(merged.storage?.files?.[0], base.storage?.files?.[0]);
    assert.deepEqual(merged.systemd?.units?.[0], base.systemd?.units?.[0]);
  });

  it('returns Strata’s config itself when the pool has no snippets', () => {
    const base = rendered();
    assert.equal(mergeSnippets(base, [], NODE), base);
  });

  it('refuses a file at a path Strata renders, naming the snippet, its file, the path and the node', () => {
    const error = conflictOf(() =>
      mergeSnippets(
        rendered(),
        [aSnippet({ storage: { files: [file({ path: '/etc/kubernetes/kubelet.yaml' })] } })],
        NODE,
      ),
    );
    assert.match(
      error.message,
      /^workerPools\[0\]\.snippets\[0\]: \/clusters\/demo\/snippets\/s0\.yaml sets the path \/etc\/kubernetes\/kubelet\.yaml, but Strata renders it for demo-worker-0/,
    );
    assert.deepEqual(error.context, {
      field: 'workerPools[0].snippets[0]',
      file: '/clusters/demo/snippets/s0.yaml',
      conflict: 'the path /etc/kubernetes/kubelet.yaml',
      node: NODE,
    });
  });

  it('treats files, directories and links as one namespace, as the machine does', () => {
    const error = conflictOf(() =>
      mergeSnippets(
        rendered(),
        [aSnippet({ storage: { links: [link({ path: '/etc/kubernetes/kubelet.yaml' })] } })],
        NODE,
      ),
    );
    assert.match(error.message, /sets the path \/etc\/kubernetes\/kubelet\.yaml, but Strata renders it/);
  });

  it('refuses the second of two snippets that add the same path, naming both', () => {
    const error = conflictOf(() =>
      mergeSnippets(
        rendered(),
        [
          aSnippet({ storage: { files: [file({ path: '/etc/chrony.conf' })] } }, 0),
          aSnippet({ storage: { directories: [directory({ path: '/etc/chrony.conf' })] } }, 1),
        ],
        NODE,
      ),
    );
    assert.match(
      error.message,
      /^workerPools\[0\]\.snippets\[1\]: \/clusters\/demo\/snippets\/s1\.yaml sets the path \/etc\/chrony\.conf, but workerPools\[0\]\.snippets\[0\] \(\/clusters\/demo\/snippets\/s0\.yaml\) adds it too/,
    );
  });

  it('refuses a unit Strata renders when the snippet sets its contents, enabled or mask', () => {
    for (const replacement of [{ contents: '[Service]\nExecStart=/bin/true\n' }, { enabled: false }, { mask: true }]) {
      const error = conflictOf(() =>
        mergeSnippets(
          rendered(),
          [aSnippet({ systemd: { units: [{ name: 'kubelet.service', ...replacement }] } })],
          NODE,
        ),
      );
      assert.match(
        error.message,
        /sets the unit kubelet\.service, but Strata renders it for demo-worker-0 \(a snippet may only add drop-ins to it\)/,
      );
    }
  });

  it('adds a drop-in of its own to a unit Strata renders, and refuses one that has the name of Strata’s', () => {
    const extra = { name: '20-limits.conf', contents: '[Service]\nLimitNOFILE=1048576\n' };
    const merged = mergeSnippets(
      rendered(),
      [aSnippet({ systemd: { units: [{ name: 'kubelet.service', dropins: [extra] }] } })],
      NODE,
    );
    const kubelet = merged.systemd?.units?.find((entry) => entry.name === 'kubelet.service');
    assert.deepEqual(kubelet?.dropins, [...(unit().dropins ?? []), extra]);
    assert.equal(kubelet?.contents, unit().contents);

    const error = conflictOf(() =>
      mergeSnippets(
        rendered(),
        [aSnippet({ systemd: { units: [{ name: 'kubelet.service', dropins: [{ name: '10-strata.conf' }] }] } })],
        NODE,
      ),
    );
    assert.match(error.message, /sets the drop-in kubelet\.service\.d\/10-strata\.conf, but Strata renders it/);
  });

  it('refuses the core user, which Strata renders from sshAuthorizedKeys', () => {
    const error = conflictOf(() =>
      mergeSnippets(rendered(), [aSnippet({ passwd: { users: [user({ name: 'core' })] } })], NODE),
    );
    assert.match(error.message, /sets the user core, but Strata renders it/);
  });

  it('refuses what breaks Ignition’s own rules once merged, with Ignition’s reason and every snippet named', () => {
    // A file where systemd would read a unit Strata renders: Ignition refuses the pair.
    const error = conflictOf(() =>
      mergeSnippets(
        rendered(),
        [aSnippet({ storage: { files: [file({ path: '/etc/systemd/system/kubelet.service' })] } })],
        NODE,
      ),
    );
    assert.match(
      error.message,
      /^demo-worker-0: its Ignition with the snippets workerPools\[0\]\.snippets\[0\] \(\/clusters\/demo\/snippets\/s0\.yaml\) breaks Ignition's rules:\n/,
    );
    assert.ok(Array.isArray(error.context['issues']) && error.context['issues'].length > 0);
  });
});
