import { Box, Text } from 'ink';
import { INSTALL_PHASES, type Phase } from '../../install/events.ts';
import { formatMs } from '../../install/format.ts';
import { describeChange } from '../../install/output/plain.ts';
import type { InstallState, PhaseView } from './install-state.ts';
import { MACHINE_STATE_WORDS } from '../../install/output/plain.ts';
import { MACHINE_SYMBOLS, machineLines } from './machine-lines.ts';

/** Below this the checklist and the failure no longer fit without garbling: the view asks for a larger terminal. */
export const MIN_COLUMNS = 60;
export const MIN_ROWS = 20;

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;
const BAR_WIDTH = 20;
/** Rows the view keeps for the resources in flight and the log tail, whatever else it shows. */
const MAX_IN_FLIGHT = 5;

export interface InstallViewProps {
  readonly state: InstallState;
  /** The clock, in milliseconds since the epoch: spinners and elapsed times derive from it. */
  readonly now: number;
  readonly columns: number;
  readonly rows: number;
  /** False under NO_COLOR: every state still reads from its symbol and its word. */
  readonly color: boolean;
}

type Tone = 'green' | 'red' | 'yellow' | 'cyan' | 'gray';

function spinner(now: number): string {
  return SPINNER[Math.floor(now / 80) % SPINNER.length] ?? SPINNER[0];
}

function progressBar(done: number, total: number): string {
  const filled = total === 0 ? BAR_WIDTH : Math.min(BAR_WIDTH, Math.round((done / total) * BAR_WIDTH));
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${done}/${total}`;
}

function phaseLine(view: PhaseView, now: number): { symbol: string; word: string; tone: Tone } {
  switch (view.status) {
    case 'pending':
      return { symbol: '○', word: 'waiting', tone: 'gray' };
    case 'running': {
      const progress = view.total === undefined ? '' : ` ${view.done ?? 0}/${view.total}`;
      const message = view.message === undefined ? '' : `, ${view.message}`;
      return {
        symbol: spinner(now),
        word: `running ${formatMs(Math.max(0, now - view.since))}${progress}${message}`,
        tone: 'cyan',
      };
    }
    case 'done':
      return { symbol: '✔', word: `done in ${formatMs(view.durationMs)}`, tone: 'green' };
    case 'failed':
      return {
        symbol: '✖',
        word: `${view.timedOut ? 'TIMED OUT' : 'FAILED'} after ${formatMs(view.durationMs)}`,
        tone: 'red',
      };
    case 'skipped':
      return { symbol: '↷', word: `skipped: ${view.reason}`, tone: 'yellow' };
  }
}

/** The install as a person watches it: the phases, what provisioning is doing, and how it ended. */
export function InstallView({ state, now, columns, rows, color }: InstallViewProps) {
  if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
    return (
      <Text wrap="wrap">
        The terminal is {columns}×{rows}; the install view needs at least {MIN_COLUMNS}×{MIN_ROWS}. Enlarge the window:
        the install goes on meanwhile.
      </Text>
    );
  }
  const tint = (tone: Tone) => (color ? { color: tone } : {});
  const provisioning = state.phases.provision.status === 'running';
  const inFlight = [...state.inFlight.values()].slice(-MAX_IN_FLIGHT);
  const checkStatus = { ok: '✔ ok', failed: '✖ failed', skipped: '- skipped' } as const;
  // What is left of the screen after the checklist (one row per phase, a title) and the failure's fixed rows goes to the log tail.
  const diagnosis = state.failure?.diagnosis;
  const fixedRows = INSTALL_PHASES.length + 1 + 4 + (diagnosis === undefined ? 0 : diagnosis.checks.length + 3);
  // The machines show while the nodes are awaited, and after that wait failed; they come before the log tail.
  const waitNodes = state.phases['wait-nodes'].status;
  const machines =
    waitNodes === 'running' || waitNodes === 'failed'
      ? machineLines(state.machines, rows - fixedRows - 1 - (state.failure === undefined ? 0 : 3), now)
      : [];
  const logRows = Math.max(0, rows - fixedRows - 1 - machines.length);
  return (
    <Box flexDirection="column" width={columns}>
      <Text bold wrap="truncate-end">
        Strata install{state.summary === undefined ? '' : `: ${state.summary.cluster} (${state.summary.platform})`}
      </Text>
      {INSTALL_PHASES.map((phase: Phase) => {
        const line = phaseLine(state.phases[phase], now);
        return (
          <Box key={phase} flexDirection="column">
            <Text wrap="truncate-end">
              <Text {...tint(line.tone)}>{line.symbol}</Text> {phase.padEnd(11)}{' '}
              <Text {...tint(line.tone)}>{line.word}</Text>
            </Text>
            {phase === 'provision' && provisioning && state.resources !== undefined ? (
              <Text wrap="truncate-end">
                {'    '}
                {progressBar(state.resources.done, state.resources.total)} resources
              </Text>
            ) : null}
            {phase === 'provision' && provisioning
              ? inFlight.map((resource, index) => (
                  <Text key={`${resource.name}-${index}`} wrap="truncate-end">
                    {'    '}
                    <Text {...tint('cyan')}>{spinner(now)}</Text> {resource.op} {resource.name} ({resource.resourceType}
                    ) {formatMs(Math.max(0, now - resource.since))}
                  </Text>
                ))
              : null}
            {phase === 'wait-nodes'
              ? machines.map((line, index) => {
                  if (line.kind !== 'machine')
                    return (
                      <Text key={`machines-${index}`} wrap="truncate-end">
                        {'    '}
                        {line.text}
                      </Text>
                    );
                  const look = MACHINE_SYMBOLS[line.machine.state];
                  return (
                    <Text key={line.name} wrap="truncate-end">
                      {'    '}
                      <Text {...tint(look.tone)}>{look.symbol}</Text> {line.name} ({line.machine.role}){' '}
                      <Text {...tint(look.tone)}>{MACHINE_STATE_WORDS[line.machine.state]}</Text> {line.elapsed}
                    </Text>
                  );
                })
              : null}
          </Box>
        );
      })}
      {state.preview !== undefined && state.preview.length > 0 && state.summary === undefined ? (
        <Text wrap="truncate-end">
          {state.preview.length} change(s) planned: {state.preview.map(describeChange).join('; ')}
        </Text>
      ) : null}
      {state.failedResources.map((resource, index) => (
        <Text key={`failed-${index}`} wrap="truncate-end" {...tint('red')}>
          ✖ resource {resource.name} failed: {resource.message}
        </Text>
      ))}
      {state.failure === undefined ? null : (
        <Box flexDirection="column" marginTop={1}>
          <Text wrap="truncate-end" {...tint('red')}>
            ✖ {state.failure.phase} {state.failure.timedOut ? 'timed out' : 'failed'}:{' '}
            {state.failure.error.split('\n')[0] ?? ''}
          </Text>
          {diagnosis === undefined ? null : (
            <>
              <Text bold>Diagnosis</Text>
              {diagnosis.checks.map((check) => (
                <Text key={check.name} wrap="truncate-end">
                  {'  '}
                  <Text {...tint(check.status === 'ok' ? 'green' : check.status === 'failed' ? 'red' : 'gray')}>
                    {checkStatus[check.status].padEnd(9)}
                  </Text>{' '}
                  {check.name}: {check.detail}
                </Text>
              ))}
              {diagnosis.logTail.length > 0 && logRows > 0 ? (
                <>
                  <Text bold>Last log lines</Text>
                  {diagnosis.logTail.slice(-logRows).map((line, index) => (
                    <Text key={`log-${index}`} wrap="truncate-end">
                      {'  '}
                      {line}
                    </Text>
                  ))}
                </>
              ) : null}
              <Text wrap="truncate-end">Next step: {diagnosis.nextStep}</Text>
            </>
          )}
        </Box>
      )}
      {state.summary === undefined ? null : (
        <Box flexDirection="column" marginTop={1}>
          <Text wrap="truncate-end" {...tint('green')}>
            ✔ Cluster "{state.summary.cluster}" is installed.
          </Text>
          <Text wrap="truncate-end">{`  kubeconfig:  ${state.summary.kubeconfig}`}</Text>
          <Text wrap="truncate-end">{`  API server:  ${state.summary.apiServerUrl}`}</Text>
          {state.summary.consoleUrl === undefined ? null : (
            <Text wrap="truncate-end">{`  console:     ${state.summary.consoleUrl}`}</Text>
          )}
          {state.summary.consoleCa === undefined ? null : (
            <Text wrap="truncate-end">{`               (trust the cluster CA ${state.summary.consoleCa} for it)`}</Text>
          )}
          {state.summary.consoleToken === undefined ? null : (
            <Text wrap="truncate-end">{`  sign in:     with the token in ${state.summary.consoleToken}`}</Text>
          )}
          <Text wrap="truncate-end">{`  credentials: ${state.summary.credentials}`}</Text>
          <Text wrap="truncate-end">Next: kubectl --kubeconfig {state.summary.kubeconfig} get nodes</Text>
          <Text wrap="truncate-end">{'      strata status'}</Text>
        </Box>
      )}
    </Box>
  );
}
