import { useEffect, useState, useSyncExternalStore } from 'react';
import { Box, Text, useInput, useWindowSize } from 'ink';
import { describeChange } from '../../install/output/plain.ts';
import type { Confirmations, Question } from './confirmations.ts';
import type { InstallStateStore } from './install-state.ts';
import { InstallView } from './install-view.tsx';

/** Often enough for a spinner to turn, seldom enough to leave the CPU to the install. */
const TICK_MS = 100;

export interface LiveInstallProps {
  readonly store: InstallStateStore;
  readonly confirmations: Confirmations;
  readonly color: boolean;
  /** The clock; tests pass their own. */
  readonly clock?: () => number;
}

function QuestionPrompt({ question }: { readonly question: Question }) {
  useInput((input, key) => {
    if (key.ctrl && input === 'c') question.answer(false);
    else if (input === 'y' || input === 'Y') question.answer(true);
    else if (input === 'n' || input === 'N' || key.return || key.escape) question.answer(false);
  });
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>The config changed since the last install; applying it changes:</Text>
      {question.changes.map((change) => (
        <Text key={change.urn} wrap="truncate-end">
          {'  '}
          {describeChange(change)}
        </Text>
      ))}
      <Text bold>Apply these changes? [y/N]</Text>
    </Box>
  );
}

/** The live view over the engine's event stream, redrawn as events come and as the clock turns. */
export function LiveInstall({ store, confirmations, color, clock = Date.now }: LiveInstallProps) {
  const state = useSyncExternalStore(
    (listener) => store.subscribe(listener),
    () => store.state,
  );
  const [now, setNow] = useState(clock);
  const [question, setQuestion] = useState<Question | undefined>(confirmations.current);
  const { columns, rows } = useWindowSize();
  useEffect(() => confirmations.subscribe(setQuestion), [confirmations]);
  useEffect(() => {
    const timer = setInterval(() => setNow(clock()), TICK_MS);
    return () => clearInterval(timer);
  }, [clock]);
  return (
    <Box flexDirection="column">
      <InstallView state={state} now={now} columns={columns} rows={rows} color={color} />
      {question === undefined ? null : <QuestionPrompt question={question} />}
    </Box>
  );
}
