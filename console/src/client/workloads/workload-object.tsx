'use client';
// One Workloads object's page: its row live from the tab's stream, and the actions the user may take (scale,
// delete, YAML edit). The YAML edit is sent to the API server as a dry run first; Apply is offered only for the text
// the dry run accepted, and a 409 (someone changed the object meanwhile) is shown, never retried over.
import { useMemo, useState } from 'react';
import { namespacedKey } from '../../shared/etcd-rows.ts';
import {
  objectPath,
  scaleRequestSchema,
  WORKLOAD_INFO,
  yamlAnswerSchema,
  type WorkloadKind,
  type YamlAnswer,
} from '../../shared/workloads.ts';
import { useLiveRows } from '../live-rows.ts';
import { mutate } from '../mutate.ts';
import { YamlEditor } from './yaml-editor.tsx';

export interface WorkloadObjectProps {
  readonly kind: WorkloadKind;
  readonly namespace: string;
  readonly name: string;
  readonly initial: YamlAnswer;
  readonly canEdit: boolean;
  readonly canDelete: boolean;
  readonly canScale: boolean;
  readonly replicas: number | undefined;
}

export function WorkloadObject(props: WorkloadObjectProps) {
  const { kind, namespace, name } = props;
  const info = WORKLOAD_INFO[kind];
  const api = `/api/workloads/${objectPath(kind, namespace, name)}`;
  const { rows, synced } = useLiveRows(kind);
  const row = rows.get(namespacedKey({ namespace, name }));
  const [loaded, setLoaded] = useState<YamlAnswer>(props.initial);
  const [text, setText] = useState(props.initial.yaml);
  const [accepted, setAccepted] = useState<string | undefined>(undefined);
  const [outcome, setOutcome] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [replicas, setReplicas] = useState(String(props.replicas ?? 0));
  const who = useMemo(
    () => `${info.kind} ${namespace === '' ? '' : `${namespace}/`}${name}`,
    [info.kind, namespace, name],
  );

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    setOutcome(undefined);
    try {
      await action();
    } finally {
      setBusy(false);
    }
  };

  const sendEdit = (dryRun: boolean) =>
    run(async () => {
      const answer = await mutate('PUT', api, { yaml: text, dryRun });
      if (!answer.ok) {
        setAccepted(undefined);
        setError(answer.error);
        return;
      }
      const stored = yamlAnswerSchema.parse(answer.body);
      if (dryRun) {
        setAccepted(text);
        setOutcome('Dry run: the API server accepts the edit. Nothing is stored until you apply it.');
      } else {
        setAccepted(undefined);
        setLoaded(stored);
        setText(stored.yaml);
        setOutcome(`Applied: ${who} is at resourceVersion ${stored.resourceVersion}.`);
      }
    });

  /** The object's YAML as stored now, in place of the editor's text. */
  const load = async (): Promise<string | undefined> => {
    const response = await fetch(api, { credentials: 'same-origin' });
    const parsed = yamlAnswerSchema.safeParse(await response.json());
    if (!response.ok || !parsed.success) return `reload: HTTP ${response.status}`;
    setAccepted(undefined);
    setLoaded(parsed.data);
    setText(parsed.data.yaml);
    return undefined;
  };

  const reload = () =>
    run(async () => {
      const failed = await load();
      if (failed !== undefined) setError(failed);
    });

  const scale = () =>
    run(async () => {
      const request = scaleRequestSchema.safeParse({ replicas: Number(replicas) });
      if (replicas.trim() === '' || !request.success) {
        setError('replicas: a whole number from 0 to 10000');
        return;
      }
      const answer = await mutate('PUT', `${api}/scale`, request.data);
      if (!answer.ok) {
        setError(answer.error);
        return;
      }
      // The scale made the YAML shown stale: it is reloaded unless the user has edits in it, which stay (their
      // dry run then meets the API server's 409 rather than undoing the scale).
      const stale = text === loaded.yaml ? await load() : 'the YAML shown predates the scale: Reload to edit it';
      setOutcome(`Scaled ${who} to ${request.data.replicas} replicas.`);
      if (stale !== undefined) setError(stale);
    });

  const remove = () =>
    run(async () => {
      setConfirming(false);
      const answer = await mutate('DELETE', api);
      if (answer.ok) setOutcome(`Deleted ${who}.`);
      else setError(answer.error);
    });

  return (
    <section aria-labelledby="object-heading">
      <dl data-testid="object-summary">
        <dt>Kind</dt>
        <dd data-field="kind">{info.kind}</dd>
        {namespace === '' ? null : (
          <>
            <dt>Namespace</dt>
            <dd data-field="namespace">{namespace}</dd>
          </>
        )}
        <dt>Status</dt>
        <dd data-field="status">{row === undefined ? (synced ? 'Gone' : 'Loading…') : row.status || '—'}</dd>
        {row === undefined || row.ready === '' ? null : (
          <>
            <dt>Ready</dt>
            <dd data-field="ready">{row.ready}</dd>
          </>
        )}
      </dl>
      {error === undefined ? null : (
        <p role="alert" data-testid="action-error">
          {error}
        </p>
      )}
      {outcome === undefined ? null : (
        <p role="status" data-testid="action-outcome">
          {outcome}
        </p>
      )}
      {props.canScale ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void scale();
          }}
        >
          <label htmlFor="replicas">Replicas</label>{' '}
          <input
            id="replicas"
            type="number"
            min={0}
            max={10_000}
            value={replicas}
            onChange={(event) => setReplicas(event.target.value)}
          />{' '}
          <button type="submit" disabled={busy}>
            Scale
          </button>
        </form>
      ) : null}
      {props.canDelete ? (
        confirming ? (
          <p>
            Delete {who}?{' '}
            <button type="button" onClick={() => void remove()} disabled={busy}>
              Confirm delete
            </button>{' '}
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </p>
        ) : (
          <p>
            <button type="button" onClick={() => setConfirming(true)} disabled={busy}>
              Delete {name}
            </button>
          </p>
        )
      ) : null}
      <h2>YAML</h2>
      <p data-testid="yaml-version">resourceVersion {loaded.resourceVersion}</p>
      <YamlEditor
        value={loaded.yaml}
        readOnly={!props.canEdit}
        label={`YAML of ${who}`}
        onChange={(next) => {
          setText(next);
          setAccepted(undefined);
        }}
      />
      {props.canEdit ? (
        <p>
          <button type="button" onClick={() => void sendEdit(true)} disabled={busy}>
            Dry run
          </button>{' '}
          <button type="button" onClick={() => void sendEdit(false)} disabled={busy || accepted !== text}>
            Apply
          </button>{' '}
          <button type="button" onClick={() => void reload()} disabled={busy}>
            Reload
          </button>
        </p>
      ) : null}
    </section>
  );
}
