// Keys that reach Ink as one chunk of text: typed fast (or sent by a test's
// terminal), a Tab, Enter or Backspace arrives inside the text instead of as a
// key of its own. They are split into the actions a person meant.
import type { WizardAction } from './model.ts';

const KEY_CHARACTERS: Readonly<Record<string, WizardAction>> = {
  '\t': { type: 'tab', backwards: false },
  '\r': { type: 'enter' },
  '\n': { type: 'enter' },
  '\x7f': { type: 'backspace' },
  '\b': { type: 'backspace' },
};

/** The actions of a chunk of typed text, in order; runs of other text stay one input (and are cleaned there). */
export function actionsOfTyping(text: string): WizardAction[] {
  const actions: WizardAction[] = [];
  let run = '';
  for (const character of text) {
    const key = KEY_CHARACTERS[character];
    if (key === undefined) {
      run += character;
      continue;
    }
    if (run !== '') actions.push({ type: 'input', text: run });
    run = '';
    actions.push(key);
  }
  if (run !== '') actions.push({ type: 'input', text: run });
  return actions;
}
