import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { waitFor } from '@strata/host';
import type { ClusterStatus } from './cluster-status.ts';
import { LiveStatus, type StatusSource } from './live-status.tsx';
import { aClusterStatus, aNode, NOW } from './status-fixtures.ts';

/** A status that changes when the test says, as the watches change it. */
class ChangingStatus implements StatusSource {
  readonly #listeners = new Set<() => void>();
  #status: ClusterStatus;

  constructor(status: ClusterStatus) {
    this.#status = status;
  }

  get status(): ClusterStatus {
    return this.#status;
  }

  set(status: ClusterStatus): void {
    this.#status = status;
    for (const listener of this.#listeners) listener();
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

function frameMatching(frame: () => string, pattern: RegExp): Promise<string> {
  return waitFor(`a frame matching ${pattern}`, () => (pattern.test(frame()) ? frame() : undefined), 5_000);
}

describe('LiveStatus', () => {
  it('redraws when the status changes, and quits on q', async () => {
    const source = new ChangingStatus(aClusterStatus([aNode({ name: 'dev-worker-0' })]));
    let quits = 0;
    const app = render(
      <LiveStatus
        source={source}
        probeIntervalMs={10_000}
        color={false}
        onQuit={() => (quits += 1)}
        clock={() => NOW}
      />,
    );
    const frame = () => app.lastFrame() ?? '';
    try {
      await frameMatching(frame, /✔ dev-worker-0 +worker +Ready\n/);
      source.set(aClusterStatus([aNode({ name: 'dev-worker-0', cordoned: true })]));
      await frameMatching(frame, /dev-worker-0 +worker +Ready,SchedulingDisabled/);
      assert.equal(quits, 0);
      app.stdin.write('q');
      await waitFor('the quit', () => (quits === 1 ? true : undefined), 5_000);
    } finally {
      app.unmount();
    }
  });
});
