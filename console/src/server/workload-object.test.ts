import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { RequestBodyError } from './answers.ts';
import { parseEdit, parseTarget, type WorkloadTarget } from './workload-object.ts';

const WEB: WorkloadTarget = { kind: 'deployments', namespace: 'shop', name: 'web' };

/** A Deployment's YAML as the edit page shows it, with `change` applied to its top level and metadata. */
function deploymentYaml(change: { top?: Record<string, unknown>; metadata?: Record<string, unknown> } = {}): string {
  return stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', resourceVersion: '42', ...change.metadata },
    spec: { replicas: 2 },
    ...change.top,
  });
}

function refusal(text: string): string {
  try {
    parseEdit(WEB, text);
  } catch (error) {
    assert.ok(error instanceof RequestBodyError);
    assert.equal(error.status, 400);
    return error.message;
  }
  assert.fail('the edit was accepted');
}

function refusedTarget(params: Parameters<typeof parseTarget>[0]): string {
  const target = parseTarget(params);
  if (typeof target !== 'string') assert.fail(`accepted: ${JSON.stringify(target)}`);
  return target;
}

describe('a Workloads route’s target', () => {
  it('takes a namespaced kind with its namespace, and a Namespace with the cluster scope’s -', () => {
    assert.deepEqual(parseTarget({ kind: 'pods', namespace: 'shop', name: 'web-1' }), {
      kind: 'pods',
      namespace: 'shop',
      name: 'web-1',
    });
    assert.deepEqual(parseTarget({ kind: 'namespaces', namespace: '-', name: 'shop' }), {
      kind: 'namespaces',
      namespace: '',
      name: 'shop',
    });
  });

  it('refuses an unknown kind, a bad name, and a scope that does not fit the kind', () => {
    assert.match(refusedTarget({ kind: 'secrets', namespace: 'shop', name: 'a' }), /not a Workloads kind/);
    assert.match(refusedTarget({ kind: 'pods', namespace: 'shop', name: 'Bad_Name' }), /not a namespace/);
    assert.match(refusedTarget({ kind: 'pods', namespace: '-', name: 'a' }), /pods are namespaced/);
    assert.match(refusedTarget({ kind: 'namespaces', namespace: 'shop', name: 'a' }), /not namespaced/);
  });
});

describe('a YAML edit', () => {
  it('is accepted when it keeps the object’s identity and resourceVersion', () => {
    const object = parseEdit(WEB, deploymentYaml({ top: { spec: { replicas: 5 } } }));
    assert.equal(object.metadata?.resourceVersion, '42');
    assert.equal((object as { spec?: { replicas?: number } }).spec?.replicas, 5);
  });

  it('refuses a changed name, namespace or kind, saying which field and from what to what', () => {
    assert.equal(
      refusal(deploymentYaml({ metadata: { name: 'web2' } })),
      'an edit cannot change the object\'s kind, name or namespace: metadata.name was "web", the edit has "web2"',
    );
    assert.match(
      refusal(deploymentYaml({ metadata: { namespace: 'other' } })),
      /metadata\.namespace was "shop", the edit has "other"/,
    );
    assert.match(
      refusal(deploymentYaml({ top: { kind: 'StatefulSet' } })),
      /kind was "Deployment", the edit has "StatefulSet"/,
    );
  });

  it('refuses an edit without its resourceVersion, which would overwrite a change made meanwhile', () => {
    assert.match(refusal(deploymentYaml({ metadata: { resourceVersion: undefined } })), /resourceVersion is missing/);
  });

  it('refuses YAML that does not parse, and YAML that is not one mapping', () => {
    assert.match(refusal('metadata: {name: web\n'), /the YAML does not parse/);
    assert.match(refusal('- a\n- b\n'), /must be one mapping/);
    assert.match(refusal('a: 1\na: 2\n'), /the YAML does not parse/);
  });
});
