// The file about to be written, marked against the one already there, and
// every problem left; Enter writes it and installs, w only writes it.
import { Box, Text } from 'ink';
import { reviewLines } from './review-text.ts';
import type { ScreenProps } from './screen-props.ts';

/** Lines the review keeps for its own text around the file. */
const REVIEW_CHROME_ROWS = 9;

export function ReviewScreen({ state, color, rows, existing, target, source }: ScreenProps) {
  const lines = reviewLines(state.answers, existing, state.env.existingProblem === undefined);
  const problems = [...state.validation.unplaced, ...[...state.validation.byField.values()].flat()];
  const height = Math.max(3, rows - REVIEW_CHROME_ROWS - Math.min(problems.length, 4));
  const top = Math.min(state.scroll, Math.max(0, lines.length - height));
  const changed = lines.filter((line) => line.mark !== ' ').length;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        {existing === undefined
          ? `${target} (new file):`
          : source !== target
            ? `${target}, from ${source}: + adds, - removes (${changed} lines):`
            : state.env.existingProblem !== undefined
              ? `${target} does not parse; Enter/w replaces it: + adds, - removes (${changed} lines):`
              : changed === 0
                ? `${target} exists and is the same:`
                : `${target} exists; + adds, - removes (${changed} lines):`}
      </Text>
      <Box flexDirection="column" borderStyle="single" paddingX={1}>
        {lines.slice(top, top + height).map((line, index) => (
          <Text
            key={top + index}
            wrap="truncate-end"
            color={color ? (line.mark === '+' ? 'green' : line.mark === '-' ? 'red' : undefined) : undefined}
          >
            {existing === undefined ? '' : `${line.mark} `}
            {line.text}
          </Text>
        ))}
      </Box>
      <Text dimColor={color}>
        lines {top + 1}–{Math.min(lines.length, top + height)} of {lines.length}
        {lines.length > height ? ' (↑/↓ scroll)' : ''}
      </Text>
      {problems.length === 0 ? (
        <Text bold>Enter: write {target} and install · w: write it only · Esc: back</Text>
      ) : (
        <Box flexDirection="column">
          <Text color={color ? 'red' : undefined}>
            ✗ {problems.length} problem{problems.length === 1 ? '' : 's'} to fix first (Esc goes back):
          </Text>
          {problems.slice(0, 4).map((problem, index) => (
            <Text key={index} wrap="truncate-end">
              {'  '}
              {problem.text}
            </Text>
          ))}
        </Box>
      )}
    </Box>
  );
}
