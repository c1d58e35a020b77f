import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { validateIgnition } from '../ignition/validate.ts';
import { X509Certificate } from '../pki/x509.ts';
import { SubjectAlternativeNameExtension } from '../pki/x509.ts';
import { openssl } from '../testing/openssl.ts';
import { renderConfig } from '../testing/fixtures.ts';
import { applyRenderPlan, planClusterRender, RenderTargetError } from './render.ts';
import { clusterConsoleUrl } from './catalog/console.ts';
import { clusterTopology } from '../topology/topology.ts';
import { ASSET_PATHS, CERT, KEY, NODE_PATHS } from './layout.ts';
import { parse, parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { withholdSecrets } from '../ignition/withhold-secrets.ts';
import { decodeDataUrl } from '../ignition/data-url.ts';

/** The names and addresses a certificate on disk is issued for. */
async function subjectAltNames(path: string): Promise<string[]> {
  const certificate = new X509Certificate(await readFile(path, 'utf8'));
  return (
    certificate
      .getExtension(SubjectAlternativeNameExtension)
      ?.names.toJSON()
      .map((n) => n.value) ?? []
  );
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** The labels of the strata-console Namespace the bootstrap manifests in `dir` make. */
async function consoleNamespaceLabels(dir: string): Promise<Record<string, string>> {
  const namespace = parseAllDocuments(await readFile(join(dir, ASSET_PATHS.manifest('00-namespaces.yaml')), 'utf8'))
    .map((document) =>
      z
        .object({ metadata: z.object({ name: z.string(), labels: z.record(z.string(), z.string()) }) })
        .parse(document.toJS()),
    )
    .find((each) => each.metadata.name === 'strata-console');
  assert.ok(namespace !== undefined, 'the strata-console Namespace');
  return namespace.metadata.labels;
}

const config = renderConfig({ controllers: { count: 3 }, workerPools: [{ name: 'worker', count: 2 }] });

describe('strata render output', () => {
  let dir: string;
  let files: string[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-render-'));
    await applyRenderPlan(await planClusterRender({ config, dir }));
    files = await listFiles(dir);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the documented layout, one Ignition config per node', () => {
    for (const node of [
      'proof-controller-0',
      'proof-controller-1',
      'proof-controller-2',
      'proof-worker-0',
      'proof-worker-1',
    ]) {
      assert.ok(files.includes(ASSET_PATHS.ignition(node)), `missing ignition for ${node}`);
    }
    for (const expected of [
      ASSET_PATHS.adminKubeconfig,
      ASSET_PATHS.bootstrapKubeconfig('proof-worker-0'),
      ASSET_PATHS.bootstrapToken('proof-controller-0'),
      ASSET_PATHS.joinApproverKubeconfig('proof-controller-0'),
      'static-manifests/proof-controller-0/join-approver.yaml',
      ASSET_PATHS.certificateInventory,
      'static-manifests/proof-controller-0/kube-apiserver.yaml',
    ]) {
      assert.ok(files.includes(expected), `missing ${expected}`);
    }
    assert.ok(files.some((file) => file.startsWith('manifests/')));
  });

  it('produces Ignition configs that pass the validator', async () => {
    for (const file of files.filter((f) => f.startsWith('ignition/'))) {
      assert.deepEqual(validateIgnition(JSON.parse(await readFile(join(dir, file), 'utf8'))), [], file);
    }
  });

  it('signs every certificate so that openssl verifies it against its CA', () => {
    const caFor = (file: string) =>
      file.startsWith('tls/etcd/')
        ? ASSET_PATHS.etcdCa
        : file.startsWith('tls/front-proxy')
          ? ASSET_PATHS.frontProxyCa
          : ASSET_PATHS.clusterCa;
    const leaves = files.filter(
      (file) =>
        file.endsWith('.crt') &&
        ![ASSET_PATHS.clusterCa, ASSET_PATHS.etcdCa, ASSET_PATHS.frontProxyCa].map(CERT).includes(file),
    );
    assert.ok(leaves.length >= 10, `only ${leaves.length} certificates`);
    for (const leaf of leaves) {
      const result = openssl(['verify', '-CAfile', join(dir, CERT(caFor(leaf))), join(dir, leaf)]);
      assert.equal(result.status, 0, `${leaf}: ${result.output}`);
    }
  });

  it('writes private keys, kubeconfigs, the bootstrap tokens and Ignition with mode 0600', async () => {
    const secrets = files.filter(
      (file) =>
        file.endsWith('.key') ||
        file.endsWith('.kubeconfig') ||
        file.startsWith('ignition/') ||
        file.startsWith('auth/bootstrap/'),
    );
    assert.ok(secrets.includes(ASSET_PATHS.bootstrapToken('proof-worker-1')));
    assert.ok(secrets.length > 10);
    for (const file of secrets) assert.equal((await stat(join(dir, file))).mode & 0o777, 0o600, file);
    assert.equal((await stat(join(dir, CERT(ASSET_PATHS.clusterCa)))).mode & 0o777, 0o644);
  });

  it('encrypts Secrets at rest with a generated 32-byte key that only the controllers receive, over SSH', async () => {
    const path = join(dir, ASSET_PATHS.encryptionConfig);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const encryption = z
      .object({
        apiVersion: z.literal('apiserver.config.k8s.io/v1'),
        kind: z.literal('EncryptionConfiguration'),
        resources: z.tuple([
          z.object({
            resources: z.tuple([z.literal('secrets')]),
            providers: z.tuple([
              z.object({
                secretbox: z.object({ keys: z.tuple([z.object({ name: z.string(), secret: z.string() })]) }),
              }),
              z.object({ identity: z.object({}) }),
            ]),
          }),
        ]),
      })
      .parse(parse(await readFile(path, 'utf8')));
    const [{ secret }] = encryption.resources[0].providers[0].secretbox.keys;
    assert.equal(Buffer.from(secret, 'base64').length, 32);
    const apiserver = await readFile(join(dir, 'static-manifests/proof-controller-0/kube-apiserver.yaml'), 'utf8');
    assert.ok(apiserver.includes(`--encryption-provider-config=${NODE_PATHS.encryptionConfig}`));
    const controller = await readFile(join(dir, ASSET_PATHS.ignition('proof-controller-0')), 'utf8');
    const split = withholdSecrets(controller, 'controller');
    assert.ok(split.withheld.some((file) => file.path === NODE_PATHS.encryptionConfig));
    assert.ok(!split.served.includes(NODE_PATHS.encryptionConfig), 'the boot server would serve the key');
    const worker = await readFile(join(dir, ASSET_PATHS.ignition('proof-worker-0')), 'utf8');
    assert.ok(!worker.includes(NODE_PATHS.encryptionConfig), 'a worker receives the key');
  });

  it('gives the API server certificate every name clients use', async () => {
    const names = await subjectAltNames(join(dir, CERT(ASSET_PATHS.apiserver)));
    for (const name of [
      'api.proof.strata.test',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
      '10.3.0.1',
      '127.0.0.2',
      '127.0.0.3',
      '127.0.0.4',
    ]) {
      assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`);
    }
  });

  it('gives the FleetLock serving certificate exactly the names Zincati asks by, and carries it to the operator in a Secret', async () => {
    const names = await subjectAltNames(join(dir, CERT(ASSET_PATHS.fleetLockServing)));
    assert.deepEqual(names.sort(), [
      '127.0.0.2',
      '127.0.0.3',
      '127.0.0.4',
      'api.proof.strata.test',
      'proof-controller-0',
      'proof-controller-1',
      'proof-controller-2',
    ]);
    assert.equal((await stat(join(dir, KEY(ASSET_PATHS.fleetLockServing)))).mode & 0o777, 0o600);
    const operatorFile = join(dir, ASSET_PATHS.manifest('51-update-operator.yaml'));
    assert.equal((await stat(operatorFile)).mode & 0o777, 0o600, 'the file carries the FleetLock key');
    const secret = parseAllDocuments(await readFile(operatorFile, 'utf8'))
      .map((document) =>
        z.object({ kind: z.string(), data: z.record(z.string(), z.string()).optional() }).parse(document.toJS()),
      )
      .find((object) => object.kind === 'Secret');
    assert.deepEqual(secret?.data, {
      'tls.crt': (await readFile(join(dir, CERT(ASSET_PATHS.fleetLockServing)))).toString('base64'),
      'tls.key': (await readFile(join(dir, KEY(ASSET_PATHS.fleetLockServing)))).toString('base64'),
    });
  });

  it("serves the update server on the first controller with a certificate for it, and points every Flatcar node's update.conf there", async () => {
    const names = await subjectAltNames(join(dir, CERT(ASSET_PATHS.updateServerServing)));
    assert.deepEqual(names.sort(), [
      '127.0.0.2',
      'proof-controller-0',
      'update-server.strata-system.svc',
      'update-server.strata-system.svc.cluster.local',
    ]);
    const serverFile = join(dir, ASSET_PATHS.manifest('58-update-server.yaml'));
    assert.equal((await stat(serverFile)).mode & 0o777, 0o600, 'the file carries the serving key');
    const objects = parseAllDocuments(await readFile(serverFile, 'utf8')).map((document) =>
      z
        .object({
          kind: z.string(),
          data: z.record(z.string(), z.string()).optional(),
          spec: z
            .object({
              template: z.object({ spec: z.object({ nodeSelector: z.record(z.string(), z.string()) }) }).optional(),
            })
            .optional(),
        })
        .parse(document.toJS()),
    );
    assert.deepEqual(objects.find((object) => object.kind === 'Secret')?.data, {
      'tls.crt': (await readFile(join(dir, CERT(ASSET_PATHS.updateServerServing)))).toString('base64'),
      'tls.key': (await readFile(join(dir, KEY(ASSET_PATHS.updateServerServing)))).toString('base64'),
    });
    const deployment = objects.find((object) => object.kind === 'Deployment');
    assert.equal(deployment?.spec?.template?.spec.nodeSelector['kubernetes.io/hostname'], 'proof-controller-0');
    const caPem = await readFile(join(dir, CERT(ASSET_PATHS.clusterCa)), 'utf8');
    const ignitionFiles = z.object({
      storage: z.object({ files: z.array(z.object({ path: z.string(), contents: z.object({ source: z.string() }) })) }),
    });
    for (const node of ['proof-controller-0', 'proof-controller-2', 'proof-worker-1']) {
      const ignition = ignitionFiles.parse(JSON.parse(await readFile(join(dir, ASSET_PATHS.ignition(node)), 'utf8')));
      const contentsOf = (path: string): string | undefined => {
        const file = ignition.storage.files.find((each) => each.path === path);
        if (file === undefined) return undefined;
        const decoded = decodeDataUrl(file.contents.source);
        assert.ok(decoded.ok, `${node} ${path}`);
        return Buffer.from(decoded.value.data).toString('utf8');
      };
      assert.match(
        contentsOf('/etc/flatcar/update.conf') ?? '',
        /^SERVER=https:\/\/127\.0\.0\.2:30779\/v1\/update\/$/m,
        node,
      );
      assert.equal(contentsOf('/etc/ssl/certs/strata-cluster-ca.pem'), caPem, `${node} trusts the cluster CA`);
    }
    const directories = async (node: string) =>
      z
        .object({
          storage: z.object({
            directories: z
              .array(z.object({ path: z.string(), mode: z.number(), user: z.object({ id: z.number() }) }))
              .optional(),
          }),
        })
        .parse(JSON.parse(await readFile(join(dir, ASSET_PATHS.ignition(node)), 'utf8'))).storage.directories ?? [];
    assert.deepEqual(await directories('proof-controller-0'), [
      { path: '/var/lib/strata-update-server', mode: 0o700, user: { id: 65532 } },
    ]);
    assert.deepEqual(await directories('proof-controller-1'), [], 'only the pinned controller keeps its data');
  });

  it('deploys the console on the first controller with a certificate for its URL and Service, its keys 0600', async () => {
    assert.equal(clusterConsoleUrl(clusterTopology(config)), 'https://127.0.0.2:30443');
    const names = await subjectAltNames(join(dir, CERT(ASSET_PATHS.consoleServing)));
    assert.deepEqual(names.sort(), [
      '127.0.0.2',
      'console.strata-console',
      'console.strata-console.svc',
      'console.strata-console.svc.cluster.local',
      'proof-controller-0',
    ]);
    const verified = openssl([
      'verify',
      '-CAfile',
      join(dir, CERT(ASSET_PATHS.clusterCa)),
      join(dir, CERT(ASSET_PATHS.consoleServing)),
    ]);
    assert.equal(verified.status, 0, verified.output);
    for (const secret of [KEY(ASSET_PATHS.consoleServing), ASSET_PATHS.consoleSessionSecret])
      assert.equal((await stat(join(dir, secret))).mode & 0o777, 0o600, secret);
    const sessionSecret = (await readFile(join(dir, ASSET_PATHS.consoleSessionSecret), 'utf8')).trim();
    assert.match(sessionSecret, /^[A-Za-z0-9_-]{43}$/, '32 random bytes');
    const consoleFile = join(dir, ASSET_PATHS.manifest('60-console.yaml'));
    assert.equal((await stat(consoleFile)).mode & 0o777, 0o600, 'the file carries the serving and session keys');
    const objects = parseAllDocuments(await readFile(consoleFile, 'utf8')).map((document) =>
      z
        .object({
          kind: z.string(),
          metadata: z.object({ name: z.string(), namespace: z.string().optional() }),
          data: z.record(z.string(), z.string()).optional(),
          spec: z
            .object({
              template: z
                .object({
                  spec: z.object({ hostNetwork: z.boolean(), nodeSelector: z.record(z.string(), z.string()) }),
                })
                .optional(),
            })
            .optional(),
        })
        .parse(document.toJS()),
    );
    assert.deepEqual(
      objects.map((object) => `${object.kind}/${object.metadata.name}`),
      ['Secret/console-tls', 'Secret/console-session', 'Deployment/console', 'Service/console'],
    );
    assert.deepEqual(objects[0]?.data, {
      'tls.crt': (await readFile(join(dir, CERT(ASSET_PATHS.consoleServing)))).toString('base64'),
      'tls.key': (await readFile(join(dir, KEY(ASSET_PATHS.consoleServing)))).toString('base64'),
    });
    assert.deepEqual(objects[1]?.data, { 'session-secret': Buffer.from(sessionSecret).toString('base64') });
    const pod = objects[2]?.spec?.template?.spec;
    assert.equal(pod?.hostNetwork, true);
    assert.equal(pod?.nodeSelector['kubernetes.io/hostname'], 'proof-controller-0');
    const labels = await consoleNamespaceLabels(dir);
    assert.equal(labels['pod-security.kubernetes.io/enforce'], 'privileged', 'the host network');
    assert.equal(labels['pod-security.kubernetes.io/audit'], 'restricted');
  });

  it("keeps the console's session key and serving key when its certificate is issued again", async () => {
    const again = await mkdtemp(join(tmpdir(), 'strata-render-console-'));
    try {
      await cp(dir, again, { recursive: true });
      const read = (path: string) => readFile(join(again, path), 'utf8');
      const before = await Promise.all(
        [ASSET_PATHS.consoleSessionSecret, KEY(ASSET_PATHS.consoleServing), CERT(ASSET_PATHS.consoleServing)].map(read),
      );
      const plan = await planClusterRender({
        config: { ...config, certificates: { ...config.certificates, validityDays: 200 } },
        dir: again,
      });
      assert.ok(plan.regenerated.includes('tls/console-serving'));
      assert.ok(!plan.regenerated.includes('auth/console-session-secret'));
      await applyRenderPlan(plan);
      const after = await Promise.all(
        [ASSET_PATHS.consoleSessionSecret, KEY(ASSET_PATHS.consoleServing), CERT(ASSET_PATHS.consoleServing)].map(read),
      );
      assert.equal(after[0], before[0], 'the session key: nobody is signed out');
      assert.equal(after[1], before[1], 'the serving key');
      assert.notEqual(after[2], before[2], 'a new certificate');
      assert.equal((await stat(join(again, ASSET_PATHS.consoleSessionSecret))).mode & 0o777, 0o600);
    } finally {
      await rm(again, { recursive: true, force: true });
    }
  });

  it('renders no console, certificate or session key with console.enabled false', async () => {
    const without = await mkdtemp(join(tmpdir(), 'strata-render-no-console-'));
    try {
      await applyRenderPlan(
        await planClusterRender({ config: { ...config, console: { enabled: false } }, dir: without }),
      );
      const rendered = await listFiles(without);
      assert.ok(rendered.includes(ASSET_PATHS.manifest('58-update-server.yaml')));
      for (const absent of [
        ASSET_PATHS.manifest('60-console.yaml'),
        CERT(ASSET_PATHS.consoleServing),
        KEY(ASSET_PATHS.consoleServing),
        ASSET_PATHS.consoleSessionSecret,
      ])
        assert.ok(!rendered.includes(absent), absent);
      assert.equal((await consoleNamespaceLabels(without))['pod-security.kubernetes.io/enforce'], 'restricted');
    } finally {
      await rm(without, { recursive: true, force: true });
    }
  });

  it('records every certificate with its expiry', async () => {
    const inventory = JSON.parse(await readFile(join(dir, ASSET_PATHS.certificateInventory), 'utf8')) as {
      certificates: { path: string; notAfter: string }[];
    };
    const paths = inventory.certificates.map((c) => c.path);
    assert.ok(paths.includes(CERT(ASSET_PATHS.apiserver)));
    assert.ok(paths.includes(CERT(ASSET_PATHS.fleetLockServing)), 'the FleetLock serving certificate is listed');
    assert.ok(paths.includes(ASSET_PATHS.adminKubeconfig), 'kubeconfig client certificates are listed too');
    for (const record of inventory.certificates) assert.ok(Date.parse(record.notAfter) > Date.now(), record.path);
  });

  it('is deterministic: the same inputs and keys give byte-identical files', async () => {
    const again = await mkdtemp(join(tmpdir(), 'strata-render-again-'));
    try {
      await cp(dir, again, { recursive: true });
      // Drop everything derived; keep the keys, the token and the state.
      for (const derived of ['ignition', 'manifests', 'static-manifests', ASSET_PATHS.certificateInventory])
        await rm(join(again, derived), { recursive: true, force: true });
      const plan = await planClusterRender({ config, dir: again });
      assert.ok(plan.writes.length > 0);
      await applyRenderPlan(plan);
      for (const file of files)
        assert.equal(await readFile(join(again, file), 'utf8'), await readFile(join(dir, file), 'utf8'), file);
    } finally {
      await rm(again, { recursive: true, force: true });
    }
  });

  it('keeps every key when a change regenerates certificates', async () => {
    const keysBefore = await Promise.all(
      [ASSET_PATHS.apiserver, ASSET_PATHS.clusterCa].map((base) => readFile(join(dir, KEY(base)), 'utf8')),
    );
    const plan = await planClusterRender({ config: { ...config, apiDnsName: 'k8s.proof.strata.test' }, dir });
    assert.ok(plan.regenerated.includes('tls/apiserver'));
    assert.ok(!plan.regenerated.includes('tls/cluster-ca'));
    assert.ok(!plan.regenerated.includes('ignition/proof-worker-0'), 'workers do not hold the API server certificate');
    await applyRenderPlan(plan);
    const keysAfter = await Promise.all(
      [ASSET_PATHS.apiserver, ASSET_PATHS.clusterCa].map((base) => readFile(join(dir, KEY(base)), 'utf8')),
    );
    assert.deepEqual(keysAfter, keysBefore);
  });

  it('never writes over the cluster config', async () => {
    // A cluster.yaml sitting where a rendered file must be written is refused before anything is written.
    const manifests = await readdir(join(dir, 'manifests'));
    const target = join(dir, 'manifests', manifests[0] ?? '');
    await rm(target);
    await assert.rejects(planClusterRender({ config, dir, configPath: target }), RenderTargetError);
  });
});
