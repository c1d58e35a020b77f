import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpdateModelError } from '../errors.ts';
import { aCatalog, aRelease } from '../testing/builders.ts';
import { offerFor, parseCatalog } from './model.ts';

const naming = (field: string) => (error: unknown) =>
  error instanceof UpdateModelError && error.context['field'] === field;

describe('parseCatalog', () => {
  it('indexes groups by track and channels by name, with policy defaults', () => {
    const catalog = parseCatalog(aCatalog({ track: 'GROUP-1' }));
    const group = catalog.groupByTrack.get('GROUP-1');
    assert.equal(group?.channel, 'stable');
    assert.equal(group?.policy.enabled, true);
    assert.equal(catalog.channelByName.get('stable')?.release?.version, '3374.2.1');
  });

  it('names the field of an invalid release', () => {
    const input = aCatalog({ release: { ...aRelease(), sha256: 'ABC' } });
    assert.throws(() => parseCatalog(input), naming('channels.0.release.sha256'));
  });

  it('refuses a payload URL that names a directory or carries a query', () => {
    assert.throws(
      () => parseCatalog(aCatalog({ release: aRelease({ payloadUrl: 'https://x.test/dir/' }) })),
      naming('channels.0.release.payloadUrl'),
    );
    assert.throws(
      () => parseCatalog(aCatalog({ release: aRelease({ payloadUrl: 'https://x.test/p.gz?sig=1' }) })),
      naming('channels.0.release.payloadUrl'),
    );
  });

  it('refuses an unknown time zone for office hours', () => {
    const input = aCatalog({
      policy: { officeHours: { timeZone: 'Mars/Olympus', start: '09:00', end: '17:00', days: ['Mon'] } },
    });
    assert.throws(() => parseCatalog(input), naming('groups.0.policy.officeHours.timeZone'));
  });

  it('refuses a group whose channel does not exist, and a track used twice', () => {
    const input = aCatalog();
    assert.throws(
      () => parseCatalog({ ...input, groups: input.groups.map((group) => ({ ...group, channel: 'beta' })) }),
      naming('groups.0.channel'),
    );
    const [group] = input.groups;
    assert.ok(group);
    assert.throws(
      () => parseCatalog({ ...input, groups: [group, { ...group, name: 'other' }] }),
      naming('groups.1.track'),
    );
  });
});

describe('offerFor', () => {
  it('splits the payload URL into a codebase ending in / and the package name', () => {
    const offer = offerFor(aRelease({ payloadUrl: 'http://10.0.0.1:8080/payloads/flatcar%20update.gz' }));
    assert.equal(offer.codebase, 'http://10.0.0.1:8080/payloads/');
    assert.equal(offer.packageName, 'flatcar update.gz');
  });
});
