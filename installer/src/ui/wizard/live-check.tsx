// A check that runs as the answers it depends on change: a spinner while it
// runs, then ✔ or ✗ and what it found. Results of older answers are dropped.
import { useEffect, useState } from 'react';
import { Text } from 'ink';
import { Spinner } from '@inkjs/ui';
import type { CheckResult } from './checks.ts';

/** Long enough that typing a URL does not probe every prefix of it. */
const SETTLE_MS = 400;

export interface LiveCheckProps {
  /** What the check is about, e.g. "boot server". */
  readonly label: string;
  /** The check, or undefined while its answers are incomplete. */
  readonly run: (() => Promise<CheckResult>) | undefined;
  /** Changes whenever the answers the check reads change. */
  readonly inputs: string;
  readonly color: boolean;
}

type Shown =
  { readonly state: 'idle' } | { readonly state: 'running' } | { readonly state: 'done'; readonly result: CheckResult };

export function LiveCheck({ label, run, inputs, color }: LiveCheckProps) {
  const [shown, setShown] = useState<Shown>({ state: 'idle' });
  useEffect(() => {
    if (run === undefined) {
      setShown({ state: 'idle' });
      return;
    }
    let current = true;
    setShown({ state: 'running' });
    const timer = setTimeout(() => {
      run().then(
        (result) => {
          if (current) setShown({ state: 'done', result });
        },
        (error: unknown) => {
          if (current)
            setShown({
              state: 'done',
              result: {
                ok: false,
                detail: `the check failed: ${error instanceof Error ? error.message : String(error)}`,
              },
            });
        },
      );
    }, SETTLE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
    // `run` is rebuilt on every render; `inputs` says when it asks something new.
  }, [inputs]);
  if (shown.state === 'idle') return <Text dimColor={color}>· {label}: checked once filled in</Text>;
  if (shown.state === 'running')
    return color ? <Spinner label={`checking the ${label}…`} /> : <Text>… checking the {label}</Text>;
  return (
    <Text color={color ? (shown.result.ok ? 'green' : 'red') : undefined} wrap="wrap">
      {shown.result.ok ? '✔' : '✗'} {shown.result.detail}
    </Text>
  );
}
