import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { colorWanted, liveViewWanted, type Terminal } from './start-live-view.tsx';

describe('colorWanted', () => {
  it('turns colour off when NO_COLOR is set to anything but the empty string', () => {
    assert.equal(colorWanted({}), true);
    assert.equal(colorWanted({ NO_COLOR: '' }), true);
    assert.equal(colorWanted({ NO_COLOR: '1' }), false);
    assert.equal(colorWanted({ NO_COLOR: 'false' }), false);
  });
});

describe('liveViewWanted', () => {
  const terminal = (overrides: Partial<Terminal> = {}): Terminal => ({
    json: false,
    stdinIsTty: true,
    stderrIsTty: true,
    inCi: false,
    ...overrides,
  });

  it('draws the live view for a person at a terminal', () => {
    assert.equal(liveViewWanted(terminal()), true);
  });

  it('prints lines for --json, a pipe on either side, or a CI job', () => {
    assert.equal(liveViewWanted(terminal({ json: true })), false);
    assert.equal(liveViewWanted(terminal({ stdinIsTty: false })), false);
    assert.equal(liveViewWanted(terminal({ stderrIsTty: false })), false);
    assert.equal(liveViewWanted(terminal({ inCi: true })), false);
  });
});
