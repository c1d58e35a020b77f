import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerLogQueryError } from './errors.ts';
import { parseContainerLogQuery } from './kubelet-api-query.ts';

const NOW = new Date('2026-12-05T10:00:00Z');
const parse = (query: string) => parseContainerLogQuery(new URLSearchParams(query), NOW);

function refused(query: string): string {
  try {
    parse(query);
  } catch (error) {
    assert.ok(error instanceof ContainerLogQueryError, String(error));
    return error.message;
  }
  assert.fail(`${query} was accepted`);
}

describe('parseContainerLogQuery', () => {
  it('defaults to the whole current log, not followed, without timestamps', () => {
    assert.deepEqual(parse(''), { follow: false, previous: false, timestamps: false });
  });

  it('reads what kube-apiserver sends for kubectl logs -f --previous --timestamps --tail --limit-bytes', () => {
    assert.deepEqual(parse('follow=true&previous=1&timestamps=True&limitBytes=10&stream=Stderr'), {
      follow: true,
      previous: true,
      timestamps: true,
      limitBytes: 10,
      stream: 'stderr',
    });
    assert.equal(parse('follow=false&stream=All').follow, false);
    assert.equal(parse('tailLines=0&stream=All').tailLines, 0);
  });

  it('turns sinceSeconds into a time before now, and takes sinceTime as it is', () => {
    assert.deepEqual(parse('sinceSeconds=60').since, new Date('2026-12-05T09:59:00Z'));
    assert.deepEqual(parse('sinceTime=2026-12-05T09:30:00.5%2B01:00').since, new Date('2026-12-05T08:30:00.500Z'));
  });

  it('names every bad parameter at once', () => {
    const message = refused('follow=yes&tailLines=-1&limitBytes=0&sinceTime=yesterday&stream=stdout&color=1');
    assert.match(message, /unknown query parameters: color/);
    assert.match(message, /follow: must be true or false/);
    assert.match(message, /tailLines: must be a whole number/);
    assert.match(message, /limitBytes: must be at least 1/);
    assert.match(message, /sinceTime: must be an RFC 3339 time/);
    assert.match(message, /stream: must be All, Stdout or Stderr/);
  });

  it('refuses what cannot go together or comes twice', () => {
    assert.match(refused('sinceSeconds=5&sinceTime=2026-12-05T09:30:00Z'), /at most one of sinceSeconds or sinceTime/);
    assert.match(refused('tailLines=3&stream=Stdout'), /tailLines cannot be combined with a single stream/);
    assert.match(refused('follow=true&follow=false'), /given more than once: follow/);
    assert.match(refused('sinceSeconds=0'), /sinceSeconds: must be at least 1/);
  });
});
