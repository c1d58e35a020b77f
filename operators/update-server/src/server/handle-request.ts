// One Omaha request, parsed, decided and recorded: events first (a completion
// reported with this check counts before the check is decided), then the check.
import type { Catalog } from '../policy/model.ts';
import { offerFor } from '../policy/model.ts';
import { decideCheck } from '../policy/decide.ts';
import { interpretEvent, type StateChange } from '../policy/events.ts';
import {
  FLATCAR_APP_ID,
  type OmahaAppRequest,
  type OmahaRequest,
  type AppAnswer,
  type UpdateCheckAnswer,
} from '@strata/omaha';
import type { FinalDecision, UpdateStore } from '../store/store.ts';

export interface AnsweredApp {
  readonly answer: AppAnswer;
  /** The decision of the app's update check, for logs and metrics. */
  readonly decision: FinalDecision | undefined;
}

/** The app status update_engine ignores and people read: `ok`, or why the machine is held. */
export function appStatus(decision: FinalDecision | undefined): string {
  return decision?.kind === 'hold' ? decision.reason : 'ok';
}

function checkAnswer(decision: FinalDecision): UpdateCheckAnswer {
  return decision.kind === 'grant' ? { status: 'ok', offer: offerFor(decision.release) } : { status: 'noupdate' };
}

async function answerApp(app: OmahaAppRequest, catalog: Catalog, store: UpdateStore, now: Date): Promise<AnsweredApp> {
  if (app.appId.toLowerCase() !== FLATCAR_APP_ID)
    return { answer: { kind: 'unknown-application', appId: app.appId }, decision: undefined };
  const identity = { machineId: app.machineId, alias: app.machineAlias, track: app.track, version: app.version, now };
  const changes = app.events
    .map((event) => interpretEvent(event, app.version))
    .filter((change): change is StateChange => change !== undefined);
  await store.recordEvents(identity, changes);
  let decision: FinalDecision | undefined;
  if (app.updateCheck) {
    const group = catalog.groupByTrack.get(app.track);
    const channel = group === undefined ? undefined : catalog.channelByName.get(group.channel);
    decision = await store.recordCheck({
      ...identity,
      decide: (machine, rollout) =>
        decideCheck({ machineId: app.machineId, version: app.version, group, channel, machine, now, rollout }),
    });
  }
  return {
    decision,
    answer: {
      kind: 'answered',
      appId: app.appId,
      status: appStatus(decision),
      ping: app.ping,
      updateCheck: decision === undefined ? undefined : checkAnswer(decision),
      events: app.events.length,
    },
  };
}

export async function answerRequest(
  request: OmahaRequest,
  catalog: Catalog,
  store: UpdateStore,
  now: Date,
): Promise<readonly AnsweredApp[]> {
  const answers: AnsweredApp[] = [];
  for (const app of request.apps) answers.push(await answerApp(app, catalog, store, now));
  return answers;
}
