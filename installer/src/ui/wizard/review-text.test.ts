import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { configYaml, diffLines, reviewLines } from './review-text.ts';
import { stateWith } from './test-fixtures.ts';

describe('the review text', () => {
  it('marks the lines the new file adds and removes against the existing one', () => {
    assert.deepEqual(diffLines('a\nb\nc\n', 'a\nB\nc\nd\n'), [
      { mark: ' ', text: 'a' },
      { mark: '+', text: 'B' },
      { mark: '-', text: 'b' },
      { mark: ' ', text: 'c' },
      { mark: '+', text: 'd' },
    ]);
  });

  it('shows the file unmarked when there is none, and as unchanged when it is the same', () => {
    const { answers } = stateWith({ name: 'demo' });
    assert.ok(reviewLines(answers, undefined).every((line) => line.mark === ' '));
    assert.ok(reviewLines(answers, configYaml(answers)).every((line) => line.mark === ' '));
    const changed = reviewLines({ ...answers, workers: '4' }, configYaml(answers));
    assert.deepEqual(
      changed.filter((line) => line.mark !== ' '),
      [
        { mark: '+', text: '    count: 4' },
        { mark: '-', text: '    count: 1' },
      ],
    );
  });

  it('writes only what was asked: the schema fills the rest', () => {
    const written = parse(configYaml(stateWith({ name: 'demo' }).answers)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(written), [
      'apiVersion',
      'kind',
      'name',
      'baseDomain',
      'platform',
      'local',
      'controllers',
      'workerPools',
      'os',
      'networking',
      'updates',
    ]);
  });
});
