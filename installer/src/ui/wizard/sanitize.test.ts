import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanLine, cleanLines } from './sanitize.ts';

describe('cleaning typed and pasted text', () => {
  it('drops colour, cursor and title sequences and control characters', () => {
    assert.equal(
      cleanLine('\x1b[1;31mred\x1b[0m \x1b[2J\x1b[H\x1b]0;evil title\x07ok\x1b]8;;http://x\x1b\\link'),
      'red oklink',
    );
    assert.equal(cleanLine('a\x00b\x07c\x7fd\x85e'), 'abcde');
  });

  it('keeps line breaks only where a field takes lines', () => {
    assert.equal(cleanLine('a\r\nb\tc\nd'), 'a b c d');
    assert.equal(cleanLines('a\r\nb\tc\rd\n'), 'a\nb c\nd\n');
  });

  it('leaves ordinary text alone, non-ASCII included', () => {
    assert.equal(
      cleanLine('Europe/Zürich 10.2.0.0/16 ssh-ed25519 AAAA+/= a@b'),
      'Europe/Zürich 10.2.0.0/16 ssh-ed25519 AAAA+/= a@b',
    );
  });
});
