// What a person types or pastes reaches the model only through here: terminal
// escape sequences (colours, cursor moves, OSC titles) and control characters
// are dropped, so that a paste can never move the cursor, recolour the screen
// or hide text in the file the wizard writes.

// CSI (ESC [ … final byte), OSC (ESC ] … BEL or ESC \), and other two-byte escapes.
const ESCAPE_SEQUENCES =
  // eslint-disable-next-line no-control-regex
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?|\x9b[0-?]*[ -/]*[@-~]/g;
// C0 controls but tab and newline, DEL, and the C1 range.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** Text for a one-line field: escapes and controls removed, tabs and line breaks as single spaces. */
export function cleanLine(text: string): string {
  return text
    .replace(ESCAPE_SEQUENCES, '')
    .replace(/\r\n?|\n|\t/g, ' ')
    .replace(CONTROLS, '');
}

/** Text for a list field (one entry a line): escapes and controls removed, line breaks kept as "\n". */
export function cleanLines(text: string): string {
  return text.replace(ESCAPE_SEQUENCES, '').replace(/\r\n?/g, '\n').replace(/\t/g, ' ').replace(CONTROLS, '');
}
