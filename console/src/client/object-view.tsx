'use client';
// One object's actions and YAML (a Workloads object, any custom resource): the actions the user may take (scale,
// delete, YAML edit), with what the page shows of the object above them. The YAML edit is sent to the API server as a dry run first; Apply is offered only for the text
// the dry run accepted, and a 409 (someone changed the object meanwhile) is shown, never retried over.
import { useState, type ReactNode } from 'react';
import { scaleRequestSchema, yamlAnswerSchema, type YamlAnswer } from '../shared/workloads.ts';
import { mutate } from './mutate.ts';
import { YamlEditor } from './workloads/yaml-editor.tsx';
import { Button } from './ui/button.tsx';
import { Input } from './ui/input.tsx';
import { Alert } from './ui/alert.tsx';
import { ConfirmDialog } from './ui/confirm-dialog.tsx';
import { Label } from './ui/label.tsx';

export interface ObjectViewProps {
  /** The object's route: GET, PUT (the edit) and DELETE; `/scale` below it. */
  readonly api: string;
  /** The object as messages name it: its kind, namespace/ and name. */
  readonly who: string;
  readonly name: string;
  /** What the page shows of the object before its actions (a Workloads object's live status). */
  readonly summary?: ReactNode;
  readonly initial: YamlAnswer;
  readonly canEdit: boolean;
  readonly canDelete: boolean;
  readonly canScale: boolean;
  readonly replicas: number | undefined;
}

export function ObjectView(props: ObjectViewProps) {
  const { api, who, name } = props;
  const [loaded, setLoaded] = useState<YamlAnswer>(props.initial);
  const [text, setText] = useState(props.initial.yaml);
  const [accepted, setAccepted] = useState<string | undefined>(undefined);
  const [outcome, setOutcome] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [replicas, setReplicas] = useState(String(props.replicas ?? 0));

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
      const answer = await mutate('DELETE', api);
      if (answer.ok) setOutcome(`Deleted ${who}.`);
      else setError(answer.error);
    });

  return (
    <section aria-labelledby="object-heading">
      {props.summary}
      {error === undefined ? null : (
        <Alert variant="destructive" role="alert" data-testid="action-error">
          {error}
        </Alert>
      )}
      {outcome === undefined ? null : (
        <Alert variant="success" role="status" data-testid="action-outcome">
          {outcome}
        </Alert>
      )}
      {props.canScale ? (
        <form
          data-slot="form"
          className="my-2 flex items-center gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            void scale();
          }}
        >
          <Label htmlFor="replicas">Replicas</Label>
          <Input
            id="replicas"
            type="number"
            min={0}
            max={10_000}
            value={replicas}
            className="w-28"
            onChange={(event) => setReplicas(event.target.value)}
          />
          <Button type="submit" disabled={busy}>
            Scale
          </Button>
        </form>
      ) : null}
      {props.canDelete ? (
        <p>
          <ConfirmDialog
            trigger={
              <Button variant="destructive" size="sm" disabled={busy}>
                Delete {name}
              </Button>
            }
            title={`Delete ${who}?`}
            description="The API server deletes it in the background (its dependents too); this page then says it is gone."
            confirmLabel="Confirm delete"
            busyLabel="Deleting…"
            onConfirm={remove}
          />
        </p>
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
        <p className="flex gap-2">
          <Button variant="outline" size="sm" onClick={() => void sendEdit(true)} disabled={busy}>
            Dry run
          </Button>
          <Button size="sm" onClick={() => void sendEdit(false)} disabled={busy || accepted !== text}>
            Apply
          </Button>
          <Button variant="outline" size="sm" onClick={() => void reload()} disabled={busy}>
            Reload
          </Button>
        </p>
      ) : null}
    </section>
  );
}
