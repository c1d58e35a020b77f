// One field as the screens draw it: a marker and label, the value (or its
// choices), and its problems beside it. State is in symbols and words, so
// that it reads the same without colour.
import { Box, Text } from 'ink';
import { machineLines } from './answers.ts';
import type { Field } from './fields.ts';
import { currentFields as currentFieldsOf, shownProblems, type WizardState } from './model.ts';
import { cursorIn, visibleWindow } from './text-edit.ts';
import type { FieldProblem } from './validate.ts';

export const LABEL_WIDTH = 22;
/** What is left of 80 columns beside the label and the key hint. */
const HORIZONTAL_CHOICES_WIDTH = 48;
/** What is left of 80 columns beside the label for a value and its cursor. */
const TEXT_WIDTH = 56;
const CURSOR = '▏';

export interface FieldViewProps {
  readonly field: Field;
  readonly state: WizardState;
  readonly focused: boolean;
  readonly color: boolean;
}

function Problem({ problem, color, indent }: { problem: FieldProblem; color: boolean; indent: number }) {
  return (
    <Box flexDirection="column" marginLeft={indent}>
      <Text color={color ? 'red' : undefined} wrap="wrap">
        ✗ {problem.text}
      </Text>
      {problem.hint === undefined ? null : (
        <Text dimColor={color} wrap="wrap">
          {'  '}hint: {problem.hint}
        </Text>
      )}
    </Box>
  );
}

function Label({ field, focused, color }: { field: Field; focused: boolean; color: boolean }) {
  return (
    <Box width={LABEL_WIDTH} flexShrink={0}>
      <Text bold={focused} color={focused && color ? 'cyan' : undefined}>
        {focused ? '› ' : '  '}
        {field.label}
      </Text>
    </Box>
  );
}

function ChoiceView({ field, state, focused, color }: FieldViewProps) {
  if (field.kind !== 'choice') return null;
  const choices = field.choices(state.answers, state.env.offered, state.env.identities ?? []);
  const chosen = state.answers[field.id];
  const mark = (value: string): string => (value === chosen ? '◉' : '○');
  if (field.vertical === true) {
    return (
      <Box flexDirection="column">
        <Label field={field} focused={focused} color={color} />
        {choices.map((choice) => (
          <Text key={choice.value} wrap="truncate-end" color={choice.value === chosen && color ? 'green' : undefined}>
            {'    '}
            {mark(choice.value)} {choice.label}
            {choice.note === undefined ? '' : `  ${choice.note}`}
          </Text>
        ))}
      </Box>
    );
  }
  const all = choices.map((choice) => `${mark(choice.value)} ${choice.label}`).join('  ');
  const at = choices.findIndex((choice) => choice.value === chosen);
  // Too many to show side by side: the chosen one and where it is in the list.
  const shown =
    all.length <= HORIZONTAL_CHOICES_WIDTH ? all : `‹ ${choices[at]?.label ?? ''} ›  ${at + 1} of ${choices.length}`;
  return (
    <Box>
      <Label field={field} focused={focused} color={color} />
      <Text wrap="truncate-end">
        {shown}
        {focused ? '  (←/→)' : ''}
      </Text>
    </Box>
  );
}

/** A value with the cursor drawn where it stands: a bar between characters, which reads the same without colour. */
function withCursor(value: string, cursor: number | undefined): string {
  return value.slice(0, cursor) + (cursor === undefined ? '' : CURSOR) + value.slice(cursor ?? value.length);
}

function TextView({ field, state, focused, color }: FieldViewProps) {
  const value = state.answers[field.id];
  const placeholder = field.kind === 'text' || field.kind === 'lines' ? field.placeholder : undefined;
  // A long value (a key, a URL) shows the part around the cursor, which is where the typing is.
  const shown = visibleWindow(value, cursorIn(value, state.cursor), TEXT_WIDTH);
  return (
    <Box>
      <Label field={field} focused={focused} color={color} />
      {value === '' ? (
        <Text dimColor={color} wrap="truncate-end">
          {focused ? CURSOR : ''}
          {placeholder ?? ''}
        </Text>
      ) : (
        <Text wrap="truncate-end">{withCursor(shown.text, focused ? shown.cursor : undefined)}</Text>
      )}
    </Box>
  );
}

/** The zones, one a line: the chosen ones ticked, the one Space acts on marked with ›. */
function MultiView({ field, state, focused, color }: FieldViewProps) {
  if (field.kind !== 'multi') return null;
  const choices = field.choices(state.answers);
  const chosen = new Set(state.answers[field.id].split(','));
  const marked = Math.min(state.pick, choices.length - 1);
  return (
    <Box flexDirection="column">
      <Box>
        <Label field={field} focused={focused} color={color} />
        <Text dimColor={color}>
          {focused ? `↑/↓ mark · Space choose/drop · ${field.noneMeans(state.answers)}` : ''}
        </Text>
      </Box>
      {choices.map((choice, index) => (
        <Text key={choice.value} wrap="truncate-end" color={chosen.has(choice.value) && color ? 'green' : undefined}>
          {focused && index === marked ? '    › ' : '      '}
          {chosen.has(choice.value) ? '[x]' : '[ ]'} {choice.label}
        </Text>
      ))}
    </Box>
  );
}

function LinesView({ field, state, focused, color }: FieldViewProps) {
  const problems = shownProblems(state, field);
  const entries = machineLines(state.answers);
  const value = state.answers[field.id];
  const lines = value.split('\n');
  // The cursor's line and column, from its place in the whole list.
  const before = value.slice(0, cursorIn(value, state.cursor)).split('\n');
  const cursorLine = focused ? before.length - 1 : -1;
  const cursorColumn = before.at(-1)?.length ?? 0;
  return (
    <Box flexDirection="column">
      <Box>
        <Label field={field} focused={focused} color={color} />
        {state.answers[field.id] === '' ? (
          <Text dimColor={color} wrap="truncate-end">
            {focused ? '▏' : ''}
            {field.kind === 'lines' ? field.placeholder : ''}
          </Text>
        ) : null}
      </Box>
      {state.answers[field.id] === ''
        ? null
        : lines.map((line, index) => {
            const own = problems.filter((problem) => problem.line === index);
            const entry = entries.some((machine) => machine.line === index);
            return (
              <Box key={index} flexDirection="column">
                <Text wrap="truncate-end">
                  {'    '}
                  {!entry ? ' ' : own.length > 0 ? '✗' : '✔'}{' '}
                  {withCursor(line, index === cursorLine ? cursorColumn : undefined)}
                </Text>
                {own.map((problem, at) => (
                  <Problem key={at} problem={problem} color={color} indent={6} />
                ))}
              </Box>
            );
          })}
    </Box>
  );
}

export function FieldView(props: FieldViewProps) {
  const { field, state, color } = props;
  // Problems of the list's lines are drawn under their lines; the others under the field.
  const problems = shownProblems(state, field).filter((problem) => problem.line === undefined);
  return (
    <Box flexDirection="column">
      {field.kind === 'choice' ? (
        <ChoiceView {...props} />
      ) : field.kind === 'multi' ? (
        <MultiView {...props} />
      ) : field.kind === 'lines' ? (
        <LinesView {...props} />
      ) : (
        <TextView {...props} />
      )}
      {problems.map((problem, index) => (
        <Problem key={index} problem={problem} color={color} indent={4} />
      ))}
    </Box>
  );
}

/** The fields of a screen, the focused one marked. */
export function FieldList({ state, color }: { readonly state: WizardState; readonly color: boolean }) {
  const fields = currentFieldsOf(state);
  const focus = Math.min(state.focus, fields.length - 1);
  return (
    <Box flexDirection="column">
      {fields.map((field, index) => (
        <FieldView key={field.id} field={field} state={state} focused={index === focus} color={color} />
      ))}
    </Box>
  );
}
