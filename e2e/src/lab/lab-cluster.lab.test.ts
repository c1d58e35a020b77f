// A real cluster of lab machines. Two lab machines boot Strata's node image over PXE with the workers' Ignition
// configs as rendered for os.name strata (the lab's registry as their mirror: ADR 0093), and their real containerd
// and kubelets join a real control plane: the harness's, on the lab network's host end, signing with the rendered
// cluster's CA, allocating each node's pod subnet from the rendered pod range, and answering at the rendered API name,
// which the lab's DNS resolves. The render's own add-ons run on the machines as real pods from images built here:
// flannel's VXLAN pod network, kube-proxy and CoreDNS. A Deployment of the test server is spread over both machines;
// its pods reach each other across machines over flannel, reach a Service through kube-proxy, and find the Service by
// name through CoreDNS; `kubectl logs`, `exec` and `port-forward` reach them through the kubelets. The test approves
// the nodes' certificate requests as an administrator: the join approver's own decisions are its package's tests. The
// rendered controller is never booted: the harness stands in for it (ADR 0088), and Strata's update server runs where
// the rendered update.conf looks for it, on the controller's name. Then a real A/B update of one node: the server
// offers a new /usr to that node's own update group (a canary pool), the node's update_engine writes it to the
// passive slot, its update agent reports the reboot it needs, the update operator grants it, the agent drains the node
// and reboots it through logind (polkit allowing the agent's host user that one action), and the node comes back
// Ready on the new version. Then a release that fails to
// boot: the same way in, its one try panics, the bootloader falls back to the good slot, the agent reports the
// rollback, the operator marks the node failed and its UpdatePolicy Degraded, and the update server records the
// rollback that update_engine reports.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type V1Deployment,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import { ANNOTATIONS, LABELS, parseUpdatePolicy, UPDATE_POLICY } from '@strata/api';
import {
  containsAddress,
  parseAddress,
  parseCidr,
  UPDATE_OPERATOR_NAMES,
  UPDATE_OPERATOR_NAMESPACE,
} from '@strata/assets';
import { runCommand, waitFor } from '@strata/host';
import { ensureNodeImage, STRATA_NODE_IMAGE_VERSION, type NodeImage } from '@strata/node-image';
import { deriveUsrPayload } from '@strata/node-image/testing';
import { nodeImageAssetPaths } from '@strata/platform-bare-metal';
import { aCatalog, historySteps, type Release } from '@strata/update-server/testing';
import { z } from 'zod';
import {
  clusterState,
  kubectlExec,
  LAB_TEST_SERVER,
  LAB_WORKLOAD_COMMAND,
  LAB_WORKLOAD_IMAGE,
  LAB_WORKLOAD_PAGE,
  startLabNodeCluster,
  type LabNodeCluster,
} from './testing/lab-node-cluster.ts';
import { serveUsrRelease, updateHistory, updateThenRollbackHistory } from './testing/usr-release.ts';

const CONTROLLER = { name: 'lab-ctrl-1', mac: '52:54:00:5a:00:01' };
/**
 * The update group of the node the test updates, as a canary pool has its own: the update server offers each release
 * to that group alone. Offered to every node, a release reached the other one too, at its periodic check (every 45
 * minutes, about as long as an update round takes here), and the operator rebooted that one first.
 */
const CANARY_GROUP = 'canary';
const WORKERS = [
  { name: 'lab-node-1', mac: '52:54:00:5a:00:11', updateGroup: CANARY_GROUP },
  { name: 'lab-node-2', mac: '52:54:00:5a:00:12' },
] as const;
/** Where a pod and its machine's check meet: the test's exec writes here, the check waits for it. */
const CHECK_DIR = '/run/strata-lab-check';
const KUBECTL_TIMEOUT_MS = 60_000;
/** kubectl's own limit on each request, so that no call of it outlives the test's waits. */
const KUBECTL_REQUEST_TIMEOUT = '--request-timeout=60s';
const APP = 'web';
/**
 * The cluster (about 25 minutes under TCG), then two updates of one node: a 1 GiB /usr (about 30 minutes) and a reboot
 * (about 15), then a broken release of a few MiB and its reboot, which rolls back.
 */
const TEST_TIMEOUT_MS = 120 * 60_000;
/** The node the test updates: the one in the canary group. */
const UPDATED = WORKERS[0];
/** A file the test's exec writes through a pod's host path when the machine's update_engine should check now. */
const CHECK_NOW_FILE = 'check-updates';
/**
 * Each machine's memory: headroom, not speed. With the kubelet, containerd, flanneld, kube-proxy, CoreDNS and the
 * workload, a 1 GiB machine touched all of it (its QEMU's resident memory reached 1.3 GiB, 256 MiB of which is TCG's
 * translation cache); a 2 GiB machine touched about the same 1 GiB. The pulls took as long with either (kube-proxy's
 * 62 to 84 s with 1 GiB, 74 to 76 s with 2 GiB).
 */
const MACHINE_MEMORY_MIB = 2048;
/**
 * Each machine's vCPUs: two, on a two-core host with two machines. Their load is uneven (one machine runs both CoreDNS
 * pods while the other idles), and a machine with two vCPUs uses the core the other leaves: the scenario took 667 s and
 * 594 s, against 994 s and 1,010 s with one vCPU each (e2e/README.md).
 */
const MACHINE_CPUS = 2;

/** What each machine reports once the test's exec has written its done file (bounded, so a failed test ends). */
const CHECK_SCRIPT = [
  `mkdir -p ${CHECK_DIR}`,
  // Bounded by the test's own limit: a machine that stopped waiting earlier powered off under a slow test's last steps.
  // Meanwhile the test may ask for an update check now, as an administrator would (update_engine_client's
  // -check_for_update): root calls AttemptUpdate; the agent itself may only read update_engine's status.
  'i=0',
  `while [ ! -s ${CHECK_DIR}/done ] && [ $i -lt ${TEST_TIMEOUT_MS / 1000} ]; do`,
  `  if [ -e ${CHECK_DIR}/${CHECK_NOW_FILE} ]; then rm -f ${CHECK_DIR}/${CHECK_NOW_FILE}; say "attempt-update $(busctl call com.coreos.update1 /com/coreos/update1 com.coreos.update1.Manager AttemptUpdate 2>&1)"; fi`,
  '  sleep 1; i=$((i+1))',
  'done',
  `say "done $(cat ${CHECK_DIR}/done 2>/dev/null || echo missing)"`,
  'say "kubelet $(systemctl is-active kubelet.service)"',
  'say "resolv $(grep -c ^nameserver /run/systemd/resolve/resolv.conf)"',
  'say "route $(ip -4 route show default)"',
  // What Ignition wrote in the initramfs, as the root sees it.
  'say "user $(getent passwd core)"',
  'say "ssh-keys $(cat /home/core/.ssh/authorized_keys.d/* 2>/dev/null | grep -c ^ssh-)"',
  'say "hostname $(cat /etc/hostname)"',
  'say "kubelet-enabled $(systemctl is-enabled kubelet.service)"',
  'nic=$(ip -4 route show default | sed -n "s/.* dev \\([^ ]*\\).*/\\1/p")',
  'say "address $(ip -4 -o addr show dev "$nic" scope global | tr -s " " | cut -d" " -f4)"',
  // flannel's VXLAN device, which carries the pods' traffic between the machines.
  'say "vxlan $(ip -d link show flannel.1 2>/dev/null | grep -c vxlan)"',
].join('\n');

/** The test server, one pod per machine (required anti-affinity), each logging a line and serving /www on 8080. */
function webDeployment(): V1Deployment {
  const labels = { app: APP };
  return {
    metadata: { name: APP, namespace: 'default' },
    spec: {
      replicas: WORKERS.length,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 1,
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { labelSelector: { matchLabels: labels }, topologyKey: 'kubernetes.io/hostname' },
              ],
            },
          },
          containers: [
            {
              name: APP,
              image: LAB_WORKLOAD_IMAGE,
              command: LAB_WORKLOAD_COMMAND,
              ports: [{ containerPort: 8080 }],
              volumeMounts: [{ name: 'check', mountPath: '/check' }],
            },
          ],
          volumes: [{ name: 'check', hostPath: { path: CHECK_DIR, type: 'DirectoryOrCreate' } }],
        },
      },
    },
  };
}

/** Whether `address` is inside the range `cidr`; neither parsing is a match. */
function inCidr(address: string, cidr: string): boolean {
  const range = parseCidr(cidr);
  const parsed = parseAddress(address);
  return range.ok && parsed !== undefined && containsAddress(range.cidr, parsed);
}

let cluster: LabNodeCluster | undefined;
let payloadDir: string | undefined;
let releases: LabReleases | undefined;

describe('lab machines with the node image form a real cluster with the rendered pod network, Services and DNS', () => {
  before(async () => {
    const image = await ensureNodeImage();
    // Installed from the network onto their disks, as bare-metal machines are (ADR 0092).
    cluster = await startLabNodeCluster(image, CONTROLLER, WORKERS, 'lab-cluster', { install: true });
    payloadDir = await mkdtemp(join(tmpdir(), 'strata-lab-cluster-usr-'));
    releases = await labReleases(image, cluster, payloadDir);
  });

  after(async () => {
    await cluster?.close();
    if (payloadDir !== undefined) await rm(payloadDir, { recursive: true, force: true });
  });

  it(
    'joins two machines as Ready nodes and runs pods across them over flannel, kube-proxy and CoreDNS',
    // Two guests under TCG pull and start every add-on's image: longer than the integration files' 600 s limit on a
    // loaded two-core machine.
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      // The machines' checks wait for the test; when the test ends first (a failure), its machines are stopped.
      const stopMachines = new AbortController();
      try {
        await clusterScenario(stopMachines.signal);
      } finally {
        stopMachines.abort();
      }
    },
  );
});

async function clusterScenario(signal: AbortSignal): Promise<void> {
  assert.ok(cluster !== undefined);
  const { lab, kubeConfig, kubectl, controlPlane } = cluster;
  let bootError: Error | undefined;
  // From the first QEMU's start, as the boots' own marks.
  let started: number | undefined;
  const seconds = () => ((performance.now() - (started ?? performance.now())) / 1000).toFixed(1);
  const boots = WORKERS.map((worker) =>
    lab
      .boot(worker.mac, {
        timeoutMs: TEST_TIMEOUT_MS,
        memoryMiB: MACHINE_MEMORY_MIB,
        cpus: MACHINE_CPUS,
        onStarted: (at) => (started ??= at),
        checkScript: CHECK_SCRIPT,
        signal,
      })
      .catch((error: unknown) => {
        bootError = error instanceof Error ? error : new Error(String(error));
        throw bootError;
      }),
  );
  // Awaited at the end; until then a failed boot is seen through bootError, not as an unhandled rejection.
  for (const boot of boots) boot.catch(() => undefined);
  const unlessBootFailed = () => {
    if (bootError !== undefined) throw bootError;
  };
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  /** A wait that ends on a failed boot, and whose failure carries the cluster's pods and warning events. */
  const waitInCluster = <T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> =>
    waitFor(
      what,
      async () => {
        unlessBootFailed();
        return check();
      },
      { timeoutMs, intervalMs: 1_000 },
    ).catch(async (error: unknown) => {
      const approver = cluster?.approverError();
      throw new Error(
        `${String(error)}${approver === undefined ? '' : `; the approver's last error: ${approver}`}\n` +
          (await clusterState(cluster ?? assert.fail())),
      );
    });

  const nodes = new Map<string, V1Node>();
  for (const worker of WORKERS) {
    const node = await waitInCluster(
      `node ${worker.name} to be Ready`,
      async (): Promise<V1Node | undefined> => {
        const found = await core.readNode({ name: worker.name }).catch(() => undefined);
        const ready = found?.status?.conditions?.find((condition) => condition.type === 'Ready');
        return ready?.status === 'True' ? found : undefined;
      },
      // The install (both machines at once) comes first: 25 minutes on a loaded host.
      25 * 60_000,
    );
    nodes.set(worker.name, node);
    const info = node.status?.nodeInfo;
    assert.equal(info?.osImage, `Strata node image ${STRATA_NODE_IMAGE_VERSION}`);
    assert.equal(info?.kubeletVersion, 'v1.36.3');
    assert.match(info?.containerRuntimeVersion ?? '', /^containerd:\/\/2\.4\.2$/);
    assert.deepEqual(
      node.status?.addresses?.filter((address) => address.type === 'InternalIP').map((address) => address.address),
      [lab.nics.get(worker.mac)?.address],
      `${worker.name}: its address on the lab network, found by its default route`,
    );
    assert.ok(
      inCidr(node.spec?.podCIDR?.split('/')[0] ?? '', cluster.podCidr),
      `${worker.name}'s pod subnet ${node.spec?.podCIDR ?? 'none'} in ${cluster.podCidr}`,
    );
  }
  const readyAt = seconds();
  const subnets = [...nodes.values()].map((node) => node.spec?.podCIDR);
  assert.equal(new Set(subnets).size, WORKERS.length, `a pod subnet of its own for each node: ${subnets.join(', ')}`);

  // The render's add-ons, as real pods on both machines: flannel and kube-proxy on each, CoreDNS ready.
  for (const daemonSet of ['kube-flannel', 'kube-proxy']) {
    await waitInCluster(
      `DaemonSet ${daemonSet} ready on both machines`,
      async () => {
        const found = await apps.readNamespacedDaemonSet({ name: daemonSet, namespace: 'kube-system' });
        return found.status?.numberReady === WORKERS.length ? true : undefined;
      },
      10 * 60_000,
    );
  }
  await waitInCluster(
    'CoreDNS ready',
    async () => {
      const found = await apps.readNamespacedDeployment({ name: 'coredns', namespace: 'kube-system' });
      return (found.status?.readyReplicas ?? 0) >= 1 ? true : undefined;
    },
    10 * 60_000,
  );

  // Only now: applied together with the add-ons, the workload's pulls and starts competed with CoreDNS's on one
  // machine, whose container runtime then missed the kubelet's two-minute limit for a container's creation.
  await apps.createNamespacedDeployment({ namespace: 'default', body: webDeployment() });
  await core.createNamespacedService({
    namespace: 'default',
    body: {
      metadata: { name: APP, namespace: 'default' },
      spec: { selector: { app: APP }, ports: [{ port: 80, targetPort: 8080 }] },
    },
  });
  const pods = await waitInCluster(
    `the ${APP} pods to run, one on each machine`,
    async (): Promise<V1Pod[] | undefined> => {
      const list = await core.listNamespacedPod({ namespace: 'default', labelSelector: `app=${APP}` });
      const running = list.items.filter((pod) => pod.status?.phase === 'Running' && pod.status.podIP !== undefined);
      return running.length === WORKERS.length ? running : undefined;
    },
    10 * 60_000,
  );
  const runningAt = seconds();
  assert.deepEqual(pods.map((pod) => pod.spec?.nodeName).sort(), WORKERS.map((worker) => worker.name).sort());
  for (const pod of pods) {
    const subnet = nodes.get(pod.spec?.nodeName ?? '')?.spec?.podCIDR ?? '';
    assert.ok(
      inCidr(pod.status?.podIP ?? '', subnet),
      `${pod.metadata?.name ?? ''}: ${pod.status?.podIP} in ${subnet}`,
    );
  }
  const [first, second] = pods.map((pod) => ({ name: pod.metadata?.name ?? '', ip: pod.status?.podIP ?? '' }));
  assert.ok(first !== undefined && second !== undefined);
  const exec = (pod: string, command: string) =>
    kubectlExec(cluster ?? assert.fail(), pod, ['/bin/sh', '-c', command], (attempt, stderr) =>
      process.stderr.write(`kubectl exec ${pod}, attempt ${attempt} failed: ${stderr}\n`),
    );

  // Pod to pod across the machines, each way, over flannel's VXLAN.
  for (const [from, to] of [
    [first, second],
    [second, first],
  ] as const) {
    const page = await exec(from.name, `${LAB_TEST_SERVER} fetch http://${to.ip}:8080/`);
    assert.equal(page, LAB_WORKLOAD_PAGE, `${from.name} reached ${to.name} at ${to.ip}`);
  }
  // The Service's address, through kube-proxy's rules, from each machine.
  const service = await core.readNamespacedService({ name: APP, namespace: 'default' });
  const clusterIp = service.spec?.clusterIP ?? '';
  for (const from of [first, second]) {
    const page = await exec(from.name, `${LAB_TEST_SERVER} fetch http://${clusterIp}/`);
    assert.equal(page, LAB_WORKLOAD_PAGE, `${from.name} reached the Service at ${clusterIp}`);
  }
  // The Service's name, through CoreDNS at the cluster DNS address the rendered kubelet gives every pod.
  const serviceName = `${APP}.default.svc.${cluster.clusterDomain}`;
  const lookup = await exec(first.name, `${LAB_TEST_SERVER} lookup ${serviceName}`);
  assert.deepEqual(lookup.split('\n').filter(Boolean), [clusterIp], `${serviceName} resolved`);
  const byName = await exec(second.name, `${LAB_TEST_SERVER} fetch http://${serviceName}/`);
  assert.equal(byName, LAB_WORKLOAD_PAGE, `reached by name, ${serviceName}`);

  const kubeconfig = [
    '--kubeconfig',
    controlPlane.info.kubeconfigPath,
    '--namespace',
    'default',
    KUBECTL_REQUEST_TIMEOUT,
  ];
  const logs = await waitFor(
    'the pod to have logged its line',
    async () => {
      const result = await runCommand(kubectl, [...kubeconfig, 'logs', first.name]);
      return result.code === 0 && result.stdout.includes('hello from') ? result.stdout : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 1_000 },
  );
  assert.equal(logs, `hello from ${first.name}\n`);

  // Up to three attempts, each bounded, for the reason kubectlExec gives; the page must come through one of them.
  const page = await waitFor(
    "the pod's page through kubectl port-forward",
    async () => {
      const forwarded = await portForward(kubectl, kubeconfig, first.name, 8080);
      try {
        const answer = await fetch(`http://127.0.0.1:${forwarded.port}/`, { signal: AbortSignal.timeout(60_000) });
        return answer.status === 200 ? await answer.text() : undefined;
      } finally {
        forwarded.stop();
      }
    },
    { timeoutMs: 3 * KUBECTL_TIMEOUT_MS, intervalMs: 1_000, retryErrors: true },
  );
  assert.equal(page, LAB_WORKLOAD_PAGE);

  // Strata's update operator, as real pods on the machines: each node's agent (the rendered DaemonSet, as the
  // rendered host user, with the host's system bus) reads its node's OS from the image's update_engine over D-Bus and
  // reports it on the Node; the operator replicas run beside them.
  await cluster.applyUpdateOperator();
  await waitInCluster(
    'the update agents ready on both machines',
    async () => {
      const found = await apps.readNamespacedDaemonSet({
        name: UPDATE_OPERATOR_NAMES.agent,
        namespace: UPDATE_OPERATOR_NAMESPACE,
      });
      return found.status?.numberReady === WORKERS.length ? true : undefined;
    },
    10 * 60_000,
  );
  for (const worker of WORKERS) {
    const node = await waitInCluster(
      `${worker.name} reported by its update agent`,
      async () => {
        const found = await core.readNode({ name: worker.name });
        return found.metadata?.annotations?.[ANNOTATIONS.status] === undefined ? undefined : found;
      },
      // In one run an agent had not reported five minutes after it started, on the machine that also ran both CoreDNS
      // pods and the slower operator replica; the failure now carries Strata's pods' logs.
      10 * 60_000,
    );
    const labels = node.metadata?.labels ?? {};
    const annotations = node.metadata?.annotations ?? {};
    assert.equal(labels[LABELS.osId], 'strata', `${worker.name}'s OS as its agent read it`);
    assert.equal(labels[LABELS.version], STRATA_NODE_IMAGE_VERSION);
    assert.equal(annotations[ANNOTATIONS.status], 'UPDATE_STATUS_IDLE', "update_engine's status over D-Bus");
    assert.equal(annotations[ANNOTATIONS.rebootNeeded], 'false');
  }
  await waitInCluster(
    'the update operator available',
    async () => {
      const found = await apps.readNamespacedDeployment({
        name: UPDATE_OPERATOR_NAMES.operator,
        namespace: UPDATE_OPERATOR_NAMESPACE,
      });
      return (found.status?.availableReplicas ?? 0) >= 1 ? true : undefined;
    },
    10 * 60_000,
  );
  const updateOperatorAt = seconds();

  const update = await updateScenario({ cluster, exec, waitInCluster, seconds });

  // Each machine's check ends when its pod's exec writes the file it waits for, through the pod's host path: the
  // exec ran on that machine. The updated node's pod is a new one: the drains evicted the first.
  const finalPods = await waitInCluster(
    `the ${APP} pods to run again, one on each machine`,
    async (): Promise<V1Pod[] | undefined> => {
      const list = await core.listNamespacedPod({ namespace: 'default', labelSelector: `app=${APP}` });
      const running = list.items.filter(
        (pod) => pod.status?.phase === 'Running' && pod.metadata?.deletionTimestamp === undefined,
      );
      return running.length === WORKERS.length ? running : undefined;
    },
    10 * 60_000,
  );
  for (const pod of finalPods) {
    const name = pod.metadata?.name ?? '';
    assert.equal(await exec(name, 'hostname > /check/done && cat /check/done'), `${name}\n`);
  }
  const served = lab.answered();
  for (const [index, worker] of WORKERS.entries()) {
    const boot = await (boots[index] ?? assert.fail());
    const pod = finalPods.find((candidate) => candidate.spec?.nodeName === worker.name);
    const report = `${worker.name}:\n${boot.check.join('\n')}`;
    assert.ok(boot.check.includes(`done ${pod?.metadata?.name ?? '?'}`), report);
    assert.ok(boot.check.includes('kubelet active'), report);
    assert.ok(boot.check.includes('resolv 1'), `the lab's DNS server from DHCP: ${report}`);
    assert.ok(boot.check.includes('vxlan 1'), `flannel's VXLAN device: ${report}`);
    // The root the rendered config made, in the initramfs: Ignition's files stage ended before the root's systemd.
    const value = (key: string) => boot.check.find((line) => line.startsWith(`${key} `))?.slice(key.length + 1);
    assert.match(value('user') ?? '', /^core:x:\d+:\d+:/, report);
    assert.equal(value('ssh-keys'), '1', "the config's SSH key for core");
    assert.equal(value('hostname'), worker.name);
    assert.equal(value('kubelet-enabled'), 'enabled');
    assert.equal(value('address'), `${lab.nics.get(worker.mac)?.address ?? '?'}/24`, "the lab's address for its MAC");
    assert.ok(
      value('route')?.startsWith(`default via ${lab.network.hostAddress} dev `),
      `the default route via the lab's host end: ${value('route') ?? 'none'}`,
    );
    assert.ok(
      boot.marks.ignitionFiles !== undefined &&
        boot.marks.systemd !== undefined &&
        boot.marks.ignitionFiles < boot.marks.systemd,
      "Ignition's files stage finished in the initramfs, before the root's systemd started",
    );
    // Times from powering the machine on (the host's clock): what the lab's benchmark reports, seen once per run.
    const marks = Object.entries(boot.marks).map(([mark, ms]) => `${mark} ${(ms / 1000).toFixed(1)} s`);
    process.stderr.write(`${worker.name}, from power-on: ${marks.join(', ')}\n`);
  }
  // The install profile's boot and image (once per machine), and the installed first boot's config.
  const release = nodeImageAssetPaths(STRATA_NODE_IMAGE_VERSION);
  for (const path of ['/boot.ipxe', '/ipxe', release.kernel, release.initrd, release.installImage, '/ignition'])
    assert.ok(served.includes(`200 ${path}`), `the boot server answered ${path}: ${served.join(', ')}`);
  // The updated machine's boots, as its check saw them: the image's version, then the update's twice (the broken
  // release's boot never reached the check); the other machine booted once.
  const checks = await Promise.all(boots);
  const versions = (index: number) =>
    (checks[index]?.check ?? [])
      .filter((line) => line.startsWith('os-release '))
      .map((line) => line.slice('os-release '.length));
  const image = (version: string) => `strata ${version}`;
  assert.deepEqual(versions(0), [STRATA_NODE_IMAGE_VERSION, ...update.versions].map(image), 'the updated machine');
  assert.deepEqual(versions(1), [image(STRATA_NODE_IMAGE_VERSION)], 'the other machine booted once');
  process.stderr.write(
    `lab cluster: both nodes Ready ${readyAt} s, the ${APP} pods Running ${runningAt} s, ` +
      `the update agents reporting and the operator available ${updateOperatorAt} s; ${update.report}\n`,
  );
}

/**
 * The releases the lab's payload server offers: a /usr derived from the image (its version the image's with `.1`), and
 * one that fails to boot (`.2`: the image's kernel with an initramfs that is no archive).
 */
async function labReleases(image: NodeImage, lab: LabNodeCluster, dir: string): Promise<LabReleases> {
  const good = await deriveUsrPayload(image, join(dir, 'usr.ext4'), { version: `${image.version}.1` });
  const broken = await deriveUsrPayload(image, join(dir, 'broken-usr.ext4'), {
    version: `${image.version}.2`,
    breakInitramfs: true,
  });
  return { good: await serveUsrRelease(lab.payloads, good), broken: await serveUsrRelease(lab.payloads, broken) };
}

interface LabReleases {
  readonly good: Release;
  readonly broken: Release;
}

interface UpdateScenarioContext {
  readonly cluster: LabNodeCluster;
  readonly exec: (pod: string, command: string) => Promise<string>;
  readonly waitInCluster: <T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number) => Promise<T>;
  readonly seconds: () => string;
}

/**
 * Two releases rolled through the updated node, each offered by the update server and checked for at once (as an
 * administrator asks), each reboot the update operator's grant and the agent's doing: the good one, on which the node
 * comes back, then the broken one, whose one try panics, so that the node comes back on the good one, marked as rolled
 * back by its agent and as failed by the operator. Returns the versions the node booted and a report of the times.
 */
async function updateScenario(context: UpdateScenarioContext): Promise<{ versions: string[]; report: string }> {
  const { cluster: lab, waitInCluster } = context;
  assert.ok(releases !== undefined);
  const { good, broken } = releases;
  const core = lab.kubeConfig.makeApiClient(CoreV1Api);
  const annotation = (node: V1Node, key: string) => node.metadata?.annotations?.[key];

  // The 1 GiB /usr downloaded, written and verified under TCG: about five minutes on an idle machine (the node update
  // test's), 25 minutes and more on a node of this cluster, whose pods and neighbour share the two host cores.
  const updated = await updateRound(context, good, { stagedWithinMs: 50 * 60_000 });
  assert.equal(updated.node.status?.nodeInfo?.osImage, `Strata node image ${good.version}`);
  assert.equal(annotation(updated.node, ANNOTATIONS.rebootNeeded), 'false');
  assert.equal(annotation(updated.node, ANNOTATIONS.rolledBack), undefined);
  const other = await core.readNode({ name: WORKERS[1].name });
  assert.equal(other.metadata?.labels?.[LABELS.version], STRATA_NODE_IMAGE_VERSION, 'the other node was not updated');
  // The operator's grant and the agent's completion on the new boot, which the agent records after the patch that
  // completes the reboot (one run read the events in between). The agent writes DrainStarted and RebootStarted while
  // it drains and reboots, so a machine going down may lose them: reported, not required.
  const updatedEvents = await nodeEvents(context, ['RebootApproved', 'RebootCompleted']);
  const machineId = updated.node.status?.nodeInfo?.machineID ?? '';
  await serverHistory(context, machineId, updateHistory(good.version));

  // A few MiB: staged in a minute or two, even here.
  const rolledBack = await updateRound(context, broken, { stagedWithinMs: 15 * 60_000, comesBackOn: good.version });
  assert.equal(rolledBack.node.status?.nodeInfo?.osImage, `Strata node image ${good.version}`);
  assert.equal(annotation(rolledBack.node, ANNOTATIONS.rolledBack), broken.version, "the agent's rollback report");
  // The operator marks the node failed (and grants it no other reboot until someone clears the mark), and its
  // UpdatePolicy says why.
  await waitInCluster(
    `the operator to mark ${UPDATED.name} reboot-failed`,
    async () =>
      (await readUpdated(core)).metadata?.annotations?.[ANNOTATIONS.rebootFailed] === 'true' ? true : undefined,
    2 * 60_000,
  );
  const policies = lab.kubeConfig.makeApiClient(CustomObjectsApi);
  const degraded = await waitInCluster(
    'an UpdatePolicy Degraded by the rollback',
    async () => {
      const list = z.object({ items: z.array(z.unknown()) }).parse(
        await policies.listClusterCustomObject({
          group: UPDATE_POLICY.group,
          version: UPDATE_POLICY.version,
          plural: UPDATE_POLICY.plural,
        }),
      );
      const conditions = list.items.flatMap((item) => parseUpdatePolicy(item).status?.conditions ?? []);
      return conditions.find(
        (condition) =>
          condition.type === 'Degraded' && condition.status === 'True' && condition.reason === 'RebootRolledBack',
      );
    },
    2 * 60_000,
  );
  assert.ok(degraded.message.includes(`${UPDATED.name} (from ${broken.version})`), degraded.message);
  const rolledBackEvents = await nodeEvents(context, ['UpdateRolledBack', 'RebootRolledBack']);
  // update_engine reported the failed boot (error 44), and the server holds the broken release back from the node.
  await serverHistory(context, machineId, updateThenRollbackHistory(good.version, broken.version));
  const report =
    `${good.version}: ${updated.report}; the node's events: ${updatedEvents.join(', ')}. ` +
    `${broken.version}: ${rolledBack.report}; the node's events: ${rolledBackEvents.join(', ')}`;
  // The boots the updated machine's check saw: the good version's; the broken one's never reached it.
  return { versions: [good.version, good.version], report };
}

const readUpdated = (core: CoreV1Api): Promise<V1Node> => core.readNode({ name: UPDATED.name });

/**
 * Asks the updated node's update_engine to check now, as an administrator would: through the host path of the node's
 * workload pod, which its machine's check watches (it calls AttemptUpdate as root).
 */
async function askForCheck(context: UpdateScenarioContext): Promise<void> {
  const core = context.cluster.kubeConfig.makeApiClient(CoreV1Api);
  const pod = await context.waitInCluster(
    `the ${APP} pod running on ${UPDATED.name}`,
    async () => {
      const list = await core.listNamespacedPod({
        namespace: 'default',
        labelSelector: `app=${APP}`,
        fieldSelector: `spec.nodeName=${UPDATED.name}`,
      });
      return list.items.find(
        (item) => item.status?.phase === 'Running' && item.metadata?.deletionTimestamp === undefined,
      );
    },
    10 * 60_000,
  );
  await context.exec(pod.metadata?.name ?? '', `touch /check/${CHECK_NOW_FILE}`);
}

/**
 * The update server's history for the machine, once it is `expected`. update_engine tells the server how a boot went
 * (the update complete, or rolled back) at its first check on that boot, which it makes seven minutes after it starts
 * unless asked sooner: the test asks.
 */
async function serverHistory(context: UpdateScenarioContext, machineId: string, expected: string[]): Promise<void> {
  await askForCheck(context);
  let last: string[] = [];
  try {
    await context.waitInCluster(
      `the update server's history for ${UPDATED.name}: ${expected.join(', ')}`,
      async () => {
        last = historySteps(await context.cluster.updateServer.store.history(machineId));
        return last.length >= expected.length ? last : undefined;
      },
      5 * 60_000,
    );
  } finally {
    assert.deepEqual(last, expected, `the update server's history for ${UPDATED.name}`);
  }
}

/** The reasons of the updated node's events, once every one of `wanted` is among them. */
async function nodeEvents(context: UpdateScenarioContext, wanted: readonly string[]): Promise<string[]> {
  const core = context.cluster.kubeConfig.makeApiClient(CoreV1Api);
  return context.waitInCluster(
    `the events ${wanted.join(', ')} on ${UPDATED.name}`,
    async () => {
      const events = await core.listEventForAllNamespaces({ fieldSelector: `involvedObject.name=${UPDATED.name}` });
      const found = events.items.map((event) => event.reason ?? '');
      return wanted.every((reason) => found.includes(reason)) ? found : undefined;
    },
    2 * 60_000,
  );
}

interface RoundOptions {
  /** How long the node's update_engine may take to download, write and verify the release. */
  readonly stagedWithinMs: number;
  /** The version the node comes back on when it is not the release's: the one it ran (a rollback). */
  readonly comesBackOn?: string;
}

/**
 * One release offered to the updated node and checked for at once, then its reboot: staged (the agent reports the
 * reboot it needs), granted by the operator, drained and rebooted by the agent, and back Ready, schedulable and done
 * on a new boot. Returns the node on that boot and a report of the times.
 */
async function updateRound(
  context: UpdateScenarioContext,
  offered: Release,
  options: RoundOptions,
): Promise<{ node: V1Node; report: string }> {
  const { cluster: lab, waitInCluster } = context;
  const core = lab.kubeConfig.makeApiClient(CoreV1Api);
  const annotation = (node: V1Node, key: string) => node.metadata?.annotations?.[key];
  const before = await readUpdated(core);
  const bootId = before.status?.nodeInfo?.bootID;
  const backOn = options.comesBackOn ?? offered.version;
  // The operator's grant, as the polls below see it: the operator removes it once the reboot is done, which may come
  // before the last poll (the drain and the reboot between take minutes, so some poll sees it).
  let grantedAt: string | undefined;
  const read = async (): Promise<V1Node> => {
    const found = await readUpdated(core);
    grantedAt = annotation(found, ANNOTATIONS.rebootGrantedAt) ?? grantedAt;
    return found;
  };
  lab.updateServer.setCatalog(aCatalog({ release: offered, track: CANARY_GROUP }));
  const offeredAt = context.seconds();
  await askForCheck(context);

  // The agent's report of what update_engine staged: the node needs a reboot into that version.
  await waitInCluster(
    `${UPDATED.name}'s agent to report ${offered.version} staged`,
    async () => {
      const node = await read();
      const staged =
        annotation(node, ANNOTATIONS.newVersion) === offered.version &&
        annotation(node, ANNOTATIONS.rebootNeeded) === 'true';
      // The grant and the reboot may follow the report faster than this poll.
      return staged ||
        annotation(node, ANNOTATIONS.rebootInProgress) === 'true' ||
        node.status?.nodeInfo?.bootID !== bootId
        ? node
        : undefined;
    },
    options.stagedWithinMs,
  );
  const stagedAt = context.seconds();
  const node = await waitInCluster(
    `${UPDATED.name} rebooted by its agent and Ready on ${backOn}`,
    async () => {
      const found = await read();
      const ready = found.status?.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True';
      const done =
        found.status?.nodeInfo?.bootID !== bootId &&
        ready &&
        found.metadata?.labels?.[LABELS.version] === backOn &&
        annotation(found, ANNOTATIONS.rebootInProgress) === 'false' &&
        found.spec?.unschedulable !== true;
      return done ? found : undefined;
    },
    25 * 60_000,
  );
  const readyAt = context.seconds();
  const granted = Date.parse(grantedAt ?? '');
  assert.ok(Number.isFinite(granted), `the operator's grant on ${UPDATED.name}, seen while it rebooted`);
  const grantToReady = (Date.now() - granted) / 1000;
  assert.equal(node.status?.nodeInfo?.machineID, before.status?.nodeInfo?.machineID, 'the same machine');
  const report =
    `offered ${offeredAt} s, staged ${stagedAt} s, Ready on ${backOn} ${readyAt} s ` +
    `(${grantToReady.toFixed(0)} s from the operator's grant)`;
  return { node, report };
}

/** `kubectl port-forward` to a free local port; resolves once kubectl says it forwards. */
async function portForward(
  kubectl: string,
  kubeconfig: readonly string[],
  pod: string,
  port: number,
): Promise<{ port: number; stop: () => void }> {
  const child = spawn(kubectl, [...kubeconfig, 'port-forward', `pod/${pod}`, `:${port}`, '--address', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output += chunk.toString('utf8'));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  try {
    const local = await waitFor(
      'kubectl port-forward to listen',
      () => {
        if (child.exitCode !== null) throw new Error(`kubectl port-forward exited ${child.exitCode}: ${output}`);
        return /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(output)?.[1];
      },
      { timeoutMs: KUBECTL_TIMEOUT_MS, intervalMs: 100 },
    );
    return { port: Number(local), stop: () => child.kill('SIGTERM') };
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
}
