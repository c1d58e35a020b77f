'use client';
// A pod's log on its page: a container, a tail, timestamps, and follow until stopped. The log is read from the BFF as
// a streamed answer (fetch and its body's reader), one request per view: stopping, choosing another container or
// leaving the page aborts it, and the BFF's abort ends the call to the API server and the kubelet (ADR 0067). The
// browser keeps the last MAX_LOG_LINES lines in a ring and renders only those in view; every line is a React text
// child, so a line of markup is shown as text.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState } from 'react';
import { z } from 'zod';
import {
  DEFAULT_TAIL_LINES,
  LogRing,
  MAX_LOG_LINES,
  podLogQueryProblems,
  podLogQuerySchema,
  podLogSearch,
} from '../../shared/pod-logs.ts';
import { objectPath } from '../../shared/workloads.ts';
import { Button } from '../ui/button.tsx';
import { Checkbox } from '../ui/checkbox.tsx';
import { Input } from '../ui/input.tsx';
import { NativeSelect } from '../ui/native-select.tsx';
import { Alert } from '../ui/alert.tsx';
import { Card } from '../ui/card.tsx';
import { Label } from '../ui/label.tsx';

const LINE_HEIGHT = 20;
const errorBodySchema = z.object({ error: z.string() });

type LogState = 'idle' | 'loading' | 'loaded' | 'following' | 'stopped' | 'ended' | 'failed';

const STATE_TEXT: Record<LogState, string> = {
  idle: '',
  loading: 'Loading…',
  loaded: 'Showing the tail',
  following: 'Following',
  stopped: 'Stopped following',
  ended: 'The log ended',
  failed: 'Not shown',
};

export function PodLogs({
  namespace,
  name,
  containers,
}: {
  readonly namespace: string;
  readonly name: string;
  readonly containers: readonly string[];
}) {
  const [container, setContainer] = useState(containers[0] ?? '');
  const [tail, setTail] = useState(String(DEFAULT_TAIL_LINES));
  const [timestamps, setTimestamps] = useState(false);
  const [state, setState] = useState<LogState>('idle');
  const [error, setError] = useState<string | undefined>(undefined);
  const [lines, setLines] = useState<ReturnType<LogRing['lines']>>([]);
  const ring = useRef(new LogRing(MAX_LOG_LINES));
  const reading = useRef<AbortController | undefined>(undefined);
  const frame = useRef<number | undefined>(undefined);
  const scroller = useRef<HTMLDivElement>(null);

  // A burst of lines renders once per animation frame.
  const render = useCallback(() => {
    frame.current ??= requestAnimationFrame(() => {
      frame.current = undefined;
      setLines(ring.current.lines());
    });
  }, []);

  const stop = useCallback((next: LogState) => {
    reading.current?.abort();
    reading.current = undefined;
    setState(next);
  }, []);

  const read = useCallback(
    async (follow: boolean) => {
      reading.current?.abort();
      setError(undefined);
      const query = podLogQuerySchema.safeParse({
        container,
        ...(tail === '' ? {} : { tailLines: tail }),
        follow: String(follow),
        timestamps: String(timestamps),
      });
      if (!query.success) {
        setError(podLogQueryProblems(query.error));
        setState('failed');
        return;
      }
      const controller = new AbortController();
      reading.current = controller;
      ring.current.clear();
      render();
      setState('loading');
      try {
        const response = await fetch(
          `/api/workloads/${objectPath('pods', namespace, name)}/log?${podLogSearch(query.data)}`,
          {
            credentials: 'same-origin',
            signal: controller.signal,
          },
        );
        if (!response.ok || response.body === null) {
          const parsed = errorBodySchema.safeParse(await response.json().catch(() => undefined));
          setError(parsed.success ? parsed.data.error : `HTTP ${response.status}`);
          setState('failed');
          reading.current = undefined;
          return;
        }
        setState(follow ? 'following' : 'loading');
        const decoder = new TextDecoder();
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          ring.current.append(decoder.decode(value, { stream: true }));
          render();
        }
        ring.current.append(decoder.decode());
        ring.current.end();
        render();
        if (reading.current === controller) {
          reading.current = undefined;
          setState(follow ? 'ended' : 'loaded');
        }
      } catch (failure) {
        // Aborted by stop, another read or the page going: whoever aborted has said what happens next.
        if (controller.signal.aborted) return;
        setError(failure instanceof Error ? failure.message : String(failure));
        setState('failed');
      }
    },
    [container, tail, timestamps, namespace, name, render],
  );

  // The tail of the chosen container when the page opens and when another is chosen.
  useEffect(() => {
    void read(false);
    // Only the container reloads by itself: the tail and timestamps apply on the next Show or Follow.
  }, [container]);

  useEffect(
    () => () => {
      reading.current?.abort();
      if (frame.current !== undefined) cancelAnimationFrame(frame.current);
    },
    [],
  );

  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => LINE_HEIGHT,
    overscan: 20,
  });

  // While following, the newest line stays in view.
  useEffect(() => {
    if (state === 'following' && lines.length > 0) virtualizer.scrollToIndex(lines.length - 1, { align: 'end' });
  }, [lines, state, virtualizer]);

  const items = virtualizer.getVirtualItems();
  return (
    <Card aria-labelledby="logs-heading">
      <h2 id="logs-heading">Logs</h2>
      <form
        className="log-controls"
        onSubmit={(event) => {
          event.preventDefault();
          void read(false);
        }}
      >
        <Label>
          Container{' '}
          <NativeSelect value={container} onChange={(event) => setContainer(event.target.value)}>
            {containers.map((candidate) => (
              <option key={candidate} value={candidate}>
                {candidate}
              </option>
            ))}
          </NativeSelect>
        </Label>
        <Label>
          Last lines{' '}
          <Input
            type="number"
            min={1}
            max={MAX_LOG_LINES}
            value={tail}
            onChange={(event) => setTail(event.target.value)}
          />
        </Label>
        <Label>
          <Checkbox checked={timestamps} onChange={(event) => setTimestamps(event.target.checked)} /> Timestamps
        </Label>
        <div>
          <Button type="submit">Show</Button>{' '}
          {state === 'following' ? (
            <Button variant="outline" size="sm" onClick={() => stop('stopped')}>
              Stop following
            </Button>
          ) : (
            <Button variant="outline" size="sm" onClick={() => void read(true)}>
              Follow
            </Button>
          )}
        </div>
      </form>
      <p role="status" data-testid="log-status">
        {STATE_TEXT[state]}
        {state === 'idle' || state === 'failed' ? '' : ` (${lines.length} lines)`}
      </p>
      {error === undefined ? null : (
        <Alert variant="destructive" role="alert" data-testid="log-error">
          {error}
        </Alert>
      )}
      <div
        ref={scroller}
        className="log-lines"
        tabIndex={0}
        role="log"
        aria-label={`log of ${container}`}
        data-testid="log-lines"
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const line = lines[item.index];
            if (line === undefined) return null;
            return (
              <div
                key={line.seq}
                data-log-seq={line.seq}
                className="log-line"
                style={{ position: 'absolute', top: item.start, height: LINE_HEIGHT, left: 0, right: 0 }}
              >
                {line.text}
              </div>
            );
          })}
        </div>
      </div>
    </Card>
  );
}
