import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InstallEvents, installEventSchema, type InstallEvent } from './events.ts';
import { jsonOutput } from './output/json.ts';
import { plainLines } from './output/plain.ts';

describe('the install events', () => {
  it('--json writes each event as one JSON object per line, valid against the schema', () => {
    const events = new InstallEvents();
    const lines: string[] = [];
    jsonOutput(events, (text) => lines.push(text));
    events.emit({ type: 'phase-started', phase: 'render', timeoutMs: 300_000 });
    events.emit({ type: 'phase-progress', phase: 'render', message: 'rendering', done: 1, total: 3 });
    events.emit({
      type: 'resource-progress',
      phase: 'provision',
      urn: 'urn:pulumi:demo::strata::pulumi-nodejs:dynamic/strata-local:Cluster::cluster',
      resourceType: 'pulumi-nodejs:dynamic/strata-local:Cluster',
      name: 'cluster',
      op: 'create',
      status: 'failed',
      elapsedMs: 1200,
      message: 'strata up exited',
      done: 1,
      total: 1,
    });
    events.emit({ type: 'phase-succeeded', phase: 'render', durationMs: 812 });
    assert.equal(lines.length, 4);
    for (const line of lines) {
      assert.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'), 'one line per event');
      installEventSchema.parse(JSON.parse(line));
    }
    const parsed = JSON.parse(lines[2] ?? '') as InstallEvent;
    assert.equal(parsed.type, 'resource-progress');
    assert.equal(parsed.type === 'resource-progress' && parsed.message, 'strata up exited');
  });

  it('refuses an event that does not fit its schema', () => {
    const events = new InstallEvents();
    assert.throws(() => events.emit({ type: 'phase-started', phase: 'render', timeoutMs: -1 }));
  });

  it('an async iterator sees every event until end()', async () => {
    const events = new InstallEvents();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const event of events) seen.push(`${event.type} ${'phase' in event ? event.phase : ''}`);
    })();
    events.emit({ type: 'phase-started', phase: 'preflight', timeoutMs: 1000 });
    events.emit({ type: 'phase-succeeded', phase: 'preflight', durationMs: 5 });
    events.end();
    await reading;
    assert.deepEqual(seen, ['phase-started preflight', 'phase-succeeded preflight']);
  });

  it('the plain output shows a failure with its diagnosis and next step', () => {
    const lines = plainLines(
      installEventSchema.parse({
        type: 'phase-failed',
        at: new Date().toISOString(),
        phase: 'wait-api',
        durationMs: 600_000,
        error: 'the wait-api phase did not finish within 10m',
        timedOut: true,
        diagnosis: {
          checks: [{ name: 'tcp', status: 'failed', detail: 'connection refused' }],
          logTail: ['daemon.log: x'],
          nextStep: 'start it',
        },
      }),
    );
    assert.match(lines[0] ?? '', /wait-api TIMED OUT after 10m/);
    assert.ok(lines.some((line) => line.includes('failed  tcp: connection refused')));
    assert.ok(lines.some((line) => line.includes('next step: start it')));
  });
});
