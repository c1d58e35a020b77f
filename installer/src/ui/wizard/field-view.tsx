// One field as the screens draw it: a marker and label, the value (or its
// choices), and its problems beside it. State is in symbols and words, so
// that it reads the same without colour.
import { Box, Text } from 'ink';
import { machineLines } from './answers.ts';
import type { Field } from './fields.ts';
import { currentFields as currentFieldsOf, shownProblems, type WizardState } from './model.ts';
import type { FieldProblem } from './validate.ts';

export const LABEL_WIDTH = 22;
/** What is left of 80 columns beside the label and the key hint. */
const HORIZONTAL_CHOICES_WIDTH = 48;

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
  const choices = field.choices(state.answers, state.env.offered);
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

function TextView({ field, state, focused, color }: FieldViewProps) {
  const value = state.answers[field.id];
  const placeholder = field.kind === 'choice' ? undefined : field.placeholder;
  return (
    <Box>
      <Label field={field} focused={focused} color={color} />
      {value === '' ? (
        <Text dimColor={color} wrap="truncate-end">
          {focused ? '▏' : ''}
          {placeholder ?? ''}
        </Text>
      ) : (
        // The end of a long value (a key, a URL) is where the typing is.
        <Text wrap="truncate-start">
          {value}
          {focused ? '▏' : ''}
        </Text>
      )}
    </Box>
  );
}

function LinesView({ field, state, focused, color }: FieldViewProps) {
  const problems = shownProblems(state, field);
  const entries = machineLines(state.answers);
  const lines = state.answers[field.id].split('\n');
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
            const last = index === lines.length - 1;
            return (
              <Box key={index} flexDirection="column">
                <Text wrap="truncate-end">
                  {'    '}
                  {!entry ? ' ' : own.length > 0 ? '✗' : '✔'} {line}
                  {focused && last ? '▏' : ''}
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
