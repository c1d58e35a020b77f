// A process that competes for a lock in lock-file.test.ts: it reports
// "ready", waits for "go" (so that all contenders start at once), then takes
// the lock `rounds` times, logging "enter <id>" and "exit <id>" around each
// hold, and exits.
import { appendFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { withLockFile } from '../lock-file.ts';

const [lock, log, id, rounds] = process.argv.slice(2);
if (lock === undefined || log === undefined || id === undefined || rounds === undefined) {
  throw new Error('usage: lock-contender <lock> <log> <id> <rounds>');
}
const send = (message: string): void => {
  if (process.send === undefined) throw new Error('lock-contender runs with an IPC channel (child_process.fork)');
  process.send(message);
};

await new Promise<void>((resolve) => {
  process.once('message', () => resolve());
  send('ready');
});
for (let round = 0; round < Number(rounds); round += 1) {
  await withLockFile(
    lock,
    async () => {
      await appendFile(log, `enter ${id}\n`);
      // Long enough for a contender that wrongly believes it holds the lock to enter meanwhile.
      await sleep(2 + Math.random() * 8);
      await appendFile(log, `exit ${id}\n`);
    },
    { pollIntervalMs: 2 },
  );
}
process.disconnect();
