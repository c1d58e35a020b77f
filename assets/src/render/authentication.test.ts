import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { decodeDataUrl } from '../ignition/data-url.ts';
import { ignitionConfigSchema } from '../ignition/schema.ts';
import { renderConfig } from '../testing/fixtures.ts';
import { authenticationConfiguration } from './authentication.ts';
import { ASSET_PATHS, NODE_PATHS } from './layout.ts';
import { applyRenderPlan, planClusterRender } from './render.ts';

const podCommandSchema = z.object({
  spec: z.object({ containers: z.array(z.object({ command: z.array(z.string()) })).min(1) }),
});

describe('the authentication config of a rendered cluster', () => {
  const controller = 'proof-controller-0';
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-render-authn-'));
    await applyRenderPlan(await planClusterRender({ config: renderConfig(), dir }));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('admits anonymous requests to the health endpoints only', () => {
    assert.deepEqual(parse(authenticationConfiguration()), {
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'AuthenticationConfiguration',
      anonymous: { enabled: true, conditions: [{ path: '/livez' }, { path: '/readyz' }, { path: '/healthz' }] },
    });
  });

  it('adds the OpenID providers it is given, and keeps anonymous access as narrow', () => {
    const provider = {
      issuer: { url: 'https://127.0.0.1:9443', audiences: ['console'], certificateAuthority: 'PEM' },
      claimMappings: { username: { claim: 'sub', prefix: 'oidc:' }, groups: { claim: 'groups', prefix: 'oidc:' } },
    };
    const schema = z.object({ jwt: z.array(z.unknown()).optional(), anonymous: z.unknown() });
    const config = schema.parse(parse(authenticationConfiguration([provider])));
    assert.deepEqual(config.jwt, [provider]);
    assert.deepEqual(config.anonymous, schema.parse(parse(authenticationConfiguration())).anonymous);
  });

  it('is passed to kube-apiserver, without the --anonymous-auth it conflicts with', async () => {
    const pod = podCommandSchema.parse(
      parse(await readFile(join(dir, ASSET_PATHS.staticManifest(controller, 'kube-apiserver')), 'utf8')),
    );
    const command = pod.spec.containers[0]?.command ?? [];
    assert.ok(command.includes(`--authentication-config=${NODE_PATHS.authenticationConfig}`), command.join(' '));
    assert.deepEqual(
      command.filter((flag) => flag.startsWith('--anonymous-auth')),
      [],
    );
  });

  it("is placed by the controller's Ignition config where kube-apiserver reads it", async () => {
    const ignition = ignitionConfigSchema.parse(
      JSON.parse(await readFile(join(dir, ASSET_PATHS.ignition(controller)), 'utf8')),
    );
    const file = ignition.storage?.files?.find((entry) => entry.path === NODE_PATHS.authenticationConfig);
    assert.ok(file?.contents?.source !== undefined, `no ${NODE_PATHS.authenticationConfig} in the Ignition config`);
    const decoded = decodeDataUrl(file.contents.source);
    assert.ok(decoded.ok);
    assert.equal(new TextDecoder().decode(decoded.value.data), authenticationConfiguration());
    // Inside the mounted /etc/kubernetes of the static pod.
    assert.ok(NODE_PATHS.authenticationConfig.startsWith(`${NODE_PATHS.kubernetesDir}/`));
  });
});
