// terraform-provider-matchbox v0.5.4, driven by OpenTofu v1.12.6 (both built from Go modules by @strata/binaries),
// against Strata's gRPC API on the Kubernetes store: a configuration in the style of Typhoon's bare-metal module
// (opentofu/main.tf) creates three machines' profiles, groups and Ignition, reads them back with no changes, changes
// one (the plan shows exactly that change), and destroys them all, checked through the read side each time.
// The provider is installed for OpenTofu offline, from a filesystem mirror named in a CLI configuration file.
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';
import { MATCHBOX_PROVIDER_VERSION, resolveBinary } from '@strata/binaries';
import { sharedControlPlane, uniqueName } from '@strata/harness';
import { runCommand, writeFileAtomic } from '@strata/host';
import { writeApiCredentials } from '../api/testing/pki.ts';
import { installBootCrds } from '../kubernetes/install.ts';
import { KubernetesBootStore } from '../kubernetes/kubernetes-store.ts';
import { silentLogger } from '../logging.ts';
import { startBootServer, type BootServer } from '../server/boot-server.ts';
import { macOf } from '../testing/builders.ts';
import { temporaryDirectory, type TemporaryDirectory } from '../testing/data-dir.ts';
import { startGrpcApi, type RunningGrpcApi } from './grpc-api.ts';

const CONFIGURATION = fileURLToPath(new URL('./opentofu/main.tf', import.meta.url));

interface Machine {
  readonly mac: string;
  readonly extra_args: readonly string[];
}

/** The three machines of the configuration; `changes` replaces some of their fields. */
function machines(changes: Readonly<Record<string, Partial<Machine>>> = {}): Record<string, Machine> {
  return Object.fromEntries(
    ['node1', 'node2', 'node3'].map((name, index) => [
      name,
      { mac: macOf(300 + index), extra_args: [], ...changes[name] },
    ]),
  );
}

/** `tofu show -json` of a saved plan: what each resource change does. */
const planSchema = z.object({
  resource_changes: z
    .array(z.object({ address: z.string(), change: z.object({ actions: z.array(z.string()) }) }))
    .default([]),
});

describe('OpenTofu with terraform-provider-matchbox against the gRPC API', () => {
  let tofuPath: string;
  let admin: KubeConfig;
  let namespace: string;
  let store: KubernetesBootStore;
  let api: RunningGrpcApi;
  let http: BootServer;
  let work: TemporaryDirectory;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    // `npm test`'s binaries phase builds both; alone, `strata binaries tofu terraform-provider-matchbox` does.
    tofuPath = await resolveBinary('tofu');
    const providerPath = await resolveBinary('terraform-provider-matchbox');
    const credentials = await writeApiCredentials();
    admin = (await sharedControlPlane()).adminKubeConfig();
    await installBootCrds(admin);
    namespace = uniqueName('tofu');
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    store = await KubernetesBootStore.start({ kubeConfig: admin, namespace });
    api = await startGrpcApi({ address: '127.0.0.1:0', store, tls: credentials.serverTls });
    http = await startBootServer({ address: '127.0.0.1:0', store, logger: silentLogger() });

    work = await temporaryDirectory('strata-opentofu-');
    await writeFileAtomic(join(work.path, 'ca.crt'), credentials.caPem, 0o644);
    await writeFileAtomic(join(work.path, 'client.crt'), credentials.client.certificatePem, 0o644);
    await writeFileAtomic(join(work.path, 'client.key'), credentials.client.privateKeyPem, 0o600);
    // The unpacked layout of a filesystem mirror: <host>/<namespace>/<type>/<version>/<os_arch>/.
    const version = MATCHBOX_PROVIDER_VERSION.replace(/^v/, '');
    const mirrored = join(work.path, 'mirror/registry.opentofu.org/poseidon/matchbox', version, 'linux_amd64');
    await mkdir(mirrored, { recursive: true });
    await copyFile(providerPath, join(mirrored, `terraform-provider-matchbox_${MATCHBOX_PROVIDER_VERSION}`));
    const cliConfig = join(work.path, 'tofu.tfrc');
    await writeFileAtomic(
      cliConfig,
      `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(join(work.path, 'mirror'))}\n    include = ["registry.opentofu.org/poseidon/matchbox"]\n  }\n}\n`,
      0o644,
    );
    await mkdir(join(work.path, 'config'));
    await copyFile(CONFIGURATION, join(work.path, 'config/main.tf'));
    env = {
      PATH: process.env['PATH'] ?? '',
      HOME: work.path,
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_IN_AUTOMATION: '1',
      // No call home for version news: there is no network to ask.
      CHECKPOINT_DISABLE: '1',
    };
    await setMachines(machines());
    await tofu('init', '-input=false');
  });

  after(async () => {
    await http.close();
    await api.close();
    await store.close();
    await admin.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace });
    await work.remove();
  });

  async function setMachines(value: Record<string, Machine>): Promise<void> {
    const variables = { matchbox_endpoint: api.endpoint, credentials_dir: work.path, machines: value };
    await writeFileAtomic(join(work.path, 'config/terraform.tfvars.json'), JSON.stringify(variables), 0o644);
  }

  /** Runs tofu in the configuration's directory; returns its exit code and output. */
  async function tofu(...args: string[]): Promise<{ code: number | null; stdout: string }> {
    const result = await runCommand(tofuPath, [...args, '-no-color'], { cwd: join(work.path, 'config'), env });
    const expected = args[0] === 'plan' && args.includes('-detailed-exitcode') ? [0, 2] : [0];
    assert.ok(
      expected.includes(result.code ?? -1),
      `tofu ${args.join(' ')} exited ${result.code}:\n${result.stdout}${result.stderr}`,
    );
    return { code: result.code, stdout: result.stdout };
  }

  async function plannedChanges(): Promise<Map<string, string>> {
    await tofu('plan', '-input=false', '-out=change.plan');
    const shown = await tofu('show', '-json', 'change.plan');
    const plan = planSchema.parse(JSON.parse(shown.stdout));
    return new Map(
      plan.resource_changes
        .filter((change) => change.change.actions.join(',') !== 'no-op')
        .map((change) => [change.address, change.change.actions.join(',')]),
    );
  }

  const ipxe = async (mac: string): Promise<{ status: number; text: string }> => {
    const answer = await fetch(`${http.url}/ipxe?mac=${mac}`);
    return { status: answer.status, text: await answer.text() };
  };

  it('creates three machines, reads them back unchanged, changes one, and destroys them all', async () => {
    await tofu('apply', '-auto-approve', '-input=false');
    for (const [name, machine] of Object.entries(machines())) {
      const answer = await ipxe(machine.mac);
      assert.equal(answer.status, 200, name);
      assert.match(answer.text, /flatcar_production_pxe\.vmlinuz initrd=\S+ flatcar\.first_boot=yes console=ttyS0\n/);
      const ignition = await fetch(`${http.url}/ignition?mac=${machine.mac}`);
      assert.equal(ignition.status, 200);
      assert.match(await ignition.text(), new RegExp(`"source":"data:,${name}"`));
    }
    assert.equal(store.snapshot().groups.get('tofu-node2')?.metadata['hostname'], 'node2');

    const unchanged = await tofu('plan', '-detailed-exitcode', '-input=false');
    assert.equal(unchanged.code, 0, `the read-back plan is not empty:\n${unchanged.stdout}`);

    await setMachines(machines({ node2: { extra_args: ['flatcar.autologin'] } }));
    // Every argument of a matchbox_profile forces a new one: a replacement of that one profile, nothing else.
    assert.deepEqual(await plannedChanges(), new Map([['matchbox_profile.install["node2"]', 'delete,create']]));
    await tofu('apply', '-auto-approve', '-input=false', 'change.plan');
    assert.match((await ipxe(machines().node2?.mac ?? '')).text, /console=ttyS0 flatcar\.autologin\n/);
    assert.doesNotMatch((await ipxe(machines().node1?.mac ?? '')).text, /flatcar\.autologin/);
    const settled = await tofu('plan', '-detailed-exitcode', '-input=false');
    assert.equal(settled.code, 0, settled.stdout);

    await tofu('destroy', '-auto-approve', '-input=false');
    for (const machine of Object.values(machines())) {
      assert.equal((await ipxe(machine.mac)).status, 404);
      assert.equal((await fetch(`${http.url}/ignition?mac=${machine.mac}`)).status, 404);
    }
    const after = store.snapshot();
    assert.deepEqual([...after.groups.keys(), ...after.profiles.keys(), ...after.templates.ignition.keys()], []);
  });
});
