import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actionsOfTyping } from './keys.ts';

describe('keys that arrive inside a chunk of text', () => {
  it('splits Tab, Enter and Backspace out of the text, in order', () => {
    assert.deepEqual(actionsOfTyping('ab\t\tc\x7f\r'), [
      { type: 'input', text: 'ab' },
      { type: 'tab', backwards: false },
      { type: 'tab', backwards: false },
      { type: 'input', text: 'c' },
      { type: 'backspace' },
      { type: 'enter' },
    ]);
  });

  it('keeps plain text as one input', () => {
    assert.deepEqual(actionsOfTyping('demo'), [{ type: 'input', text: 'demo' }]);
  });
});
