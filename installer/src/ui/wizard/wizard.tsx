// The wizard: keys and pastes become model actions; the current screen is
// drawn from the model, with the field's help, the keys, and the question
// before quitting.
import { useEffect, useReducer, type ReactElement } from 'react';
import { Box, Text, useInput, usePaste, useWindowSize } from 'ink';
import { AccessScreen } from './access-screen.tsx';
import type { WizardChecks } from './checks.ts';
import { ClusterScreen } from './cluster-screen.tsx';
import { DetailsScreen } from './details-screen.tsx';
import { SCREENS, type ScreenId } from './fields.ts';
import { currentScreen, focusedField, reduceWizard, type WizardState } from './model.ts';
import { NetworkingScreen } from './networking-screen.tsx';
import { OsScreen } from './os-screen.tsx';
import { PlatformScreen } from './platform-screen.tsx';
import { ReviewScreen } from './review-screen.tsx';
import { actionsOfTyping } from './keys.ts';
import type { ScreenProps } from './screen-props.ts';
import { UpdatesScreen } from './updates-screen.tsx';

export const MIN_COLUMNS = 70;
export const MIN_ROWS = 20;

const SCREEN_VIEWS: Record<ScreenId, (props: ScreenProps) => ReactElement> = {
  platform: PlatformScreen,
  details: DetailsScreen,
  cluster: ClusterScreen,
  os: OsScreen,
  networking: NetworkingScreen,
  access: AccessScreen,
  updates: UpdatesScreen,
  review: ReviewScreen,
};

export interface WizardProps {
  readonly initial: WizardState;
  readonly checks: WizardChecks;
  readonly color: boolean;
  /** The file the wizard writes, as the review names it. */
  readonly target: string;
  /** The text of the file the answers started from, when one exists, for the review's diff. */
  readonly existing: string | undefined;
  /** That file's path when it is not `target` (the --dir cluster's copy). */
  readonly source?: string;
  /** Called once, when the person has decided (install, write only, or quit). */
  readonly onDone: (state: WizardState) => void;
  /** The terminal's size; default: the window's. */
  readonly size?: { readonly columns: number; readonly rows: number };
}

/** How many lines of the existing file's problems the first screen shows; the review lists the file's diff. */
const EXISTING_PROBLEM_LINES = 3;

/** The existing file could not start the wizard: said on the first screen (the review's heading says it again). */
function ExistingProblem({
  state,
  target,
  source,
  color,
}: {
  state: WizardState;
  target: string;
  source: string;
  color: boolean;
}) {
  const problem = state.env.existingProblem;
  if (problem === undefined || currentScreen(state).id !== 'platform') return null;
  const lines = problem.split('\n').filter((line) => line.trim() !== '');
  const more = lines.length - EXISTING_PROBLEM_LINES;
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text color={color ? 'yellow' : undefined} wrap="wrap">
        ! {source} exists but does not parse, so the wizard starts from its defaults; {target} is written only when you
        confirm the review:
      </Text>
      {lines.slice(0, EXISTING_PROBLEM_LINES).map((line, index) => (
        <Text key={index} wrap="truncate-end">
          {'  '}
          {line}
        </Text>
      ))}
      {more > 0 ? <Text>{`  … and ${more} more`}</Text> : null}
    </Box>
  );
}

function Footer({ state, color }: { readonly state: WizardState; readonly color: boolean }) {
  const field = focusedField(state);
  if (state.quitting)
    return (
      <Text bold color={color ? 'yellow' : undefined}>
        ? Quit the wizard? Nothing has been written. [y/N]
      </Text>
    );
  return (
    <Box flexDirection="column">
      {state.help && field !== undefined ? (
        <Text wrap="wrap">
          ? {field.label}: {field.help}
        </Text>
      ) : null}
      <Text dimColor={color} wrap="truncate-end">
        Tab/Shift-Tab field · Enter next · Esc back · ? help · Ctrl-C quit
      </Text>
    </Box>
  );
}

export function Wizard({ initial, checks, color, target, existing, source, onDone, size }: WizardProps) {
  const [state, dispatch] = useReducer(reduceWizard, initial);
  const window = useWindowSize();
  const { columns, rows } = size ?? window;
  useEffect(() => {
    if (state.outcome !== undefined) onDone(state);
  }, [state, onDone]);
  useInput((input, key) => {
    if (key.ctrl && input === 'c') dispatch({ type: 'interrupt' });
    else if (key.ctrl && input === 'u') dispatch({ type: 'clear' });
    else if ((key.ctrl && input === 'a') || key.home) dispatch({ type: 'cursor', to: 'home' });
    else if ((key.ctrl && input === 'e') || key.end) dispatch({ type: 'cursor', to: 'end' });
    else if (key.tab) dispatch({ type: 'tab', backwards: key.shift });
    else if (key.return) dispatch({ type: 'enter' });
    else if (key.escape) dispatch({ type: 'back' });
    else if (key.backspace) dispatch({ type: 'backspace' });
    else if (key.delete) dispatch({ type: 'delete' });
    else if (key.leftArrow) dispatch({ type: 'cursor', to: 'left' });
    else if (key.rightArrow) dispatch({ type: 'cursor', to: 'right' });
    else if (key.upArrow) dispatch({ type: 'move', delta: -1 });
    else if (key.downArrow) dispatch({ type: 'move', delta: 1 });
    else if (key.pageUp) dispatch({ type: 'move', delta: -10 });
    else if (key.pageDown) dispatch({ type: 'move', delta: 10 });
    else if (input !== '' && !key.ctrl && !key.meta) for (const action of actionsOfTyping(input)) dispatch(action);
  });
  usePaste((text) => dispatch({ type: 'paste', text }));
  if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
    return (
      <Text wrap="wrap">
        The terminal is {columns}×{rows}; the wizard needs at least {MIN_COLUMNS}×{MIN_ROWS}. Enlarge the window: every
        answer is kept.
      </Text>
    );
  }
  const screen = currentScreen(state);
  const View = SCREEN_VIEWS[screen.id];
  return (
    <Box flexDirection="column" width={columns}>
      <Text bold color={color ? 'cyan' : undefined} wrap="truncate-end">
        Strata install · {state.screen + 1}/{SCREENS.length} {screen.title}
      </Text>
      <ExistingProblem state={state} target={target} source={source ?? target} color={color} />
      <Box marginTop={1} flexDirection="column">
        <View
          state={state}
          color={color}
          checks={checks}
          rows={rows}
          existing={existing}
          target={target}
          source={source ?? target}
        />
      </Box>
      <Box marginTop={1}>
        <Footer state={state} color={color} />
      </Box>
    </Box>
  );
}
