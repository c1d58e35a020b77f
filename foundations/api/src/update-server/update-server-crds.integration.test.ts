import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException, ApiextensionsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { applyManifestObject, sharedControlPlane, waitFor } from '@strata/harness';
import { updateServerCrds } from './crds.ts';
import {
  INVALID_SPECS,
  SPEC_SCHEMAS,
  VALID_SPECS,
  aReleaseSpec,
  anObject,
  apiServerPath,
  type Kind,
} from './update-server-corpus.ts';
import { UPDATE_RELEASE } from './update-server.ts';

// Sent with dryRun=All, so nothing is stored and the file may run beside others on the shared control plane;
// fieldValidation=Strict refuses unknown fields, as zod's strict objects do. Only the immutability test stores a
// release, under a name of its own, and deletes it.

const cluster = await sharedControlPlane();
const kubeConfig = cluster.adminKubeConfig();
const customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);

interface Answer {
  readonly code: number;
  readonly message: string;
}

function statusMessage(body: unknown): string {
  try {
    const status: unknown = typeof body === 'string' ? JSON.parse(body) : body;
    const message = (status as { message?: unknown } | null)?.message;
    if (typeof message === 'string') return message;
  } catch {
    // Not JSON: the raw body says what happened.
  }
  return String(body);
}

async function answer(call: () => Promise<unknown>): Promise<Answer> {
  try {
    await call();
    return { code: 201, message: '' };
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    return { code: error.code, message: statusMessage(error.body) };
  }
}

const create = (kind: Kind, name: string, spec: unknown, dryRun = true) =>
  answer(() =>
    customObjects.createClusterCustomObject({
      group: kind.group,
      version: kind.version,
      plural: kind.plural,
      body: anObject(kind, name, spec),
      fieldValidation: 'Strict',
      ...(dryRun ? { dryRun: 'All' } : {}),
    }),
  );

describe('the update server CRDs on a real API server', () => {
  it('are accepted as structural, within the CEL cost budget, and served', async () => {
    for (const crd of updateServerCrds()) {
      await applyManifestObject(kubeConfig, crd, 'strata-test');
      await waitFor(`${crd.metadata?.name} to be established`, async () => {
        const current = await extensions.readCustomResourceDefinition({ name: crd.metadata?.name ?? '' });
        return current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')
          ? true
          : undefined;
      });
    }
    for (const kind of SPEC_SCHEMAS.keys()) {
      const probe = VALID_SPECS.find((each) => each.kind === kind);
      await waitFor(`${kind.plural} to be served`, async () =>
        (await create(kind, 'probe', probe?.spec)).code === 201 ? true : undefined,
      );
    }
  });

  for (const valid of VALID_SPECS) {
    it(`accepts ${valid.name}`, async () => {
      const result = await create(valid.kind, 'valid', valid.spec);
      assert.equal(result.code, 201, result.message);
    });
  }

  for (const invalid of INVALID_SPECS) {
    const path = apiServerPath(['spec', ...invalid.field]);
    it(`refuses ${invalid.name}, naming ${path}`, async () => {
      const result = await create(invalid.kind, 'invalid', invalid.spec);
      assert.equal(result.code, 422, result.message);
      assert.ok(result.message.includes(path), `expected ${path} in: ${result.message}`);
      if (invalid.sameMessage === true) {
        const issue = SPEC_SCHEMAS.get(invalid.kind)?.safeParse(invalid.spec).error?.issues[0];
        assert.ok(issue, 'zod refuses it too');
        assert.ok(result.message.includes(issue.message), `expected "${issue.message}" in: ${result.message}`);
      }
    });
  }

  it('refuses a change to a stored release', async () => {
    const name = `immutable-${Date.now()}`;
    assert.equal((await create(UPDATE_RELEASE, name, aReleaseSpec(), false)).code, 201);
    try {
      const patched = await answer(() =>
        customObjects.patchClusterCustomObject({
          group: UPDATE_RELEASE.group,
          version: UPDATE_RELEASE.version,
          plural: UPDATE_RELEASE.plural,
          name,
          body: [{ op: 'replace', path: '/spec/sha256', value: 'c'.repeat(64) }],
        }),
      );
      assert.equal(patched.code, 422, patched.message);
      assert.match(patched.message, /immutable: publish a new UpdateRelease instead/);
    } finally {
      await customObjects.deleteClusterCustomObject({
        group: UPDATE_RELEASE.group,
        version: UPDATE_RELEASE.version,
        plural: UPDATE_RELEASE.plural,
        name,
      });
    }
  });
});
