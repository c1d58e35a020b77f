import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException, ApiextensionsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { sharedControlPlane, waitFor } from '@strata/harness';
import { applyManifestObject } from '@strata/harness';
import { updatePolicyCrd } from './crd.ts';
import { UPDATE_POLICY, parseUpdatePolicy, updatePolicyIssues } from './update-policy.ts';
import { INVALID_POLICIES, VALID_POLICIES, aPolicyObject, apiServerPath, zodPath } from './update-policy-corpus.ts';

// The corpus is sent with dryRun=All: nothing is stored, so this file leaves no policy behind for the operator tests
// that share the control plane, and it may run beside them. fieldValidation=Strict makes the server refuse unknown
// fields, as zod's strict objects do, instead of dropping them.

const cluster = await sharedControlPlane();
const kubeConfig = cluster.adminKubeConfig();
const customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);

interface Answer {
  readonly code: number;
  readonly message: string;
}

/** The message of the Status the server answered with, or the raw body when it is no Status (e.g. a 404 page). */
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

async function create(body: Record<string, unknown>): Promise<Answer> {
  try {
    await customObjects.createClusterCustomObject({
      group: UPDATE_POLICY.group,
      version: UPDATE_POLICY.version,
      plural: UPDATE_POLICY.plural,
      body,
      dryRun: 'All',
      fieldValidation: 'Strict',
    });
    return { code: 201, message: '' };
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    return { code: error.code, message: statusMessage(error.body) };
  }
}

async function installCrd(): Promise<void> {
  const crd = updatePolicyCrd();
  await applyManifestObject(kubeConfig, crd, 'strata-test');
  await waitFor('the UpdatePolicy CRD to be established', async () => {
    const current = await extensions.readCustomResourceDefinition({ name: crd.metadata?.name ?? '' });
    return current.status?.conditions?.some(
      (condition) => condition.type === 'Established' && condition.status === 'True',
    )
      ? true
      : undefined;
  });
  // Established comes a moment before the resource is served.
  await waitFor('UpdatePolicies to be served', async () =>
    (await create(aPolicyObject('probe', {}))).code === 201 ? true : undefined,
  );
}

describe('the UpdatePolicy CRD on a real API server', () => {
  it('is accepted by the API server as structural, within the CEL cost budget', async () => {
    await installCrd();
  });

  for (const valid of VALID_POLICIES) {
    it(`accepts ${valid.name}`, async () => {
      const answer = await create(aPolicyObject('valid', valid.spec));
      assert.equal(answer.code, 201, answer.message);
    });
  }

  for (const invalid of INVALID_POLICIES) {
    it(`refuses ${invalid.name}, naming ${apiServerPath(invalid.field)}`, async () => {
      const answer = await create(aPolicyObject('invalid', invalid.spec));
      assert.equal(answer.code, invalid.status ?? 422, answer.message);
      if (process.env['SHOW_MESSAGES']) process.stderr.write(`${invalid.name}: ${answer.message}\n`);
      assert.ok(
        answer.message.includes(apiServerPath(invalid.field)),
        `expected ${apiServerPath(invalid.field)} in: ${answer.message}`,
      );
      if (invalid.sameMessage === true) {
        const issue = updatePolicyIssues(aPolicyObject('invalid', invalid.spec)).find(
          (candidate) => candidate.field === zodPath(invalid.field),
        );
        assert.ok(issue, 'zod names the field too');
        assert.ok(answer.message.includes(issue.message), `expected "${issue.message}" in: ${answer.message}`);
      }
    });
  }

  it('fills in the same defaults as the zod schema', async () => {
    const name = `defaults-${Date.now()}`;
    const created: unknown = await customObjects.createClusterCustomObject({
      group: UPDATE_POLICY.group,
      version: UPDATE_POLICY.version,
      plural: UPDATE_POLICY.plural,
      body: aPolicyObject(name, {}),
      dryRun: 'All',
    });
    assert.deepEqual((created as { spec: unknown }).spec, parseUpdatePolicy(aPolicyObject(name, {})).spec);
  });
});
