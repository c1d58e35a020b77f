// The wizard's state and every way it changes, without Ink: the screens feed
// it actions made from keys and pastes, and draw what it holds.
import {
  defaultZones,
  identityOf,
  initialAnswers,
  withPlatform,
  type Answers,
  type FieldId,
  type OfferedKey,
} from './answers.ts';
import { SCREENS, visibleFields, type Field, type LinesField, type Screen, type TextField } from './fields.ts';
import { cleanLine, cleanLines } from './sanitize.ts';
import { cursorIn, deleteAfter, deleteBefore, insertAt, moveCursor, type CursorMove, type Edit } from './text-edit.ts';
import { validateAnswers, type FieldProblem, type Validation } from './validate.ts';
import { PLATFORMS } from '@strata/assets';

export interface WizardEnvironment {
  /** The public keys found in ~/.ssh/*.pub. */
  readonly offered: readonly OfferedKey[];
  /** This machine's networks for the overlap check; default: its interfaces. */
  readonly hostNetworks?: readonly string[];
  /** The private keys found in ~/.ssh/id_* (their paths only), offered as the bare-metal SSH identity. */
  readonly identities?: readonly string[];
  /** Why the existing cluster.yaml could not start the wizard (it does not parse), in --config's words. */
  readonly existingProblem?: string;
  /** The IANA time zone offered for reboot windows. */
  readonly timeZone?: string;
  /** Answers given already (flags of the command line). */
  readonly preset?: Partial<Answers>;
}

export type Outcome = 'install' | 'write' | 'quit';

export interface WizardState {
  readonly env: WizardEnvironment;
  readonly screen: number;
  readonly focus: number;
  readonly answers: Answers;
  readonly validation: Validation;
  /** Fields the person has changed: their problems show as they type. */
  readonly touched: readonly FieldId[];
  /** Fields the person tried to leave the screen with, problems and all: every problem shows. */
  readonly tried: readonly string[];
  readonly help: boolean;
  readonly quitting: boolean;
  /** A message about the last input (a private key refused). */
  readonly notice?: string;
  readonly scroll: number;
  /** Where the cursor stands in the focused text field; none yet means its end. */
  readonly cursor?: number;
  /** The marked choice of the focused multi-select (the zones), which Space chooses or drops. */
  readonly pick: number;
  readonly outcome?: Outcome;
}

export type WizardAction =
  | { readonly type: 'input'; readonly text: string }
  | { readonly type: 'paste'; readonly text: string }
  | { readonly type: 'backspace' }
  /** Forward delete: the character under the cursor. */
  | { readonly type: 'delete' }
  /** ←/→ move the cursor of a text field, or the choice of a list; Home/End (Ctrl-A/Ctrl-E) only the cursor. */
  | { readonly type: 'cursor'; readonly to: CursorMove }
  | { readonly type: 'clear' }
  | { readonly type: 'tab'; readonly backwards: boolean }
  | { readonly type: 'enter' }
  | { readonly type: 'back' }
  | { readonly type: 'move'; readonly delta: number }
  | { readonly type: 'interrupt' };

export const PRIVATE_KEY_NOTICE =
  'That was a private key (a PEM block): it was discarded, not kept or shown. Paste the public key, the line of the .pub file.';

export function initialState(env: WizardEnvironment): WizardState {
  const answers = { ...initialAnswers(env.offered, env.timeZone, env.identities), ...env.preset };
  return {
    env,
    screen: 0,
    focus: 0,
    answers,
    validation: validateAnswers(answers, env.hostNetworks),
    touched: [],
    tried: [],
    help: false,
    quitting: false,
    scroll: 0,
    pick: 0,
  };
}

export function currentScreen(state: WizardState): Screen {
  return SCREENS[state.screen] ?? SCREENS[0]!;
}

export function currentFields(state: WizardState): Field[] {
  return visibleFields(currentScreen(state), state.answers);
}

export function focusedField(state: WizardState): Field | undefined {
  const fields = currentFields(state);
  return fields[Math.min(state.focus, fields.length - 1)];
}

/** The problems the field shows now: once it was touched, tried, or holds a value (a default that clashes). */
export function shownProblems(state: WizardState, field: Field): readonly FieldProblem[] {
  const problems = state.validation.byField.get(field.id) ?? [];
  const shown =
    state.touched.includes(field.id) ||
    state.tried.includes(currentScreen(state).id) ||
    state.answers[field.id].trim() !== '';
  return shown ? problems : [];
}

function withAnswers(state: WizardState, answers: Answers, touched: FieldId): WizardState {
  return {
    ...state,
    answers,
    validation: validateAnswers(answers, state.env.hostNetworks),
    touched: state.touched.includes(touched) ? state.touched : [...state.touched, touched],
    notice: undefined,
  };
}

function setText(state: WizardState, field: Field, value: string, cursor?: number): WizardState {
  // A PEM header starts every private key (OpenSSH's included) and no OpenSSH public key: refused at its first
  // line, before any key material is typed or shown.
  if (field.id === 'sshKey' && /-----BEGIN|PRIVATE KEY/.test(value)) {
    // Never kept, so it can be neither shown nor written.
    return { ...withAnswers(state, { ...state.answers, sshKey: '' }, 'sshKey'), notice: PRIVATE_KEY_NOTICE };
  }
  return { ...withAnswers(state, { ...state.answers, [field.id]: value }, field.id), cursor };
}

/** The focused field's value and cursor. */
function editOf(state: WizardState, field: Field): Edit {
  const value = state.answers[field.id];
  return { value, cursor: cursorIn(value, state.cursor) };
}

function edited(state: WizardState, field: Field, edit: Edit): WizardState {
  return setText(state, field, edit.value, edit.cursor);
}

/** Focus on another field or screen: its cursor starts at the end, its marked choice at the first. */
function refocus(state: WizardState, changes: Partial<WizardState>): WizardState {
  return { ...state, help: false, ...changes, cursor: undefined, pick: 0 };
}

function choose(state: WizardState, field: Field, delta: number): WizardState {
  if (field.kind !== 'choice') return state;
  const choices = field.choices(state.answers, state.env.offered, state.env.identities ?? []);
  if (choices.length === 0) return state;
  const at = choices.findIndex((choice) => choice.value === state.answers[field.id]);
  const next = choices[(((at === -1 ? 0 : at + delta) % choices.length) + choices.length) % choices.length];
  if (next === undefined) return state;
  let answers: Answers = { ...state.answers, [field.id]: next.value };
  const platform = PLATFORMS.find((name) => name === next.value);
  if (field.id === 'platform' && platform !== undefined) answers = withPlatform(state.answers, platform);
  if (field.id === 'region') answers = { ...answers, zones: defaultZones(answers.platform, next.value) };
  if (field.id === 'sshKeySource') {
    answers = { ...answers, sshKey: state.env.offered.find((key) => key.path === next.value)?.line ?? '' };
    // The identity follows the public key to its private half, unless the person chose one.
    const identity = identityOf(next.value, state.env.identities ?? []);
    if (identity !== undefined && !state.touched.includes('sshIdentitySource'))
      answers = { ...answers, sshIdentitySource: identity };
  }
  if (field.id === 'platform' && answers.platform !== 'local' && answers.sshKeySource === 'none')
    answers = { ...answers, sshKeySource: 'paste' };
  return withAnswers(state, answers, field.id);
}

/** Space on a multi-select: the marked choice is chosen or dropped; the answer keeps the list's order. */
function toggle(state: WizardState, field: Field): WizardState {
  if (field.kind !== 'multi') return state;
  const choices = field.choices(state.answers);
  const marked = choices[Math.min(state.pick, choices.length - 1)];
  if (marked === undefined) return state;
  const chosen = new Set(state.answers[field.id].split(',').filter((value) => value !== ''));
  if (chosen.has(marked.value)) chosen.delete(marked.value);
  else chosen.add(marked.value);
  const value = choices
    .filter((choice) => chosen.has(choice.value))
    .map((choice) => choice.value)
    .join(',');
  return { ...withAnswers(state, { ...state.answers, [field.id]: value }, field.id), pick: state.pick };
}

function mark(state: WizardState, field: Field, delta: number): WizardState {
  if (field.kind !== 'multi') return state;
  const count = field.choices(state.answers).length;
  return count === 0 ? state : { ...state, pick: (((state.pick + delta) % count) + count) % count };
}

function screenProblems(state: WizardState): number {
  return currentFields(state).reduce((sum, field) => sum + (state.validation.byField.get(field.id)?.length ?? 0), 0);
}

function nextScreen(state: WizardState): WizardState {
  if (screenProblems(state) > 0) return { ...state, tried: [...state.tried, currentScreen(state).id] };
  return refocus(state, { screen: state.screen + 1, focus: 0, notice: undefined, scroll: 0 });
}

function enter(state: WizardState): WizardState {
  if (currentScreen(state).id === 'review') {
    const ok = state.validation.config !== undefined;
    return ok ? { ...state, outcome: 'install' } : { ...state, tried: [...state.tried, 'review'] };
  }
  const fields = currentFields(state);
  const field = focusedField(state);
  if (field?.kind === 'lines') {
    const edit = editOf(state, field);
    const start = moveCursor(edit, 'home');
    const end = moveCursor(edit, 'end');
    // Enter on a machine starts the next one below it (wherever the cursor is in the line: a machine is never split);
    // Enter on an empty line drops it and leaves the list.
    if (end > start) return edited(state, field, insertAt({ ...edit, cursor: end }, '\n'));
    if (edit.value !== '')
      state = setText(state, field, edit.value.slice(0, Math.max(0, start - 1)) + edit.value.slice(end));
  }
  if (state.focus < fields.length - 1) return refocus(state, { focus: state.focus + 1 });
  return nextScreen(state);
}

function typed(state: WizardState, text: string): WizardState {
  const field = focusedField(state);
  if (currentScreen(state).id === 'review') {
    if (text === 'w') return state.validation.config === undefined ? state : { ...state, outcome: 'write' };
    return state;
  }
  if (field === undefined || field.kind === 'choice') return state;
  if (field.kind === 'multi') return text.includes(' ') ? toggle(state, field) : state;
  const clean = field.kind === 'lines' ? cleanLines(text) : cleanLine(text);
  return clean === '' ? state : edited(state, field, insertAt(editOf(state, field), clean));
}

const isText = (field: Field | undefined): field is TextField | LinesField =>
  field?.kind === 'text' || field?.kind === 'lines';

function cursor(state: WizardState, field: Field | undefined, to: CursorMove): WizardState {
  if (isText(field)) return { ...state, cursor: moveCursor(editOf(state, field), to) };
  const delta = to === 'left' ? -1 : to === 'right' ? 1 : 0;
  if (delta === 0 || field === undefined) return state;
  return field.kind === 'multi' ? mark(state, field, delta) : choose(state, field, delta);
}

export function reduceWizard(state: WizardState, action: WizardAction): WizardState {
  if (state.outcome !== undefined) return state;
  if (state.quitting) {
    if (action.type === 'interrupt') return { ...state, outcome: 'quit' };
    if (action.type === 'input' && /^y$/i.test(action.text)) return { ...state, outcome: 'quit' };
    if (action.type === 'input' || action.type === 'back' || action.type === 'enter')
      return { ...state, quitting: false };
    return state;
  }
  const field = focusedField(state);
  switch (action.type) {
    case 'interrupt':
      return { ...state, quitting: true };
    case 'input':
      if (action.text === '?') return { ...state, help: !state.help };
      return typed(state, action.text);
    case 'paste':
      return typed(state, action.text);
    case 'backspace':
      return isText(field) ? edited(state, field, deleteBefore(editOf(state, field))) : state;
    case 'delete':
      return isText(field) ? edited(state, field, deleteAfter(editOf(state, field))) : state;
    case 'cursor':
      return currentScreen(state).id === 'review' ? state : cursor(state, field, action.to);
    case 'clear':
      return isText(field) ? setText(state, field, '') : state;
    case 'tab': {
      const count = currentFields(state).length;
      if (count === 0) return state;
      const focus = (Math.min(state.focus, count - 1) + (action.backwards ? count - 1 : 1)) % count;
      return refocus(state, { focus });
    }
    case 'enter':
      return enter(state);
    case 'back':
      return state.screen === 0
        ? state
        : refocus(state, { screen: state.screen - 1, focus: 0, notice: undefined, scroll: 0 });
    case 'move':
      if (currentScreen(state).id === 'review') return { ...state, scroll: Math.max(0, state.scroll + action.delta) };
      if (field?.kind === 'multi') return mark(state, field, action.delta);
      return field === undefined ? state : choose(state, field, action.delta);
  }
}
