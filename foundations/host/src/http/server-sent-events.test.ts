import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatServerSentEvent, SERVER_SENT_HEARTBEAT, ServerSentEventParser } from './server-sent-events.ts';

describe('Server-Sent Events', () => {
  it('reads back what it writes, however the stream is cut, keeping the last ID', () => {
    const text =
      formatServerSentEvent({ event: 'ready', id: 'e.0', data: '{"seq":0}', retryMs: 2000 }) +
      SERVER_SENT_HEARTBEAT +
      formatServerSentEvent({ event: 'change', id: 'e.1', data: 'two\nlines' }) +
      formatServerSentEvent({ data: 'no id, no type' });
    for (const size of [1, 2, 3, 7, text.length]) {
      const parser = new ServerSentEventParser();
      const events = [];
      for (let at = 0; at < text.length; at += size) events.push(...parser.push(text.slice(at, at + size)));
      assert.deepEqual(
        events,
        [
          { event: 'ready', data: '{"seq":0}', id: 'e.0' },
          { event: 'change', data: 'two\nlines', id: 'e.1' },
          { event: 'message', data: 'no id, no type', id: 'e.1' },
        ],
        `cut every ${size} characters`,
      );
      assert.equal(parser.lastEventId, 'e.1');
    }
  });

  it('reads CR and CRLF line ends, and a newline in a type or ID cannot start a field of its own', () => {
    const parser = new ServerSentEventParser();
    assert.deepEqual(parser.push('event: a\r\ndata: 1\r\r\n'), [{ event: 'a', data: '1' }]);
    const forged = formatServerSentEvent({ event: 'x\ndata: forged', id: 'i\nevent: y', data: 'real' });
    assert.deepEqual(new ServerSentEventParser().push(forged), [
      { event: 'x data: forged', data: 'real', id: 'i event: y' },
    ]);
  });
});
