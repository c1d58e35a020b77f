import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { rebaseSnippetPaths } from './snippet-paths.ts';

const config = (controllers: readonly string[], pool: readonly string[]) =>
  [
    '# my cluster',
    'name: demo',
    'controllers:',
    '  count: 1',
    `  snippets: [${controllers.join(', ')}]`,
    'workerPools:',
    '  - name: workers',
    `    snippets: [${pool.join(', ')}]`,
    '',
  ].join('\n');

describe('rebaseSnippetPaths', () => {
  it('rewrites relative snippet paths to name the same files from the new directory', () => {
    const text = rebaseSnippetPaths(
      config(['snippets/ntp.yaml'], ['../shared/proxy.yaml', '/etc/abs.yaml']),
      '/home/me/clusters/dev',
      '/home/me',
    );
    const parsed = parse(text) as { controllers: { snippets: string[] }; workerPools: { snippets: string[] }[] };
    assert.deepEqual(parsed.controllers.snippets, ['clusters/dev/snippets/ntp.yaml']);
    assert.deepEqual(parsed.workerPools[0]?.snippets, ['clusters/shared/proxy.yaml', '/etc/abs.yaml']);
    assert.match(text, /^# my cluster/);
  });

  it('leaves the text alone when the directory is the same', () => {
    const text = config(['snippets/ntp.yaml'], []);
    assert.equal(rebaseSnippetPaths(text, '/home/me', '/home/me/'), text);
  });
});
