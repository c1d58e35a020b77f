import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkIpv4Only, PreflightError } from './preflight.ts';

describe('the local platform is IPv4 only', () => {
  it('accepts IPv4 ranges', () => {
    assert.doesNotThrow(() => checkIpv4Only({ podCidr: '10.2.0.0/16', serviceCidr: '10.3.0.0/16' }));
  });

  it('refuses a dual-stack config, naming each field and an IPv4 range to keep', () => {
    assert.throws(
      () => checkIpv4Only({ podCidr: '10.2.0.0/16,fd00:10:2::/56', serviceCidr: '10.3.0.0/16,fd00:10:3::/112' }),
      (error: unknown) => {
        assert.ok(error instanceof PreflightError);
        assert.equal(
          error.message,
          [
            "The local platform runs IPv4 clusters only (its nodes live on this machine's 127.0.0.x loopback addresses):",
            '  networking.podCidr is dual-stack (10.2.0.0/16, fd00:10:2::/56); use one IPv4 range, e.g. podCidr: 10.2.0.0/16',
            '  networking.serviceCidr is dual-stack (10.3.0.0/16, fd00:10:3::/112); use one IPv4 range, e.g. serviceCidr: 10.3.0.0/16',
            'IPv6 and dual-stack configs are for aws, gcp, azure and bare-metal (strata render writes their assets).',
          ].join('\n'),
        );
        return true;
      },
    );
  });

  it('refuses an IPv6-only config, suggesting the default IPv4 ranges', () => {
    assert.throws(
      () => checkIpv4Only({ podCidr: 'fd00:10:2::/56', serviceCidr: 'fd00:10:3::/112' }),
      (error: unknown) => {
        assert.ok(error instanceof PreflightError);
        assert.match(
          error.message,
          /networking\.podCidr is IPv6 \(fd00:10:2::\/56\); use one IPv4 range, e\.g\. podCidr: 10\.2\.0\.0\/16/,
        );
        assert.match(error.message, /networking\.serviceCidr is IPv6 .* serviceCidr: 10\.3\.0\.0\/16/);
        return true;
      },
    );
  });
});
