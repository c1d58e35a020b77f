import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { waitFor } from '@strata/host';
import { InstallEvents } from '../../install/events.ts';
import { Confirmations } from './confirmations.ts';
import { change } from './event-fixtures.ts';
import { InstallStateStore } from './install-state.ts';
import { LiveInstall } from './live-install.tsx';

/** Waits until the last frame matches `pattern` (Ink redraws a tick or more after a change). */
function frameMatching(frame: () => string, pattern: RegExp): Promise<string> {
  return waitFor(`a frame matching ${pattern}`, () => (pattern.test(frame()) ? frame() : undefined), 5_000);
}

function mount(events: InstallEvents, confirmations = new Confirmations()) {
  const store = new InstallStateStore(events);
  const app = render(<LiveInstall store={store} confirmations={confirmations} color={false} />);
  return {
    ...app,
    frame: () => app.lastFrame() ?? '',
    close: () => {
      app.unmount();
      store.close();
    },
  };
}

describe('LiveInstall', () => {
  it('keeps the events emitted before the view mounted', async () => {
    const events = new InstallEvents();
    const store = new InstallStateStore(events);
    events.emit({ type: 'phase-started', phase: 'preflight', timeoutMs: 1000 });
    events.emit({ type: 'phase-succeeded', phase: 'preflight', durationMs: 42 });
    const app = render(<LiveInstall store={store} confirmations={new Confirmations()} color={false} />);
    try {
      await frameMatching(() => app.lastFrame() ?? '', /✔ preflight\s+done in 42ms/);
    } finally {
      app.unmount();
      store.close();
    }
  });

  it('redraws as the engine emits', async () => {
    const events = new InstallEvents();
    const app = mount(events);
    try {
      await frameMatching(app.frame, /○ render\s+waiting/);
      events.emit({ type: 'phase-started', phase: 'render', timeoutMs: 1000 });
      await frameMatching(app.frame, /render\s+running/);
      events.emit({ type: 'phase-skipped', phase: 'provision', reason: 'nothing changed' });
      events.emit({ type: 'phase-succeeded', phase: 'render', durationMs: 1500 });
      const frame = await frameMatching(app.frame, /✔ render\s+done in 1\.5s/);
      assert.match(frame, /↷ provision\s+skipped: nothing changed/);
    } finally {
      app.close();
    }
  });

  for (const [key, expected] of [
    ['y', true],
    ['n', false],
    ['\r', false],
  ] as const) {
    it(`asks in the view before it changes an installed cluster, and ${JSON.stringify(key)} answers ${expected}`, async () => {
      const confirmations = new Confirmations();
      const app = mount(new InstallEvents(), confirmations);
      try {
        let answered: boolean | undefined;
        void confirmations.ask([change('etcd-0', 'replace', ['image'])]).then((yes) => (answered = yes));
        const frame = await frameMatching(app.frame, /Apply these changes\? \[y\/N\]/);
        assert.match(frame, /replace local:Process etcd-0 \(changes: image\)/);
        // Ink attaches its input handler just after the prompt is drawn: the key is typed again until it is heard.
        const answer = await waitFor('the answer', () => {
          if (answered === undefined) app.stdin.write(key);
          return answered;
        });
        assert.equal(answer, expected);
        // The prompt goes with the answer: the next frame is watched for it to be gone.
        await frameMatching(app.frame, /^(?![\s\S]*Apply these changes)/);
      } finally {
        app.close();
      }
    });
  }
});
