import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CoreV1Api, EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { sharedControlPlane, uniqueName } from '@strata/harness';
import { isNotFound, KubernetesApiError } from './api-errors.ts';
import { CLUSTER_EVENT_NAMESPACE, EventRecorder, MAX_EVENT_NOTE_BYTES, nodeEventObject } from './event-recorder.ts';

const REPORTER = { reportingController: 'strata.dev/event-recorder-test', reportingInstance: 'test-1' };

describe('EventRecorder against a real API server', () => {
  let kubeConfig: KubeConfig;
  let events: EventsV1Api;
  let core: CoreV1Api;

  before(async () => {
    kubeConfig = (await sharedControlPlane()).adminKubeConfig();
    events = kubeConfig.makeApiClient(EventsV1Api);
    core = kubeConfig.makeApiClient(CoreV1Api);
  });

  it('records an Event on a namespaced object that reads back with its regarding object, reason, note and type', async () => {
    const namespace = uniqueName('events');
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    try {
      const configMap = await core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name: 'settings' }, data: { a: '1' } },
      });
      const uid = configMap.metadata?.uid ?? '';
      const recorder = new EventRecorder(kubeConfig, REPORTER);
      const name = await recorder.record({
        regarding: { apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'settings', uid },
        related: nodeEventObject('worker-1'),
        type: 'Warning',
        reason: 'SettingsRefused',
        action: 'Validate',
        note: 'key a must be a word',
      });

      const read = await events.readNamespacedEvent({ namespace, name });
      assert.deepEqual(
        {
          regarding: { ...read.regarding },
          related: { ...read.related },
          reason: read.reason,
          note: read.note,
          type: read.type,
          action: read.action,
        },
        {
          regarding: { apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'settings', uid },
          related: { apiVersion: 'v1', kind: 'Node', name: 'worker-1', uid: 'worker-1' },
          reason: 'SettingsRefused',
          note: 'key a must be a word',
          type: 'Warning',
          action: 'Validate',
        },
      );
      assert.equal(read.reportingController, REPORTER.reportingController);
      assert.equal(read.reportingInstance, REPORTER.reportingInstance);
      // The client declares a MicroTime but hands over the wire's string: read it either way.
      const eventTime = Date.parse(String(read.eventTime));
      assert.ok(Math.abs(eventTime - Date.now()) < 60_000, `eventTime ${String(read.eventTime)}`);

      // The same object as core/v1 shows it, by the field selector `kubectl describe` uses.
      const { items } = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.uid=${uid}` });
      assert.deepEqual(
        items.map((event) => [
          event.metadata.name,
          event.involvedObject.name,
          event.reason,
          event.message,
          event.type,
          event.reportingComponent,
        ]),
        [[name, 'settings', 'SettingsRefused', 'key a must be a word', 'Warning', REPORTER.reportingController]],
      );
    } finally {
      await core.deleteNamespace({ name: namespace });
    }
  });

  it('puts the Events of a cluster-scoped object in the default namespace, found by regarding.name', async () => {
    const node = uniqueName('node');
    const recorder = new EventRecorder(kubeConfig, REPORTER);
    const name = await recorder.record({
      regarding: nodeEventObject(node),
      type: 'Normal',
      reason: 'RebootStarted',
      action: 'Reboot',
      note: 'Rebooting into 4230.2.4',
    });
    try {
      const { items } = await events.listNamespacedEvent({
        namespace: CLUSTER_EVENT_NAMESPACE,
        fieldSelector: `regarding.name=${node}`,
      });
      assert.deepEqual(
        items.map((event) => [
          event.metadata?.name,
          event.regarding?.kind,
          event.regarding?.uid,
          event.reason,
          event.note,
          event.type,
        ]),
        [[name, 'Node', node, 'RebootStarted', 'Rebooting into 4230.2.4', 'Normal']],
      );
    } finally {
      await events.deleteNamespacedEvent({ namespace: CLUSTER_EVENT_NAMESPACE, name });
    }
    await assert.rejects(events.readNamespacedEvent({ namespace: CLUSTER_EVENT_NAMESPACE, name }), isNotFound);
  });

  it('cuts a long note to what the API server accepts, at a character boundary', async () => {
    const node = uniqueName('node');
    const recorder = new EventRecorder(kubeConfig, REPORTER);
    const name = await recorder.record({
      regarding: nodeEventObject(node),
      type: 'Normal',
      reason: 'Long',
      action: 'Test',
      note: 'é'.repeat(MAX_EVENT_NOTE_BYTES),
    });
    try {
      const note = (await events.readNamespacedEvent({ namespace: CLUSTER_EVENT_NAMESPACE, name })).note ?? '';
      assert.ok(Buffer.byteLength(note) <= MAX_EVENT_NOTE_BYTES, `${Buffer.byteLength(note)} bytes`);
      assert.match(note, /^é+\.\.\.$/u);
    } finally {
      await events.deleteNamespacedEvent({ namespace: CLUSTER_EVENT_NAMESPACE, name });
    }
  });

  it("rejects a refused Event with a KubernetesApiError naming the call and the server's answer", async () => {
    const recorder = new EventRecorder(kubeConfig, { ...REPORTER, reportingController: 'not a qualified name!' });
    await assert.rejects(
      recorder.record({
        regarding: nodeEventObject(uniqueName('node')),
        type: 'Normal',
        reason: 'Refused',
        action: 'Test',
        note: 'never stored',
      }),
      (error: unknown) => {
        assert.ok(error instanceof KubernetesApiError, String(error));
        assert.equal(error.status, 422);
        assert.equal(error.reason, 'Invalid');
        assert.equal(error.context['verb'], 'create');
        assert.equal(error.context['resource'], 'events.events.k8s.io');
        assert.match(error.message, /reportingController/);
        return true;
      },
    );
  });
});
