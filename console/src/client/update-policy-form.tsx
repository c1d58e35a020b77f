'use client';
// Creates or edits an UpdatePolicy. As with the Workloads' YAML edit, a change goes first as a server-side dry run
// ("Check"), and Create/Save is offered only for the fields the API server accepted; before that, the fields are
// checked with the CRD's own zod schema, and each problem is shown beside its input, naming the field. An edit is of
// the version the form was read at: a change made meanwhile is the API server's 409, shown and never overwritten
// (Reload starts again from the stored policy).
import { DRAIN_TIMEOUT_ACTIONS, REBOOT_TIMEOUT_ACTIONS, WEEKDAYS, type Weekday } from '@strata/api';
import { useCallback, useEffect, useId, useState, type ReactNode } from 'react';
import {
  checkPolicyFields,
  controlOf,
  fieldsOf,
  NEW_REBOOT_WINDOW,
  newPolicyFields,
  policyForEditSchema,
  type FieldProblem,
  type PolicyFields,
  type RebootWindowFields,
} from '../shared/update-policy-form.ts';
import { mutate } from './mutate.ts';
import { Button } from './ui/button.tsx';
import { Checkbox } from './ui/checkbox.tsx';
import { Input } from './ui/input.tsx';
import { NativeSelect } from './ui/native-select.tsx';
import { Textarea } from './ui/textarea.tsx';
import { Alert } from './ui/alert.tsx';
import { Card } from './ui/card.tsx';
import { Label } from './ui/label.tsx';

export type PolicyEditorMode = { readonly kind: 'create' } | { readonly kind: 'edit'; readonly name: string };

type BooleanKey = {
  [Key in keyof PolicyFields]: PolicyFields[Key] extends boolean ? Key : never;
}[keyof PolicyFields];
type TextKey = { [Key in keyof PolicyFields]: PolicyFields[Key] extends string ? Key : never }[keyof PolicyFields];

const policyPath = (name: string) => `/api/updatepolicies/${encodeURIComponent(name)}`;

async function readForEdit(name: string): Promise<{ fields: PolicyFields; resourceVersion: string } | string> {
  const response = await fetch(policyPath(name), { credentials: 'same-origin' });
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = (body as { error?: unknown } | undefined)?.error;
    return typeof error === 'string' ? error : `HTTP ${response.status}`;
  }
  const policy = policyForEditSchema.parse(body);
  return { fields: fieldsOf(policy.name, policy.spec), resourceVersion: policy.resourceVersion };
}

export function UpdatePolicyForm({
  mode,
  onDone,
  onCancel,
}: {
  readonly mode: PolicyEditorMode;
  readonly onDone: (message: string) => void;
  readonly onCancel: () => void;
}) {
  const idPrefix = useId();
  const [fields, setFields] = useState<PolicyFields | undefined>(
    mode.kind === 'create' ? newPolicyFields() : undefined,
  );
  const [resourceVersion, setResourceVersion] = useState<string | undefined>(undefined);
  const [problems, setProblems] = useState<readonly FieldProblem[]>([]);
  const [serverError, setServerError] = useState<string | undefined>(undefined);
  /** The fields, as JSON, that the API server accepted in a dry run: only those may be stored. */
  const [accepted, setAccepted] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const editName = mode.kind === 'edit' ? mode.name : undefined;

  const load = useCallback(async () => {
    if (editName === undefined) return;
    setBusy(true);
    const read = await readForEdit(editName);
    setBusy(false);
    setAccepted(undefined);
    setProblems([]);
    if (typeof read === 'string') {
      setServerError(read);
      return;
    }
    setServerError(undefined);
    setFields(read.fields);
    setResourceVersion(read.resourceVersion);
  }, [editName]);
  useEffect(() => {
    void load();
  }, [load]);

  if (fields === undefined)
    return (
      <Card aria-label={`Edit ${editName ?? ''}`}>
        {serverError === undefined ? (
          <p>Loading the policy…</p>
        ) : (
          <Alert variant="destructive" role="alert">
            {serverError}
          </Alert>
        )}
      </Card>
    );

  const change = (next: Partial<PolicyFields>) => {
    setFields({ ...fields, ...next });
    setAccepted(undefined);
  };
  const changeWindow = (index: number, next: Partial<RebootWindowFields>) =>
    change({
      rebootWindows: fields.rebootWindows.map((window, at) => (at === index ? { ...window, ...next } : window)),
    });

  const send = async (dryRun: boolean) => {
    setServerError(undefined);
    const checked = checkPolicyFields(fields);
    if (!checked.ok) {
      setProblems(checked.problems);
      setAccepted(undefined);
      return;
    }
    setProblems([]);
    setBusy(true);
    const result =
      mode.kind === 'create'
        ? await mutate('POST', '/api/updatepolicies', { name: fields.name, spec: checked.spec, dryRun })
        : await mutate('PUT', policyPath(mode.name), { resourceVersion, spec: checked.spec, dryRun });
    setBusy(false);
    if (!result.ok) {
      setAccepted(undefined);
      setServerError(result.error);
      return;
    }
    if (dryRun) setAccepted(JSON.stringify(fields));
    else onDone(mode.kind === 'create' ? `Created UpdatePolicy ${fields.name}` : `Saved UpdatePolicy ${fields.name}`);
  };

  const controlId = (control: string) => `${idPrefix}-policy-${control}`;
  const problemsOf = (control: string) => problems.filter((problem) => controlOf(problem.field) === control);
  /** The input's attributes that tie it to its problems, and the problems shown after it. */
  const invalid = (control: string) => {
    const mine = problemsOf(control);
    return mine.length === 0
      ? { id: controlId(control) }
      : { id: controlId(control), 'aria-invalid': true, 'aria-describedby': `${controlId(control)}-problem` };
  };
  const problemText = (control: string): ReactNode => {
    const mine = problemsOf(control);
    if (mine.length === 0) return null;
    return (
      <span className="field-problem" id={`${controlId(control)}-problem`} data-problem-for={control}>
        {mine.map((problem) => `${problem.field}: ${problem.message}`).join('; ')}
      </span>
    );
  };
  const text = (key: TextKey, label: string, hint?: string) => (
    <Label>
      {label}{' '}
      <Input
        {...invalid(key)}
        name={key}
        autoComplete="off"
        value={fields[key]}
        onChange={(event) => change({ [key]: event.target.value })}
      />
      {hint === undefined ? null : <small> {hint}</small>}
      {problemText(key)}
    </Label>
  );
  const lines = (key: TextKey, label: string, hint: string) => (
    <Label>
      {label} <small>{hint}</small>
      <Textarea
        {...invalid(key)}
        name={key}
        rows={2}
        value={fields[key]}
        onChange={(event) => change({ [key]: event.target.value })}
      />
      {problemText(key)}
    </Label>
  );
  const checkbox = (key: BooleanKey, label: string) => (
    <Label>
      <Checkbox
        {...invalid(key)}
        name={key}
        checked={fields[key]}
        onChange={(event) => change({ [key]: event.target.checked })}
      />{' '}
      {label}
      {problemText(key)}
    </Label>
  );
  const choice = (key: TextKey, label: string, options: readonly string[]) => (
    <Label>
      {label}{' '}
      <NativeSelect
        {...invalid(key)}
        name={key}
        value={fields[key]}
        onChange={(event) => change({ [key]: event.target.value })}
      >
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </NativeSelect>
      {problemText(key)}
    </Label>
  );

  const title = mode.kind === 'create' ? 'Create an UpdatePolicy' : `Edit UpdatePolicy ${mode.name}`;
  const isAccepted = accepted === JSON.stringify(fields);
  return (
    <Card aria-labelledby={`${idPrefix}-title`}>
      <h3 id={`${idPrefix}-title`}>{title}</h3>
      <form
        aria-label={title}
        className="policy-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void send(true);
        }}
      >
        {mode.kind === 'create' ? (
          text('name', 'Name', 'a DNS subdomain, e.g. workers')
        ) : (
          <p data-testid="policy-version">
            {mode.name}, as of resourceVersion {resourceVersion}
          </p>
        )}
        {text(
          'nodeSelector',
          'Node selector',
          "kubectl's syntax, e.g. node-role.kubernetes.io/worker, !example.com/hold; empty selects every node",
        )}
        {text('maxUnavailable', 'Max unavailable', 'a number of nodes, or a percentage such as 25%')}
        {checkbox('paused', 'Paused (start no new reboots)')}
        <fieldset>
          <legend>Reboot windows (none: at any time)</legend>
          {problemText('rebootWindows')}
          {fields.rebootWindows.map((window, index) => {
            const windowControl = (part: string) => `window-${index}-${part}`;
            const windowText = (part: 'start' | 'duration' | 'timeZone', label: string) => (
              <Label>
                {label}{' '}
                <Input
                  {...invalid(windowControl(part))}
                  name={`${part}-${index}`}
                  autoComplete="off"
                  value={window[part]}
                  onChange={(event) => changeWindow(index, { [part]: event.target.value })}
                />
                {problemText(windowControl(part))}
              </Label>
            );
            return (
              <fieldset key={index} data-window={index}>
                <legend>Window {index + 1}</legend>
                <div role="group" aria-label={`Window ${index + 1} days`} {...invalid(windowControl('days'))}>
                  {WEEKDAYS.map((day: Weekday) => (
                    <Label key={day} className="inline">
                      <Checkbox
                        checked={window.days.includes(day)}
                        onChange={(event) =>
                          changeWindow(index, {
                            days: event.target.checked
                              ? WEEKDAYS.filter((each) => each === day || window.days.includes(each))
                              : window.days.filter((each) => each !== day),
                          })
                        }
                      />{' '}
                      {day}
                    </Label>
                  ))}
                  {problemText(windowControl('days'))}
                </div>
                {windowText('start', 'Start (HH:MM)')}
                {windowText('duration', 'Duration')}
                {windowText('timeZone', 'Time zone')}
                <Button
                  variant="outline"
                  size="sm"

                  onClick={() => change({ rebootWindows: fields.rebootWindows.filter((_, at) => at !== index) })}
                >
                  Remove window {index + 1}
                </Button>
              </fieldset>
            );
          })}
          <Button
            variant="outline"
            size="sm"
            onClick={() => change({ rebootWindows: [...fields.rebootWindows, NEW_REBOOT_WINDOW] })}
          >
            Add a reboot window
          </Button>
        </fieldset>
        <fieldset>
          <legend>Drain</legend>
          {text('drainTimeout', 'Timeout')}
          {choice('drainOnTimeout', 'On timeout', DRAIN_TIMEOUT_ACTIONS)}
          {text('drainMaxRetryDelay', 'Longest wait before a retry')}
          {text('drainGracePeriodSeconds', 'Grace period (seconds)', "-1: each pod's own")}
          {checkbox('drainDeleteEmptyDirData', 'Evict pods with emptyDir data (it is lost)')}
          {checkbox('drainForce', 'Force (pods without a controller; PodDisruptionBudgets after the timeout)')}
          {lines('drainSkipPodSelectors', 'Pods left running', 'one label selector per line')}
        </fieldset>
        <fieldset>
          <legend>Hooks (node annotations that must be "true")</legend>
          {lines('beforeRebootHooks', 'Before reboot', 'one annotation key per line')}
          {lines('afterRebootHooks', 'After reboot', 'one annotation key per line')}
        </fieldset>
        <fieldset>
          <legend>Reboot timeout</legend>
          {text('rebootTimeout', 'Duration')}
          {choice('rebootOnTimeout', 'On timeout', REBOOT_TIMEOUT_ACTIONS)}
        </fieldset>
        {problems.length === 0 ? null : (
          <div role="alert" data-testid="policy-form-problems">
            <ul>
              {problems.map((problem) => (
                <li key={`${problem.field}: ${problem.message}`}>{`${problem.field}: ${problem.message}`}</li>
              ))}
            </ul>
          </div>
        )}
        {serverError === undefined ? null : (
          <Alert variant="destructive" role="alert" data-testid="policy-server-error">
            {serverError}
          </Alert>
        )}
        {isAccepted ? (
          <p aria-live="polite" data-testid="policy-dry-run">
            Dry run: the API server accepts this policy. Nothing is stored until you{' '}
            {mode.kind === 'create' ? 'create' : 'save'} it.
          </p>
        ) : null}
        <p>
          <Button type="submit" disabled={busy}>
            Check
          </Button>{' '}
          <Button variant="outline" size="sm" disabled={busy || !isAccepted} onClick={() => void send(false)}>
            {mode.kind === 'create' ? 'Create' : 'Save'}
          </Button>{' '}
          {mode.kind === 'edit' ? (
            <>
              <Button variant="outline" size="sm" disabled={busy} onClick={() => void load()}>
                Reload
              </Button>{' '}
            </>
          ) : null}
          <Button variant="outline" size="sm" onClick={onCancel}>
            Cancel
          </Button>
        </p>
      </form>
    </Card>
  );
}
