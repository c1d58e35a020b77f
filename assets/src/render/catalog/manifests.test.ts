import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { renderConfig } from '../../testing/fixtures.ts';
import { applyRenderPlan, planClusterRender } from '../render.ts';
import type { RenderConfig } from '../render-config.ts';

async function renderedDefaultPolicy(updates: RenderConfig['updates']): Promise<{ spec: Record<string, unknown> }> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-render-policy-'));
  try {
    await applyRenderPlan(await planClusterRender({ config: renderConfig({ updates }), dir }));
    const manifestsDir = join(dir, 'manifests');
    for (const file of await readdir(manifestsDir)) {
      for (const document of parseAllDocuments(await readFile(join(manifestsDir, file), 'utf8'))) {
        const object = document.toJS() as { kind?: string; spec: Record<string, unknown> } | null;
        if (object?.kind === 'UpdatePolicy') return object;
      }
    }
    throw new Error('no UpdatePolicy among the rendered manifests');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the default UpdatePolicy follows cluster.yaml updates', () => {
  it('carries maxUnavailable and the windows', async () => {
    const window = {
      days: ['Sat' as const, 'Sun' as const],
      start: '02:00',
      duration: '3h',
      timeZone: 'Europe/Berlin',
    };
    const policy = await renderedDefaultPolicy({
      rebootStrategy: 'operator',
      maxUnavailable: '10%',
      windows: [window],
    });
    assert.equal(policy.spec['maxUnavailable'], '10%');
    assert.deepEqual(policy.spec['rebootWindows'], [window]);
    assert.equal(policy.spec['paused'], undefined);
  });

  it('is paused when rebootStrategy is off', async () => {
    const policy = await renderedDefaultPolicy({ rebootStrategy: 'off', maxUnavailable: 1, windows: [] });
    assert.equal(policy.spec['paused'], true);
    assert.equal(policy.spec['rebootWindows'], undefined);
  });
});
