import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sharedControlPlane, uniqueName, waitFor } from '@strata/harness';
import { campaignForLease, type LeaseCampaign } from './lease-campaign.ts';

const cluster = await sharedControlPlane();
const kubeConfig = cluster.adminKubeConfig();

interface Replica {
  readonly campaign: LeaseCampaign;
  readonly stop: AbortController;
  readonly terms: string[];
}

function replica(lease: string, identity: string): Replica {
  const stop = new AbortController();
  const terms: string[] = [];
  const campaign = campaignForLease({
    kubeConfig,
    namespace: 'default',
    name: lease,
    identity,
    leaseDurationSeconds: 3,
    renewDeadlineMs: 2000,
    retryPeriodMs: 250,
    signal: stop.signal,
    onError: (error) => terms.push(`error ${String(error)}`),
    lead: async (leadership, isLeader) => {
      terms.push(`lead ${String(isLeader())}`);
      await new Promise<void>((resolve) => leadership.addEventListener('abort', () => resolve(), { once: true }));
      // The term's work outlives the Lease briefly; the campaign must wait for it before it resolves.
      await new Promise((resolve) => setImmediate(resolve));
      terms.push(`ended ${String(isLeader())}`);
    },
  });
  return { campaign, stop, terms };
}

describe('campaignForLease against a real API server', () => {
  const replicas: Replica[] = [];
  after(async () => {
    for (const each of replicas) each.stop.abort();
    await Promise.all(replicas.map((each) => each.campaign.stopped));
  });

  it('runs one term on exactly one replica, and hands over when the leader stops', async () => {
    const lease = uniqueName('campaign');
    const a = replica(lease, 'replica-a');
    const b = replica(lease, 'replica-b');
    replicas.push(a, b);
    const first = await waitFor('a leader', () => [a, b].find((each) => each.campaign.isLeader()));
    const second = first === a ? b : a;
    await waitFor('the first term', () => first.terms.includes('lead true') || undefined);
    assert.equal(second.campaign.isLeader(), false);

    first.stop.abort();
    await first.campaign.stopped;
    // stopped resolved only after the term's own work ended, and the term saw itself no longer leading.
    assert.deepEqual(first.terms, ['lead true', 'ended false']);
    await waitFor('the standby leads', () => second.campaign.isLeader() || undefined, { timeoutMs: 10_000 });
    await waitFor('its term', () => second.terms.includes('lead true') || undefined);

    second.stop.abort();
    await second.campaign.stopped;
    assert.deepEqual(second.terms, ['lead true', 'ended false']);
  });
});
