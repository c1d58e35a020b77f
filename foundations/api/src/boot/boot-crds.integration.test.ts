import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException, ApiextensionsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { sharedControlPlane, waitFor } from '@strata/harness';
import { applyManifestObject } from '@strata/harness';
import { BOOT_API_GROUP, BOOT_API_GROUP_VERSION, BOOT_API_VERSION, bootCustomResourceDefinitions } from './crds.ts';
import { INVALID_BOOT_SPECS, VALID_BOOT_SPECS, bootPlural, bootSpecSchema, type BootKind } from './boot-crds-corpus.ts';
import { apiServerPath, zodPath } from '../update-policy/update-policy-corpus.ts';

// The corpus is sent with dryRun=All into the default namespace: nothing is stored, so this file leaves nothing
// behind for the boot server's tests that share the control plane. Field validation is left at the server's
// default, which prunes unknown fields as zod's (non-strict) objects strip them.

const cluster = await sharedControlPlane();
const kubeConfig = cluster.adminKubeConfig();
const customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);

type Answer = { readonly code: 201; readonly spec: unknown } | { readonly code: number; readonly message: string };

/** The message of the Status the server answered with, or the raw body when it is no Status. */
function statusMessage(body: unknown): string {
  if (typeof body === 'string') {
    try {
      return statusMessage(JSON.parse(body));
    } catch {
      return body; // Not JSON: the raw body says what happened.
    }
  }
  const message = (body as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(body);
}

async function create(kind: BootKind, spec: unknown): Promise<Answer> {
  try {
    const created: unknown = await customObjects.createNamespacedCustomObject({
      group: BOOT_API_GROUP,
      version: BOOT_API_VERSION,
      namespace: 'default',
      plural: bootPlural(kind),
      body: { apiVersion: BOOT_API_GROUP_VERSION, kind, metadata: { name: 'corpus' }, spec },
      dryRun: 'All',
    });
    return { code: 201, spec: (created as { spec?: unknown }).spec };
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    return { code: error.code, message: statusMessage(error.body) };
  }
}

describe('the MachineProfile and MachineGroup CRDs on a real API server', () => {
  it('are accepted by the API server as structural, within the CEL cost budget', async () => {
    for (const crd of bootCustomResourceDefinitions) {
      await applyManifestObject(kubeConfig, crd, 'strata-test');
      await waitFor(`${crd.metadata?.name} to be established`, async () => {
        const current = await extensions.readCustomResourceDefinition({ name: crd.metadata?.name ?? '' });
        return current.status?.conditions?.some(
          (condition) => condition.type === 'Established' && condition.status === 'True',
        )
          ? true
          : undefined;
      });
      const kind = crd.spec.names.kind as BootKind;
      // Established comes a moment before the resource is served.
      await waitFor(`${kind} to be served`, async () => ((await create(kind, {})).code === 201 ? true : undefined));
    }
  });

  for (const valid of VALID_BOOT_SPECS) {
    it(`${valid.kind}: accepts ${valid.name}, with the same defaults and pruning as zod`, async () => {
      const answer = await create(valid.kind, valid.spec);
      assert.equal(answer.code, 201, 'message' in answer ? answer.message : '');
      assert.ok('spec' in answer);
      assert.deepEqual(answer.spec, bootSpecSchema(valid.kind).parse(valid.spec));
    });
  }

  for (const invalid of INVALID_BOOT_SPECS) {
    it(`${invalid.kind}: refuses ${invalid.name}, naming ${apiServerPath(invalid.field)}`, async () => {
      const answer = await create(invalid.kind, invalid.spec);
      assert.ok('message' in answer, 'the API server accepted it');
      assert.equal(answer.code, 422, answer.message);
      if (process.env['SHOW_MESSAGES']) process.stderr.write(`${invalid.name}: ${answer.message}\n`);
      assert.ok(
        answer.message.includes(`${apiServerPath(invalid.field)}:`) ||
          answer.message.includes(`${apiServerPath(invalid.field)} in body`),
        `expected ${apiServerPath(invalid.field)} in: ${answer.message}`,
      );
      if (invalid.sameMessage === true) {
        const result = bootSpecSchema(invalid.kind).safeParse(invalid.spec);
        const issue = result.error?.issues.find(
          (candidate) => zodPath(['spec', ...candidate.path.map(String)]) === zodPath(invalid.field),
        );
        assert.ok(issue, 'zod names the field too');
        assert.ok(answer.message.includes(issue.message), `expected "${issue.message}" in: ${answer.message}`);
      }
    });
  }
});
