import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  addBuckets,
  histogramBuckets,
  parseSamples,
  PrometheusTextError,
  quantileUpperBound,
} from './prometheus-text.ts';

const exposition = `# HELP strata_update_operator_decision_latency_seconds From reboot-needed to the grant.
# TYPE strata_update_operator_decision_latency_seconds histogram
strata_update_operator_decision_latency_seconds_bucket{le="0.1",policy="default"} 90
strata_update_operator_decision_latency_seconds_bucket{le="1",policy="default"} 99
strata_update_operator_decision_latency_seconds_bucket{le="+Inf",policy="default"} 100
strata_update_operator_decision_latency_seconds_sum{policy="default"} 12.5
strata_update_operator_decision_latency_seconds_count{policy="default"} 100
strata_update_operator_decision_latency_seconds_bucket{le="0.1",policy="other"} 0
strata_update_operator_decision_latency_seconds_bucket{le="1",policy="other"} 0
strata_update_operator_decision_latency_seconds_bucket{le="+Inf",policy="other"} 10
apiserver_request_total{code="200",resource="nodes",subresource="",verb="PATCH"} 1.5e3 1700000000000
odd{path="C:\\\\DIR",msg="say \\"hi\\"\\n"} NaN
up_forever -Inf
`;

describe('Prometheus text samples', () => {
  it('reads names, labels with escapes, values in every notation, and skips comments', () => {
    const samples = parseSamples(exposition);
    assert.equal(samples.length, 11);
    assert.deepEqual(samples[8], {
      name: 'apiserver_request_total',
      labels: { code: '200', resource: 'nodes', subresource: '', verb: 'PATCH' },
      value: 1500,
    });
    assert.deepEqual(samples[9]?.labels, { path: 'C:\\DIR', msg: 'say "hi"\n' });
    assert.ok(Number.isNaN(samples[9]?.value));
    assert.deepEqual(samples[2], {
      name: 'strata_update_operator_decision_latency_seconds_bucket',
      labels: { le: '+Inf', policy: 'default' },
      value: 100,
    });
    assert.deepEqual(samples[10], { name: 'up_forever', labels: {}, value: Number.NEGATIVE_INFINITY });
  });

  it('keeps the label sets of a histogram apart and sums only those asked for', () => {
    const samples = parseSamples(exposition);
    const mine = histogramBuckets(
      samples,
      'strata_update_operator_decision_latency_seconds',
      (labels) => labels['policy'] === 'default',
    );
    assert.deepEqual(
      [...mine],
      [
        [0.1, 90],
        [1, 99],
        [Number.POSITIVE_INFINITY, 100],
      ],
    );
    assert.equal(
      histogramBuckets(samples, 'strata_update_operator_decision_latency_seconds').get(Number.POSITIVE_INFINITY),
      110,
    );
  });

  it('finds the bucket of a quantile, across added histograms', () => {
    const buckets = histogramBuckets(
      parseSamples(exposition),
      'strata_update_operator_decision_latency_seconds',
      (labels) => labels['policy'] === 'default',
    );
    assert.equal(quantileUpperBound(buckets, 0.5), 0.1);
    assert.equal(quantileUpperBound(buckets, 0.99), 1);
    assert.equal(quantileUpperBound(buckets, 1), Number.POSITIVE_INFINITY);
    const merged = new Map<number, number>();
    addBuckets(merged, buckets);
    addBuckets(
      merged,
      new Map([
        [0.1, 100],
        [1, 100],
        [Number.POSITIVE_INFINITY, 100],
      ]),
    );
    assert.equal(quantileUpperBound(merged, 0.99), 1);
    assert.equal(quantileUpperBound(new Map(), 0.99), undefined);
  });

  it('refuses what is not a sample line', () => {
    assert.throws(() => parseSamples('9lives 1'), PrometheusTextError);
    assert.throws(() => parseSamples('x{a="1} 2'), PrometheusTextError);
    assert.throws(() => parseSamples('x{a=1} 2'), PrometheusTextError);
    assert.throws(() => parseSamples('x{a="1"} one'), PrometheusTextError);
  });
});
