import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { colorWanted } from './start-live-view.tsx';

describe('colorWanted', () => {
  it('turns colour off when NO_COLOR is set to anything but the empty string', () => {
    assert.equal(colorWanted({}), true);
    assert.equal(colorWanted({ NO_COLOR: '' }), true);
    assert.equal(colorWanted({ NO_COLOR: '1' }), false);
    assert.equal(colorWanted({ NO_COLOR: 'false' }), false);
  });
});
