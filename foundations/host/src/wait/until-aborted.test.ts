import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { untilAborted } from './until-aborted.ts';

describe('untilAborted', () => {
  it('settles with the work when the signal does not abort', async () => {
    assert.equal(await untilAborted(Promise.resolve(7), new AbortController().signal), 7);
    await assert.rejects(untilAborted(Promise.reject(new Error('work failed')), new AbortController().signal), {
      message: 'work failed',
    });
  });

  it("rejects with the signal's reason once it aborts, while the work goes on", async () => {
    const controller = new AbortController();
    let finish: (value: string) => void = () => undefined;
    const work = new Promise<string>((resolve) => (finish = resolve));
    const waiting = untilAborted(work, controller.signal);
    controller.abort(new Error('no longer needed'));
    await assert.rejects(waiting, { message: 'no longer needed' });
    finish('done anyway');
    assert.equal(await work, 'done anyway');
  });

  it('rejects at once for a signal that has already aborted', async () => {
    await assert.rejects(untilAborted(Promise.resolve(1), AbortSignal.abort(new Error('already'))), {
      message: 'already',
    });
  });
});
