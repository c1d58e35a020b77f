// Editing a field's text at a cursor, without Ink: the one place where
// typing, pasting, Backspace, Delete and the cursor keys change a value, for
// one-line fields and the machines list alike.

/** A value and where the cursor stands in it: 0 before the first character, `value.length` after the last. */
export interface Edit {
  readonly value: string;
  readonly cursor: number;
}

export type CursorMove = 'left' | 'right' | 'home' | 'end';

/** The cursor kept inside the value; no cursor yet means the end, where typing starts. */
export function cursorIn(value: string, cursor: number | undefined): number {
  return cursor === undefined ? value.length : Math.max(0, Math.min(cursor, value.length));
}

export function insertAt(edit: Edit, text: string): Edit {
  return {
    value: edit.value.slice(0, edit.cursor) + text + edit.value.slice(edit.cursor),
    cursor: edit.cursor + text.length,
  };
}

/** Backspace: the character before the cursor. */
export function deleteBefore(edit: Edit): Edit {
  if (edit.cursor === 0) return edit;
  return { value: edit.value.slice(0, edit.cursor - 1) + edit.value.slice(edit.cursor), cursor: edit.cursor - 1 };
}

/** Delete: the character under the cursor. */
export function deleteAfter(edit: Edit): Edit {
  return { value: edit.value.slice(0, edit.cursor) + edit.value.slice(edit.cursor + 1), cursor: edit.cursor };
}

/** Home and End go to the start and end of the cursor's line: in the machines list, of the machine being edited. */
export function moveCursor(edit: Edit, move: CursorMove): number {
  switch (move) {
    case 'left':
      return Math.max(0, edit.cursor - 1);
    case 'right':
      return Math.min(edit.value.length, edit.cursor + 1);
    case 'home':
      return edit.value.lastIndexOf('\n', edit.cursor - 1) + 1;
    case 'end': {
      const end = edit.value.indexOf('\n', edit.cursor);
      return end === -1 ? edit.value.length : end;
    }
  }
}

/** The part of a one-line value that fits `width` columns, always with the cursor in it. */
export function visibleWindow(value: string, cursor: number, width: number): { text: string; cursor: number } {
  // One column more than the text: the cursor after the last character.
  if (value.length < width) return { text: value, cursor };
  const start = Math.max(0, Math.min(cursor - width + 1, value.length - width + 1));
  return { text: value.slice(start, start + width), cursor: cursor - start };
}
