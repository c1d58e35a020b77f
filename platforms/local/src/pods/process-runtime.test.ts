import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { parseCriLine } from '@strata/host';
import { waitFor } from '@strata/harness';
import type { PodRuntimeStatus } from '../node/pod-runtime.ts';
import { defaultImageMap } from './image-map.ts';
import { PodAddressPool } from './pod-addresses.ts';
import { ProcessPodRuntime, PodRuntimeError } from './process-runtime.ts';
import {
  alive,
  container,
  containerPid,
  pod,
  privateAddressPool,
  processGroupMembers,
  script,
  SHELL,
  SHELL_IMAGE,
  StatusRecorder,
  testImageMap,
  testNode,
  type TestNode,
} from './test-fixtures.ts';

const FAST_BACK_OFF = { baseDelayMs: 100, maxDelayMs: 400, resetAfterMs: 60_000 };

const containerStatus = (status: PodRuntimeStatus | undefined, name = 'main'): V1ContainerStatus | undefined =>
  status?.containerStatuses?.find((candidate) => candidate.name === name);

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

describe('ProcessPodRuntime', () => {
  const addresses = privateAddressPool();
  const runtime = new ProcessPodRuntime({ images: testImageMap(), addresses, restartBackOff: FAST_BACK_OFF });
  let node: TestNode;

  before(async () => {
    node = await testNode();
  });

  after(async () => {
    await runtime.stopAll(0);
    await node.remove();
  });

  async function run(spec: V1Pod, on: ProcessPodRuntime = runtime): Promise<StatusRecorder> {
    const recorder = new StatusRecorder();
    await on.start(spec, node.context, recorder.report);
    return recorder;
  }

  const volumeFile = (spec: V1Pod, volume: string, file: string): string =>
    join(node.context.stateDir, 'pods', spec.metadata?.uid ?? '', 'volumes', volume, file);

  it('handles a pod only when every image, init containers included, has a local command', () => {
    assert.ok(runtime.handles(pod()));
    assert.ok(
      !runtime.handles(pod({ spec: { containers: [container(), container({ name: 'b', image: 'nginx:1.27' })] } })),
    );
    assert.ok(!runtime.handles(pod({ spec: { initContainers: [container({ name: 'init', image: 'busybox' })] } })));
    assert.ok(!runtime.handles(pod({ spec: { containers: [] } })));
  });

  it('refuses to start a pod it does not handle or one without a uid', async () => {
    await assert.rejects(run(pod({ spec: { containers: [container({ image: 'nginx' })] } })), PodRuntimeError);
    await assert.rejects(run(pod({ metadata: { uid: '' } })), /has no uid/);
  });

  it('reports Pending, then Running with the pod IP, start time and container status', async () => {
    const spec = pod();
    const recorder = await run(spec);
    const running = await recorder.until('Running', (status) => status.phase === 'Running' && status.ready);
    assert.equal(recorder.reports[0]?.phase, 'Pending');
    assert.equal(containerStatus(recorder.reports[0])?.state?.waiting?.reason, 'ContainerCreating');
    const uid = spec.metadata?.uid ?? '';
    assert.equal(running.podIP, addresses.addressOf(uid));
    assert.ok(running.startTime instanceof Date);
    const main = containerStatus(running);
    assert.ok(main?.state?.running?.startedAt instanceof Date);
    assert.equal(main.ready, true);
    assert.equal(main.started, true);
    assert.equal(main.restartCount, 0);
    assert.equal(main.image, SHELL_IMAGE);
    assert.equal(main.imageID, 'strata:///bin/sh');
    const pid = containerPid(running);
    assert.ok(alive(pid));

    await runtime.stop(uid, 5);
    assert.ok(!alive(pid));
    assert.equal(addresses.addressOf(uid), undefined, 'the address is released');
    assert.ok(!(await exists(join(node.context.stateDir, 'pods', uid))), 'the volumes are gone');
    assert.deepEqual(runtime.podUids(), []);
  });

  it('gives the process its env, downward API values, $(VAR) expansion and mounts rewritten to the volume', async () => {
    const spec = pod({
      metadata: { name: 'env-pod' },
      spec: {
        volumes: [{ name: 'out', emptyDir: {} }],
        containers: [
          script(
            'echo "$POD_IP $POD_NAME $HOSTNAME $GREETING $STRATA_VOLUME_OUT" > /data/env; echo "$@" > /data/args; sleep 600',
            {
              args: ['ignored-$0', '$(GREETING)', 'at', '/data/x', '$$(GREETING)'],
              env: [
                { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'WHO', value: 'world' },
                { name: 'GREETING', value: 'hello-$(WHO)' },
              ],
              volumeMounts: [{ name: 'out', mountPath: '/data' }],
            },
          ),
        ],
      },
    });
    const recorder = await run(spec);
    const running = await recorder.until('Running', (status) => status.phase === 'Running');
    const dir = volumeFile(spec, 'out', '');
    const env = await waitFor('the env file', () => readFile(join(dir, 'env'), 'utf8').catch(() => undefined));
    assert.equal(env.trim(), `${running.podIP ?? ''} env-pod env-pod hello-world ${dir.replace(/\/$/, '')}`);
    const args = await waitFor('the args file', () => readFile(join(dir, 'args'), 'utf8').catch(() => undefined));
    assert.equal(args.trim(), `hello-world at ${join(dir, 'x')} $(GREETING)`);
    await runtime.stop(spec.metadata?.uid ?? '', 1);
  });

  it('with restartPolicy Never ends Succeeded or Failed with the terminated state', async () => {
    const succeeded = await run(pod({ spec: { restartPolicy: 'Never', containers: [script('exit 0')] } }));
    const done = await succeeded.until('Succeeded', (status) => status.phase === 'Succeeded');
    assert.equal(containerStatus(done)?.state?.terminated?.reason, 'Completed');
    assert.equal(containerStatus(done)?.state?.terminated?.exitCode, 0);

    const failed = await run(pod({ spec: { restartPolicy: 'Never', containers: [script('exit 3')] } }));
    const failure = await failed.until('Failed', (status) => status.phase === 'Failed');
    assert.deepEqual(
      {
        reason: containerStatus(failure)?.state?.terminated?.reason,
        exitCode: containerStatus(failure)?.state?.terminated?.exitCode,
      },
      { reason: 'Error', exitCode: 3 },
    );
    assert.equal(failure.ready, false);
  });

  it("reports what a container wrote to its terminationMessagePath, or its log's end on FallbackToLogsOnError", async () => {
    const written = await run(
      pod({
        spec: {
          restartPolicy: 'Never',
          containers: [script('printf "result: $1" > "$2"', { args: ['sh', '42', '/dev/termination-log'] })],
        },
      }),
    );
    const done = await written.until('Succeeded', (status) => status.phase === 'Succeeded');
    assert.equal(containerStatus(done)?.state?.terminated?.message, 'result: 42');

    const ownPath = await run(
      pod({
        spec: {
          restartPolicy: 'Never',
          containers: [
            script('printf "%s" "$1" > "$2"; exit 5', {
              args: ['sh', 'x'.repeat(5000), '/tmp/my-termination'],
              terminationMessagePath: '/tmp/my-termination',
            }),
          ],
        },
      }),
    );
    const cut = await ownPath.until('Failed', (status) => status.phase === 'Failed');
    assert.equal(containerStatus(cut)?.state?.terminated?.message, 'x'.repeat(4096), 'the kubelet keeps 4096 bytes');

    const fromLogs = await run(
      pod({
        spec: {
          restartPolicy: 'Never',
          containers: [
            script('echo first; echo the reason it failed >&2; exit 2', {
              terminationMessagePolicy: 'FallbackToLogsOnError',
            }),
          ],
        },
      }),
    );
    const failed = await fromLogs.until('Failed', (status) => status.phase === 'Failed');
    assert.equal(containerStatus(failed)?.state?.terminated?.message, 'first\nthe reason it failed\n');

    const silent = await run(
      pod({ spec: { restartPolicy: 'Never', containers: [script('echo only logged; exit 2')] } }),
    );
    const quiet = await silent.until('Failed', (status) => status.phase === 'Failed');
    assert.equal(containerStatus(quiet)?.state?.terminated?.message, undefined, 'File policy: the log is not used');
  });

  it('with restartPolicy Always restarts a crashing container after a back-off, counting restarts', async () => {
    const recorder = await run(pod({ spec: { containers: [script('exit 2')] } }));
    const looping = await recorder.until(
      'CrashLoopBackOff',
      (status) => containerStatus(status)?.state?.waiting?.reason === 'CrashLoopBackOff',
    );
    assert.equal(looping.phase, 'Running');
    assert.equal(containerStatus(looping)?.lastState?.terminated?.exitCode, 2);
    assert.match(
      containerStatus(looping)?.state?.waiting?.message ?? '',
      /back-off 0s restarting failed container=main pod=test-pod_default/,
    );
    await recorder.until('two restarts', (status) => (containerStatus(status)?.restartCount ?? 0) >= 2);
  });

  it('with restartPolicy OnFailure restarts until the container succeeds', async () => {
    const spec = pod({
      spec: {
        restartPolicy: 'OnFailure',
        volumes: [{ name: 'state', emptyDir: {} }],
        containers: [
          script('if [ -e /state/tried ]; then exit 0; fi; touch /state/tried; exit 1', {
            volumeMounts: [{ name: 'state', mountPath: '/state' }],
          }),
        ],
      },
    });
    const recorder = await run(spec);
    const done = await recorder.until('Succeeded', (status) => status.phase === 'Succeeded');
    assert.equal(containerStatus(done)?.restartCount, 1);
    assert.equal(containerStatus(done)?.lastState?.terminated?.exitCode, 1);
  });

  it('runs init containers in order to completion before the containers', async () => {
    const spec = pod({
      spec: {
        volumes: [{ name: 'work', emptyDir: {} }],
        initContainers: [
          script('sleep 0.3; echo first >> /work/log', {
            name: 'first',
            volumeMounts: [{ name: 'work', mountPath: '/work' }],
          }),
          script('echo second >> /work/log', { name: 'second', volumeMounts: [{ name: 'work', mountPath: '/work' }] }),
        ],
        containers: [
          script('echo main >> /work/log; sleep 600', { volumeMounts: [{ name: 'work', mountPath: '/work' }] }),
        ],
      },
    });
    const recorder = await run(spec);
    await recorder.until('Running', (status) => status.phase === 'Running');
    const initializing = recorder.reports.find(
      (status) => containerStatus(status)?.state?.waiting?.reason === 'PodInitializing',
    );
    assert.equal(initializing?.phase, 'Pending');
    const log = await waitFor('three lines', async () => {
      const text = await readFile(volumeFile(spec, 'work', 'log'), 'utf8').catch(() => '');
      return text.split('\n').length > 3 ? text : undefined;
    });
    assert.equal(log, 'first\nsecond\nmain\n');
  });

  it('starts a sidecar (an init container with restartPolicy Always) and goes on once its startup probe passes', async () => {
    const mount = { volumeMounts: [{ name: 'work', mountPath: '/work' }] };
    const spec = pod({
      spec: {
        restartPolicy: 'Never',
        volumes: [{ name: 'work', emptyDir: {} }],
        initContainers: [
          script('sleep 0.5; touch /work/sidecar-up; sleep 600', {
            name: 'sidecar',
            restartPolicy: 'Always',
            startupProbe: { exec: { command: ['sh', '-c', 'test -e /work/sidecar-up'] }, periodSeconds: 1 },
            ...mount,
          }),
          // Under restartPolicy Never this fails the pod unless the sidecar is already up.
          script('test -e /work/sidecar-up', { name: 'needs-sidecar', ...mount }),
        ],
        containers: [script('sleep 600', mount)],
      },
    });
    const recorder = await run(spec);
    const running = await recorder.until(
      'Running or Failed',
      (status) => status.phase === 'Running' || status.phase === 'Failed',
    );
    assert.equal(running.phase, 'Running', running.message);
    await runtime.stop(spec.metadata?.uid ?? '', 1);
  });

  it('fails the pod when an init container fails under restartPolicy Never', async () => {
    const spec = pod({ spec: { restartPolicy: 'Never', initContainers: [script('exit 4', { name: 'init' })] } });
    const recorder = await run(spec);
    const failed = await recorder.until('Failed', (status) => status.phase === 'Failed');
    assert.match(failed.message ?? '', /init container init failed with exit code 4/);
    assert.equal(containerStatus(failed)?.state?.waiting?.reason, 'PodInitializing');
  });

  it('is ready only once its readiness probe passes', async () => {
    const spec = pod({
      spec: {
        volumes: [{ name: 'flags', emptyDir: {} }],
        containers: [
          script('sleep 1.5; touch /flags/ready; sleep 600', {
            volumeMounts: [{ name: 'flags', mountPath: '/flags' }],
            readinessProbe: {
              exec: { command: ['sh', '-c', 'test -e /flags/ready'] },
              periodSeconds: 1,
              failureThreshold: 1,
            },
          }),
        ],
      },
    });
    const recorder = await run(spec);
    const notReady = await recorder.until('Running', (status) => status.phase === 'Running');
    assert.equal(notReady.ready, false);
    assert.equal(containerStatus(notReady)?.ready, false);
    const ready = await recorder.until('ready', (status) => status.ready);
    assert.equal(containerStatus(ready)?.ready, true);
  });

  it('restarts a container whose liveness probe fails', async () => {
    const spec = pod({
      spec: {
        containers: [
          script('sleep 600', {
            livenessProbe: { exec: { command: ['sh', '-c', 'exit 1'] }, periodSeconds: 1, failureThreshold: 1 },
          }),
        ],
      },
    });
    const recorder = await run(spec);
    const restarted = await recorder.until('a restart', (status) => containerStatus(status)?.restartCount === 1);
    assert.match(
      containerStatus(restarted)?.lastState?.terminated?.message ?? '',
      /liveness probe failed: command exited with 1/,
    );
  });

  it('reports a program the image does not have as a StartError', async () => {
    const recorder = await run(
      pod({ spec: { restartPolicy: 'Never', containers: [container({ command: ['bash', '-c', 'true'] })] } }),
    );
    const failed = await recorder.until('Failed', (status) => status.phase === 'Failed');
    const terminated = containerStatus(failed)?.state?.terminated;
    assert.equal(terminated?.reason, 'StartError');
    assert.equal(terminated?.exitCode, 128);
    assert.match(terminated?.message ?? '', /"bash" is not an executable of strata\.test\/shell:1\.0/);
  });

  it('fails an etcd pod whose image tag names an etcd release not built here, with ErrImagePull and the reason', async () => {
    const etcd = new ProcessPodRuntime({
      images: defaultImageMap(new Map([['v3.6.16', { etcd: SHELL, etcdctl: SHELL, etcdutl: SHELL }]])),
      addresses,
    });
    const image = 'registry.k8s.io/etcd:3.4.37-0';
    const spec = pod({ spec: { restartPolicy: 'Never', containers: [container({ image, command: ['etcd'] })] } });
    assert.ok(etcd.handles(spec), 'the pod is taken, not left to the placeholder runtime');
    const recorder = await run(spec, etcd);
    const failed = await recorder.until('Failed', (status) => status.phase === 'Failed');
    const terminated = containerStatus(failed)?.state?.terminated;
    assert.equal(terminated?.reason, 'ErrImagePull');
    assert.match(
      terminated?.message ?? '',
      /registry\.k8s\.io\/etcd:3\.4\.37-0 is etcd v3\.4\.37, which this machine does not run \(it runs v3\.6\.16\)/,
    );
    await etcd.stopAll(0);
  });

  it('leaves a pod with an unsupported volume Pending, saying why', async () => {
    const spec = pod({ spec: { volumes: [{ name: 'host', hostPath: { path: '/etc' } }] } });
    const recorder = await run(spec);
    const pending = await recorder.until('a problem', (status) => status.message !== undefined);
    assert.equal(pending.phase, 'Pending');
    assert.match(pending.message ?? '', /volume host is a hostPath volume; process pods support emptyDir/);
    assert.equal(containerStatus(pending)?.state?.waiting?.reason, 'CreateContainerConfigError');
    await runtime.stop(spec.metadata?.uid ?? '', 0);
  });

  it('stops with SIGTERM, and SIGKILLs the whole process group of a container that ignores it after the grace period', async () => {
    const polite = pod({ spec: { containers: [script('trap "exit 0" TERM; sleep 600 & wait')] } });
    const stubborn = pod({ spec: { containers: [script('trap "" TERM; sleep 600 & wait; sleep 600')] } });
    const politePid = containerPid(await (await run(polite)).until('running', (status) => status.phase === 'Running'));
    const stubbornPid = containerPid(
      await (await run(stubborn)).until('running', (status) => status.phase === 'Running'),
    );
    await waitFor('the stubborn container’s child', () =>
      processGroupMembers(stubbornPid).length === 2 ? true : undefined,
    );

    let started = Date.now();
    await runtime.stop(polite.metadata?.uid ?? '', 5);
    assert.ok(Date.now() - started < 2000, 'a container that honours SIGTERM stops at once');
    // The group got SIGTERM; its background sleep dies of it a moment after the shell has gone.
    await waitFor('the polite container’s background sleep to go with it', () =>
      processGroupMembers(politePid).length === 0 ? true : undefined,
    );

    started = Date.now();
    await runtime.stop(stubborn.metadata?.uid ?? '', 1);
    const took = Date.now() - started;
    assert.ok(took >= 1000 && took < 4000, `SIGKILL came after the 1 s grace period (took ${took} ms)`);
    assert.deepEqual(processGroupMembers(stubbornPid), []);
  });

  it('keeps the logs of a container at <stateDir>/pods/<namespace>_<name>_<uid>/<container>.log, as CRI records', async () => {
    const spec = pod({
      metadata: { name: 'logger' },
      spec: { restartPolicy: 'Never', containers: [script('echo to-stdout; echo to-stderr >&2')] },
    });
    const recorder = await run(spec);
    await recorder.until('Succeeded', (status) => status.phase === 'Succeeded');
    await runtime.stop(spec.metadata?.uid ?? '', 0);
    const log = await readFile(
      join(node.context.stateDir, 'pods', `default_logger_${spec.metadata?.uid ?? ''}`, 'main.log'),
      'utf8',
    );
    const records = log
      .trimEnd()
      .split('\n')
      .map((line) => parseCriLine(Buffer.from(line)));
    assert.deepEqual(
      records.map((record) => `${record?.stream ?? '?'}: ${record?.content.toString() ?? ''}`),
      ['stdout: to-stdout', 'stderr: to-stderr'],
    );
  });

  describe('container logs for the kubelet API', () => {
    const request = { follow: false, previous: false, timestamps: false };

    async function text(answer: ReturnType<ProcessPodRuntime['containerLog']>): Promise<string> {
      assert.equal(answer.kind, 'log', JSON.stringify(answer));
      if (answer.kind !== 'log') return '';
      const chunks: Buffer[] = [];
      for await (const chunk of await answer.read(new AbortController().signal)) chunks.push(chunk);
      return Buffer.concat(chunks).toString('utf8');
    }

    it('gives each run its own log and keeps the one before as the previous log', async () => {
      const spec = pod({
        metadata: { name: 'twice' },
        spec: {
          restartPolicy: 'OnFailure',
          volumes: [{ name: 'state', emptyDir: {} }],
          containers: [
            script(
              'if [ -e /state/tried ]; then echo second run; sleep 600; fi; touch /state/tried; echo first run; exit 1',
              { volumeMounts: [{ name: 'state', mountPath: '/state' }] },
            ),
          ],
        },
      });
      const recorder = await run(spec);
      assert.deepEqual(runtime.containerLog('default', 'twice', 'main', { ...request, previous: true }), {
        kind: 'unavailable',
        message: 'previous terminated container "main" in pod "twice" not found',
      });
      await recorder.until('the second run', (status) => containerStatus(status)?.restartCount === 1 && status.ready);
      await waitFor('the second run to write', async () =>
        (await text(runtime.containerLog('default', 'twice', 'main', request))) === 'second run\n' ? true : undefined,
      );
      assert.equal(
        await text(runtime.containerLog('default', 'twice', 'main', { ...request, previous: true })),
        'first run\n',
      );
      assert.deepEqual(runtime.containerLog('default', 'twice', 'other', request), { kind: 'unknown-container' });
      assert.deepEqual(runtime.containerLog('default', 'nobody', 'main', request), { kind: 'unknown-pod' });
      assert.deepEqual(runtime.containerLog('elsewhere', 'twice', 'main', request), { kind: 'unknown-pod' });
      await runtime.stop(spec.metadata?.uid ?? '', 0);
    });

    it('follows a running container until it ends, with what it wrote last', async () => {
      const spec = pod({
        metadata: { name: 'counter' },
        spec: { restartPolicy: 'Never', containers: [script('for i in 1 2 3; do echo line $i; sleep 0.3; done')] },
      });
      const recorder = await run(spec);
      await recorder.until('Running', (status) => status.phase === 'Running');
      const followed = await text(runtime.containerLog('default', 'counter', 'main', { ...request, follow: true }));
      assert.equal(followed, 'line 1\nline 2\nline 3\n');
      await runtime.stop(spec.metadata?.uid ?? '', 0);
    });
  });

  it('keeps a pod Pending while every address is taken, and starts it once one is free', async () => {
    // These pods bind no ports, so the small range may overlap another test's.
    const small = new ProcessPodRuntime({
      images: testImageMap(),
      addresses: new PodAddressPool('127.0.127.248/30'),
      setupBackOff: { baseDelayMs: 100, maxDelayMs: 200 },
    });
    try {
      const [first, second, third] = [pod(), pod(), pod()];
      await run(first, small);
      await run(second, small);
      const waiting = await run(third, small);
      const pending = await waiting.until('a problem', (status) => status.message !== undefined);
      assert.equal(pending.phase, 'Pending');
      assert.match(pending.message ?? '', /all 2 pod addresses of 127\.0\.127\.248\/30 are in use/);
      await small.stop(first.metadata?.uid ?? '', 0);
      const running = await waiting.until('Running', (status) => status.phase === 'Running');
      assert.equal(running.podIP, '127.0.127.249');
    } finally {
      await small.stopAll(0);
    }
    assert.deepEqual(small.podUids(), []);
  });

  it('stops a pod asked to stop while its container is being created, starting no process', async () => {
    // The container's termination log is written before its process starts: a stop in between once waited forever.
    // Earlier tests leave their pods running: only this test's pods must be gone.
    const uids: string[] = [];
    for (let round = 0; round < 20; round++) {
      const spec = pod();
      uids.push(spec.metadata?.uid ?? '');
      const recorder = await run(spec);
      await runtime.stop(spec.metadata?.uid ?? '', 0);
      assert.ok(
        recorder.reports.every((status) => status.phase !== 'Running'),
        `round ${round}`,
      );
    }
    assert.deepEqual(
      runtime.podUids().filter((uid) => uids.includes(uid)),
      [],
    );
  });

  it('reports nothing more once a pod is being stopped', async () => {
    const spec = pod();
    const recorder = await run(spec);
    await recorder.until('Running', (status) => status.phase === 'Running');
    const count = recorder.reports.length;
    await runtime.stop(spec.metadata?.uid ?? '', 1);
    await sleep(100);
    assert.equal(recorder.reports.length, count);
  });
});
