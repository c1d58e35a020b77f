// The store's logic once, over a minimal SQL connection that SQLite and
// PostgreSQL both provide. Queries use `?` placeholders; the PostgreSQL
// connection numbers them.
import { z } from 'zod';
import { UpdateStoreError } from '../errors.ts';
import type { CheckDecision, RolloutQuery, RolloutStats } from '../policy/decide.ts';
import type { StateChange } from '../policy/events.ts';
import { IN_PROGRESS_STATES, MACHINE_STATES } from '../policy/machine.ts';
import type {
  CheckRequest,
  FinalDecision,
  HistoryEntry,
  MachineChange,
  MachineIdentity,
  MachinePage,
  MachineQuery,
  MachineRecord,
  UpdateStore,
  VersionCount,
} from './store.ts';

export type SqlValue = string | number | null;

export interface SqlQueries {
  all(sql: string, params?: readonly SqlValue[]): Promise<readonly unknown[]>;
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

/** The queries of one transaction. */
export interface TransactionQueries extends SqlQueries {
  /**
   * Issues a write without waiting for its answer. The transaction commits
   * only if every write succeeded, and fails with the write's error if one did
   * not; on PostgreSQL the last writes travel with the COMMIT, in one round trip.
   */
  write(sql: string, params?: readonly SqlValue[]): void;
}

export interface SqlConnection extends SqlQueries {
  /**
   * Runs `work` in one transaction that holds an exclusive lock named by
   * `lock` (a group's track). Queries `work` issues without awaiting each
   * (`Promise.all`) may travel together: on PostgreSQL the BEGIN, the lock and
   * the first reads are one round trip.
   */
  transaction<T>(lock: string, work: (queries: TransactionQueries) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// Drivers answer counts and BIGINTs as strings or bigints; coerce them once, here.
const count = z.coerce.number().int().nonnegative();
const instant = z.coerce.number().int();
const optionalText = z
  .string()
  .nullable()
  .transform((value) => value ?? undefined);

const machineRow = z.object({
  machine_id: z.string(),
  alias: z.string(),
  track: z.string(),
  current_version: z.string(),
  target_version: optionalText,
  state: z.enum(MACHINE_STATES).nullable(),
  hold_reason: optionalText,
  granted_at: instant.nullable(),
  last_error_code: z.coerce.number().int().nullable(),
  last_check_at: instant,
});

const historyRow = z.object({
  machine_id: z.string(),
  at: instant,
  state: z.enum(MACHINE_STATES),
  version: z.string(),
  detail: z.string(),
});

const versionCountRow = z.object({ current_version: z.string(), machines: count });

const IN_PROGRESS_LIST = IN_PROGRESS_STATES.map((state) => `'${state}'`).join(', ');

function toRecord(row: z.infer<typeof machineRow>): MachineRecord {
  return {
    machineId: row.machine_id,
    alias: row.alias,
    track: row.track,
    currentVersion: row.current_version,
    targetVersion: row.target_version,
    state: row.state ?? undefined,
    holdReason: row.hold_reason,
    grantedAt: row.granted_at === null ? undefined : new Date(row.granted_at),
    lastErrorCode: row.last_error_code ?? undefined,
    lastCheckAt: new Date(row.last_check_at),
  };
}

async function readMachine(queries: SqlQueries, machineId: string): Promise<MachineRecord | undefined> {
  const rows = await queries.all('SELECT * FROM machines WHERE machine_id = ?', [machineId]);
  const row = rows[0];
  return row === undefined ? undefined : toRecord(machineRow.parse(row));
}

const countColumn = count.nullable().transform((value) => value ?? 0);

/**
 * Counts one group's rollout of one version for several instants at once
 * (the checks of a batch each have their own time, so their own period and
 * timeout): one statement (one round trip to PostgreSQL) that reads each index
 * range once, whatever the number of instants. Every query must have the
 * first's track and version.
 */
export async function countRollouts(
  queries: SqlQueries,
  rolloutQueries: readonly RolloutQuery[],
): Promise<RolloutStats[]> {
  const [first] = rolloutQueries;
  if (first === undefined) return [];
  if (rolloutQueries.some(({ track, version }) => track !== first.track || version !== first.version))
    throw new UpdateStoreError('rollout counts asked for more than one group and version at once', {
      track: first.track,
      version: first.version,
    });
  const indexes = rolloutQueries.map((_, index) => index);
  const periodStart = Math.min(...rolloutQueries.map((query) => query.periodStart.getTime()));
  // Both parts are read from indexes alone: machines_rollout_counts and machines_granted.
  const [row] = await queries.all(
    `SELECT * FROM
       (SELECT
          ${indexes
            .flatMap((index) => [
              `SUM(CASE WHEN state IN (${IN_PROGRESS_LIST}) AND granted_at >= ? THEN 1 ELSE 0 END) AS in_progress_${index}`,
              `SUM(CASE WHEN state IN (${IN_PROGRESS_LIST}) AND granted_at < ? THEN 1 ELSE 0 END) AS timed_out_${index}`,
            ])
            .join(',\n')},
          SUM(CASE WHEN state = 'complete' THEN 1 ELSE 0 END) AS completed,
          SUM(CASE WHEN state = 'error' THEN 1 ELSE 0 END) AS failed
        FROM machines WHERE track = ? AND target_version = ?) AS of_release,
       (SELECT
          ${indexes.map((index) => `SUM(CASE WHEN granted_at >= ? THEN 1 ELSE 0 END) AS granted_${index}`).join(',\n')}
        FROM machines WHERE track = ? AND granted_at >= ?) AS of_period`,
    [
      ...rolloutQueries.flatMap(({ timeoutBefore }) => [timeoutBefore.getTime(), timeoutBefore.getTime()]),
      first.track,
      first.version,
      ...rolloutQueries.map((query) => query.periodStart.getTime()),
      first.track,
      periodStart,
    ],
  );
  const counts = z.record(z.string(), countColumn).parse(row);
  return indexes.map((index) => ({
    inProgress: counts[`in_progress_${index}`] ?? 0,
    timedOut: counts[`timed_out_${index}`] ?? 0,
    completed: counts['completed'] ?? 0,
    failed: counts['failed'] ?? 0,
    grantedInPeriod: counts[`granted_${index}`] ?? 0,
  }));
}

async function countRollout(queries: SqlQueries, query: RolloutQuery): Promise<RolloutStats> {
  const [stats] = await countRollouts(queries, [query]);
  if (stats === undefined) throw new UpdateStoreError('rollout counts answered nothing', { track: query.track });
  return stats;
}

function appendHistory(
  queries: TransactionQueries,
  machineId: string,
  at: Date,
  state: string,
  version: string,
  detail: string,
): void {
  queries.write('INSERT INTO history (machine_id, at, state, version, detail) VALUES (?, ?, ?, ?, ?)', [
    machineId,
    at.getTime(),
    state,
    version,
    detail,
  ]);
}

const sameQuery = (a: RolloutQuery, b: RolloutQuery) =>
  a.track === b.track &&
  a.version === b.version &&
  a.periodStart.getTime() === b.periodStart.getTime() &&
  a.timeoutBefore.getTime() === b.timeoutBefore.getTime();

const sameIdentity = (known: MachineRecord | undefined, identity: MachineIdentity): known is MachineRecord =>
  known !== undefined &&
  known.alias === identity.alias &&
  known.track === identity.track &&
  known.currentVersion === identity.version;

/**
 * Records the check's time on a known machine and answers its row, in one
 * statement (one round trip to PostgreSQL); undefined for a machine never
 * seen. last_check_at is a column no index covers, so the databases update
 * the row in place (no index entry rewritten; PostgreSQL's heap-only update),
 * and no decision reads it.
 */
async function touchKnownMachine(queries: SqlQueries, identity: MachineIdentity): Promise<MachineRecord | undefined> {
  const [row] = await queries.all('UPDATE machines SET last_check_at = ? WHERE machine_id = ? RETURNING *', [
    identity.now.getTime(),
    identity.machineId,
  ]);
  return row === undefined ? undefined : toRecord(machineRow.parse(row));
}

type Statement = readonly [sql: string, params: readonly SqlValue[]];

/**
 * The statement that inserts the machine if it is new and records what it
 * reports about itself, or undefined when `touched` (its row as
 * touchKnownMachine answered it) already says all of it: nearly every check
 * reports the same alias, track and version. A row changed by a concurrent
 * request in between is no different from that request coming second, an
 * order the two could have arrived in.
 */
function identityUpsert(identity: MachineIdentity, touched: MachineRecord | undefined): Statement | undefined {
  if (sameIdentity(touched, identity)) return undefined;
  return [
    `INSERT INTO machines (machine_id, alias, track, current_version, last_check_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (machine_id) DO UPDATE SET alias = excluded.alias, track = excluded.track,
       current_version = excluded.current_version, last_check_at = excluded.last_check_at`,
    [identity.machineId, identity.alias, identity.track, identity.version, identity.now.getTime()],
  ];
}

function describeChange(change: StateChange): string {
  if (change.errorCode === undefined) return '';
  return change.rollback === true ? `${change.errorCode} rollback` : String(change.errorCode);
}

/** The row as identityUpsert leaves it (a new machine's, or the known one's with what it reports now). */
function withIdentity(record: MachineRecord | undefined, identity: MachineIdentity): MachineRecord {
  if (sameIdentity(record, identity)) return record;
  const { machineId, alias, track, version, now } = identity;
  const known = record ?? {
    machineId,
    targetVersion: undefined,
    state: undefined,
    holdReason: undefined,
    grantedAt: undefined,
    lastErrorCode: undefined,
  };
  return { ...known, alias, track, currentVersion: version, lastCheckAt: now };
}

/**
 * Issues the writes of a decision (see TransactionQueries.write; the
 * transaction's commit waits for them) and answers the row as they leave it,
 * beside each write, so that the next check of a batch sees it.
 */
function applyDecision(
  queries: TransactionQueries,
  identity: MachineIdentity,
  record: MachineRecord | undefined,
  decision: FinalDecision,
): MachineRecord {
  const { machineId, now } = identity;
  const upsert = identityUpsert(identity, record);
  if (upsert !== undefined) queries.write(...upsert);
  const row = withIdentity(record, identity);
  if (decision.kind === 'grant') {
    if (decision.regrant) return row;
    queries.write(
      `UPDATE machines SET state = 'granted', target_version = ?, granted_at = ?, hold_reason = NULL WHERE machine_id = ?`,
      [decision.release.version, now.getTime(), machineId],
    );
    appendHistory(queries, machineId, now, 'granted', decision.release.version, '');
    return { ...row, state: 'granted', targetVersion: decision.release.version, grantedAt: now, holdReason: undefined };
  }
  if (decision.kind === 'hold') {
    // One history entry per change of reason, not one per check: a held machine checks in every hour.
    if (record?.state === 'on-hold' && record.holdReason === decision.reason) return row;
    // A machine held after a failure keeps its error state; the reason is still recorded.
    if (decision.reason === 'failed-before') {
      if (record?.holdReason === decision.reason) return row;
      queries.write('UPDATE machines SET hold_reason = ? WHERE machine_id = ?', [decision.reason, machineId]);
      return { ...row, holdReason: decision.reason };
    }
    queries.write(`UPDATE machines SET state = 'on-hold', hold_reason = ? WHERE machine_id = ?`, [
      decision.reason,
      machineId,
    ]);
    appendHistory(queries, machineId, now, 'on-hold', decision.targetVersion ?? identity.version, decision.reason);
    return { ...row, state: 'on-hold', holdReason: decision.reason };
  }
  return row;
}

const NO_ROLLOUT: RolloutStats = { inProgress: 0, timedOut: 0, completed: 0, failed: 0, grantedInPeriod: 0 };

/**
 * What one machine's row adds to countRollout's counts: the same conditions,
 * for one row, so that a batch can count once and follow its own writes.
 * `contribution.test.ts` holds the two together over many rows.
 */
export function rolloutContribution(row: MachineRecord | undefined, query: RolloutQuery): RolloutStats {
  if (row === undefined) return NO_ROLLOUT;
  const ofRelease = row.track === query.track && row.targetVersion === query.version;
  const grantedAt = row.grantedAt?.getTime();
  const inProgress = ofRelease && row.state !== undefined && IN_PROGRESS_STATES.includes(row.state);
  const beforeTimeout = grantedAt !== undefined && grantedAt < query.timeoutBefore.getTime();
  return {
    inProgress: inProgress && grantedAt !== undefined && !beforeTimeout ? 1 : 0,
    timedOut: inProgress && beforeTimeout ? 1 : 0,
    completed: ofRelease && row.state === 'complete' ? 1 : 0,
    failed: ofRelease && row.state === 'error' ? 1 : 0,
    grantedInPeriod:
      row.track === query.track && grantedAt !== undefined && grantedAt >= query.periodStart.getTime() ? 1 : 0,
  };
}

const addStats = (a: RolloutStats, b: RolloutStats, sign: 1 | -1): RolloutStats => ({
  inProgress: a.inProgress + sign * b.inProgress,
  timedOut: a.timedOut + sign * b.timedOut,
  completed: a.completed + sign * b.completed,
  failed: a.failed + sign * b.failed,
  grantedInPeriod: a.grantedInPeriod + sign * b.grantedInPeriod,
});

/** A check that may grant, waiting for its group's next batch. */
interface PendingCheck {
  readonly request: CheckRequest;
  /** The first pass's decision, from the row as touchKnownMachine answered it. */
  readonly first: CheckDecision;
  readonly resolve: (decision: FinalDecision) => void;
  readonly reject: (error: unknown) => void;
}

/** At most this many checks share a transaction, so one batch's reads and writes stay small. */
const MAX_BATCH = 128;

/**
 * Decides a group's waiting checks in one transaction under its lock, in
 * order, each as if alone after the ones before it: the rows and the counts
 * are read once, together (one round trip on PostgreSQL), and each decision's
 * writes are added to the counts the next one sees.
 */
async function decideBatch(queries: TransactionQueries, batch: readonly PendingCheck[]): Promise<FinalDecision[]> {
  // The first passes' queries, one statement per group and version (nearly always one for the whole batch).
  const asked = batch.flatMap(({ first }, index) =>
    first.kind === 'needs-rollout' ? [{ index, query: first.query }] : [],
  );
  const byRelease = Map.groupBy(asked, ({ query }) => JSON.stringify([query.track, query.version]));
  const [machines, ...countsByRelease] = await Promise.all([
    Promise.all(batch.map(({ request }) => readMachine(queries, request.machineId))),
    ...[...byRelease.values()].map(async (group) => {
      const stats = await countRollouts(
        queries,
        group.map(({ query }) => query),
      );
      return group.map(({ index }, position) => [index, stats[position]] as const);
    }),
  ]);
  const counts = new Map(countsByRelease.flat());
  const read = batch.map((_, index) => [machines[index], counts.get(index)] as const);
  /** Rows this batch has written, as it left them; a machine that checks twice in one batch sees its first check. */
  const rows = new Map<string, MachineRecord>();
  const changes: { readonly before: MachineRecord | undefined; readonly after: MachineRecord }[] = [];
  const decisions: FinalDecision[] = [];
  for (const [index, { request, first }] of batch.entries()) {
    const [readRow, counted] = read[index] ?? [undefined, undefined];
    const machine = rows.get(request.machineId) ?? readRow;
    let decision = request.decide(machine, undefined);
    if (decision.kind === 'needs-rollout') {
      const query = decision.query;
      // The query depends on the group, its release and the time, not on the row: nearly always the first pass's,
      // counted above, to which the batch's own changes so far are added. Otherwise (the row changed since the first
      // pass, which then asked for none) it is counted now, after those changes.
      const stats =
        counted !== undefined && first.kind === 'needs-rollout' && sameQuery(first.query, query)
          ? changes.reduce(
              (sum, change) =>
                addStats(
                  addStats(sum, rolloutContribution(change.after, query), 1),
                  rolloutContribution(change.before, query),
                  -1,
                ),
              counted,
            )
          : await countRollout(queries, query);
      decision = request.decide(machine, stats);
    }
    if (decision.kind === 'needs-rollout')
      throw new UpdateStoreError('the policy asked for rollout stats twice', { machineId: request.machineId });
    const after = applyDecision(queries, request, machine, decision);
    rows.set(request.machineId, after);
    changes.push({ before: machine, after });
    decisions.push(decision);
  }
  return decisions;
}

export class SqlUpdateStore implements UpdateStore {
  readonly #sql: SqlConnection;
  /** Checks that may grant, by group lock, waiting for the batch after the running one. */
  readonly #waiting = new Map<string, PendingCheck[]>();
  /** Group locks with a batch running. */
  readonly #running = new Set<string>();
  readonly #changeListeners = new Set<(change: MachineChange) => void>();

  constructor(sql: SqlConnection) {
    this.#sql = sql;
  }

  onMachineChange(listener: (change: MachineChange) => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  /** After the commit: a listener hears only of what is there to be read. */
  #changed(machineId: string, track: string): void {
    if (machineId === '') return;
    for (const listener of this.#changeListeners) listener({ machineId, track });
  }

  async recordEvents(identity: MachineIdentity, changes: readonly StateChange[]): Promise<void> {
    if (changes.length === 0 || identity.machineId === '') return;
    await this.#guard('recordEvents', identity.machineId, () =>
      this.#sql.transaction(identity.track, async (queries) => {
        // Events arrive with state changes, rarely: the plain upsert, without reading the row first.
        const upsert = identityUpsert(identity, undefined);
        if (upsert !== undefined) await queries.run(...upsert);
        for (const change of changes) {
          const machine = await readMachine(queries, identity.machineId);
          // A completion repeats on every check after the reboot; record it once.
          if (
            change.state === 'complete' &&
            machine?.state === 'complete' &&
            machine.currentVersion === identity.version
          )
            continue;
          const version = change.state === 'complete' ? identity.version : (machine?.targetVersion ?? identity.version);
          await queries.run(
            'UPDATE machines SET state = ?, last_error_code = ?, hold_reason = NULL WHERE machine_id = ?',
            [change.state, change.errorCode ?? null, identity.machineId],
          );
          appendHistory(queries, identity.machineId, identity.now, change.state, version, describeChange(change));
        }
      }),
    );
    this.#changed(identity.machineId, identity.track);
  }

  recordCheck(request: CheckRequest): Promise<FinalDecision> {
    return this.#guard('recordCheck', request.machineId, async () => {
      const [decision] = await this.#recordChecks([request]);
      if (decision === undefined)
        throw new UpdateStoreError('a check got no decision', { machineId: request.machineId });
      return decision;
    });
  }

  recordChecks(requests: readonly CheckRequest[]): Promise<readonly FinalDecision[]> {
    return this.#guard('recordChecks', requests[0]?.machineId ?? '', () => this.#recordChecks(requests));
  }

  async #recordChecks(requests: readonly CheckRequest[]): Promise<readonly FinalDecision[]> {
    const decisions = await this.#decideChecks(requests);
    for (const request of requests) this.#changed(request.machineId, request.track);
    return decisions;
  }

  async #decideChecks(requests: readonly CheckRequest[]): Promise<readonly FinalDecision[]> {
    // The first pass: decided here unless it may grant, or must change the machine's state.
    const firsts = await Promise.all(
      requests.map(async (request): Promise<FinalDecision | { readonly wait: CheckDecision }> => {
        if (request.machineId === '') {
          const decision = request.decide(undefined, undefined);
          if (decision.kind === 'needs-rollout')
            throw new UpdateStoreError('the policy asked for rollout stats for a machine without an ID', {});
          return decision;
        }
        const touched = await touchKnownMachine(this.#sql, request);
        const first = request.decide(touched, undefined);
        // Most checks come from machines already up to date: that one statement records them, no transaction needed.
        if (first.kind !== 'noupdate') return { wait: first };
        const upsert = identityUpsert(request, touched);
        if (upsert !== undefined) await this.#sql.run(...upsert);
        return first;
      }),
    );
    // The rest wait for their group's next batch, in the order given.
    const pending: PendingCheck[] = [];
    const answers = requests.map((request, index) => {
      const first = firsts[index];
      if (first === undefined)
        throw new UpdateStoreError('a check got no first pass', { machineId: request.machineId });
      if (!('wait' in first)) return Promise.resolve(first);
      return new Promise<FinalDecision>((resolve, reject) =>
        pending.push({ request, first: first.wait, resolve, reject }),
      );
    });
    const byLock = Map.groupBy(pending, ({ request, first }) =>
      first.kind === 'needs-rollout' ? first.query.track : request.track,
    );
    for (const [lock, checks] of byLock) this.#enqueue(lock, checks);
    return Promise.all(answers);
  }

  /** Queues checks for their group's next batch, and starts one unless a batch of that group is running. */
  #enqueue(lock: string, checks: readonly PendingCheck[]): void {
    const waiting = this.#waiting.get(lock);
    if (waiting !== undefined) waiting.push(...checks);
    else this.#waiting.set(lock, [...checks]);
    if (!this.#running.has(lock)) void this.#drain(lock);
  }

  /** Runs a group's batches until none is waiting: what arrives while one runs makes up the next. */
  async #drain(lock: string): Promise<void> {
    this.#running.add(lock);
    try {
      for (;;) {
        const waiting = this.#waiting.get(lock) ?? [];
        if (waiting.length === 0) break;
        const batch = waiting.splice(0, MAX_BATCH);
        if (waiting.length === 0) this.#waiting.delete(lock);
        await this.#runBatch(lock, batch);
      }
    } finally {
      this.#running.delete(lock);
    }
  }

  async #runBatch(lock: string, batch: readonly PendingCheck[]): Promise<void> {
    try {
      const decisions = await this.#sql.transaction(lock, (queries) => decideBatch(queries, batch));
      for (const [index, check] of batch.entries()) {
        const decision = decisions[index];
        if (decision === undefined) check.reject(new UpdateStoreError('a batch answered fewer decisions', { lock }));
        else check.resolve(decision);
      }
    } catch (error) {
      // Nothing of the batch was committed. Alone, each check fails only for what fails it.
      if (batch.length === 1) batch[0]?.reject(error);
      else for (const check of batch) await this.#runBatch(lock, [check]);
    }
  }

  machine(machineId: string): Promise<MachineRecord | undefined> {
    return this.#guard('machine', machineId, () => readMachine(this.#sql, machineId));
  }

  history(machineId: string): Promise<readonly HistoryEntry[]> {
    return this.#guard('history', machineId, async () => {
      const rows = await this.#sql.all('SELECT * FROM history WHERE machine_id = ? ORDER BY id', [machineId]);
      return rows.map((row) => {
        const entry = historyRow.parse(row);
        return {
          machineId: entry.machine_id,
          at: new Date(entry.at),
          state: entry.state,
          version: entry.version,
          detail: entry.detail,
        };
      });
    });
  }

  rolloutStats(query: RolloutQuery): Promise<RolloutStats> {
    return this.#guard('rolloutStats', query.track, () => countRollout(this.#sql, query));
  }

  listMachines(query: MachineQuery): Promise<MachinePage> {
    return this.#guard('listMachines', query.track ?? '', async () => {
      const where: string[] = [];
      const params: SqlValue[] = [];
      const filters: [string, string | undefined][] = [
        ['machine_id > ?', query.after],
        ['track = ?', query.track],
        ['current_version = ?', query.version],
        ['state = ?', query.state],
      ];
      for (const [clause, value] of filters) {
        if (value === undefined) continue;
        where.push(clause);
        params.push(value);
      }
      // One more than asked for says whether another page exists, without a count.
      const rows = await this.#sql.all(
        `SELECT * FROM machines ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
         ORDER BY machine_id LIMIT ?`,
        [...params, query.limit + 1],
      );
      const machines = rows.slice(0, query.limit).map((row) => toRecord(machineRow.parse(row)));
      return {
        machines,
        lastMachineId: rows.length > query.limit ? machines[machines.length - 1]?.machineId : undefined,
      };
    });
  }

  versionBreakdown(track: string): Promise<readonly VersionCount[]> {
    return this.#guard('versionBreakdown', track, async () => {
      const rows = await this.#sql.all(
        `SELECT current_version, COUNT(*) AS machines FROM machines WHERE track = ?
         GROUP BY current_version ORDER BY machines DESC, current_version`,
        [track],
      );
      return rows.map((row) => {
        const parsed = versionCountRow.parse(row);
        return { version: parsed.current_version, machines: parsed.machines };
      });
    });
  }

  pruneHistory(before: Date): Promise<number> {
    return this.#guard('pruneHistory', '', () => this.#sql.run('DELETE FROM history WHERE at < ?', [before.getTime()]));
  }

  close(): Promise<void> {
    return this.#sql.close();
  }

  async #guard<T>(operation: string, subject: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof UpdateStoreError) throw error;
      throw new UpdateStoreError(
        `the update store failed to ${operation}: ${error instanceof Error ? error.message : String(error)}`,
        { operation, subject },
        { cause: error },
      );
    }
  }
}
