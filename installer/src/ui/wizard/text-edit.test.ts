import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cursorIn, deleteAfter, deleteBefore, insertAt, moveCursor, visibleWindow } from './text-edit.ts';

describe('editing at a cursor', () => {
  it('starts at the end and stays inside the value', () => {
    assert.equal(cursorIn('demo', undefined), 4);
    assert.equal(cursorIn('demo', 9), 4);
    assert.equal(cursorIn('demo', -2), 0);
  });

  it('inserts, deletes before and under the cursor, and leaves the ends alone', () => {
    assert.deepEqual(insertAt({ value: 'dmo', cursor: 1 }, 'e'), { value: 'demo', cursor: 2 });
    assert.deepEqual(deleteBefore({ value: 'deemo', cursor: 2 }), { value: 'demo', cursor: 1 });
    assert.deepEqual(deleteBefore({ value: 'demo', cursor: 0 }), { value: 'demo', cursor: 0 });
    assert.deepEqual(deleteAfter({ value: 'dxemo', cursor: 1 }), { value: 'demo', cursor: 1 });
    assert.deepEqual(deleteAfter({ value: 'demo', cursor: 4 }), { value: 'demo', cursor: 4 });
  });

  it('moves by a character, and Home/End to the ends of the cursor’s line', () => {
    const edit = { value: 'ctl0 aa controller\nwrk0 bb worker', cursor: 24 };
    assert.equal(moveCursor(edit, 'left'), 23);
    assert.equal(moveCursor(edit, 'right'), 25);
    assert.equal(moveCursor(edit, 'home'), 19);
    assert.equal(moveCursor(edit, 'end'), edit.value.length);
    assert.equal(moveCursor({ ...edit, cursor: 3 }, 'end'), 18);
    assert.equal(moveCursor({ ...edit, cursor: 0 }, 'left'), 0);
    assert.equal(moveCursor({ ...edit, cursor: edit.value.length }, 'right'), edit.value.length);
  });

  it('shows the part of a long value around the cursor', () => {
    const value = 'abcdefghij';
    assert.deepEqual(visibleWindow(value, 10, 20), { text: value, cursor: 10 });
    assert.deepEqual(visibleWindow(value, 10, 4), { text: 'hij', cursor: 3 });
    assert.deepEqual(visibleWindow(value, 0, 4), { text: 'abcd', cursor: 0 });
    assert.deepEqual(visibleWindow(value, 5, 4), { text: 'cdef', cursor: 3 });
  });
});
