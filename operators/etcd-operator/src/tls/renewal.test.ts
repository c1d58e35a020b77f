import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { certificateValiditySeconds, renewalDue, renewalTime } from './renewal.ts';
import { aTlsCluster } from './test-fixtures.ts';

describe('certificate renewal times', () => {
  const issuedAt = new Date('2026-12-05T00:00:00Z');
  const validity = 900;
  const notAfter = new Date(issuedAt.getTime() + validity * 1000);

  it('is due once less than a third of the lifetime is left, not before', () => {
    assert.equal(renewalDue(notAfter, validity, new Date(issuedAt.getTime() + 599_000)), false);
    assert.equal(renewalDue(notAfter, validity, new Date(issuedAt.getTime() + 600_000)), true);
    assert.equal(renewalDue(notAfter, validity, new Date(notAfter.getTime() + 1000)), true, 'expired: due');
    assert.equal(renewalTime(notAfter, validity).toISOString(), '2026-12-05T00:10:00.000Z');
  });

  it("takes the cluster's certificateValidityHours, capped by the operator's flag", () => {
    const cluster = aTlsCluster('main', { tls: { auto: { certificateValidityHours: 48 } } });
    assert.equal(certificateValiditySeconds(cluster, undefined), 48 * 3600);
    assert.equal(certificateValiditySeconds(cluster, 180), 180);
    assert.equal(certificateValiditySeconds(cluster, 10 * 24 * 3600), 48 * 3600, 'a cap never lengthens it');
    assert.equal(certificateValiditySeconds(aTlsCluster('main', {}), undefined), 8760 * 3600, 'the default: a year');
  });
});
