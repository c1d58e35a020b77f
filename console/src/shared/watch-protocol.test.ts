import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { subscriptionQuerySchema, watchEventSchema } from './watch-protocol.ts';

const accepts = (query: Record<string, string>) => subscriptionQuerySchema.safeParse(query).success;

describe('the watch subscription query', () => {
  it('takes customresources with the group and plural of its CRD', () => {
    assert.deepEqual(
      subscriptionQuerySchema.parse({ resources: 'customresources', group: 'example.com', plural: 'widgets' }),
      { resources: ['customresources'], group: 'example.com', plural: 'widgets' },
    );
    assert.ok(accepts({ resources: 'nodes,customresources', group: 'a.b.example', plural: 'x' }));
  });

  it('refuses customresources without a CRD, and a CRD without customresources', () => {
    assert.ok(!accepts({ resources: 'customresources' }));
    assert.ok(!accepts({ resources: 'customresources', group: 'example.com' }));
    assert.ok(!accepts({ resources: 'customresources', plural: 'widgets' }));
    assert.ok(!accepts({ resources: 'nodes', group: 'example.com', plural: 'widgets' }));
  });

  it('refuses a group that is not a DNS subdomain or a plural that is not a DNS label', () => {
    for (const [group, plural] of [
      ['core', 'pods'],
      ['', 'widgets'],
      ['Example.com', 'widgets'],
      ['example.com/v1', 'widgets'],
      ['example.com', 'Widgets'],
      ['example.com', 'widgets/status'],
      ['example.com', '..'],
    ] as const)
      assert.ok(!accepts({ resources: 'customresources', group, plural }), `${group} ${plural}`);
  });

  it('keeps the node rule alongside', () => {
    assert.ok(accepts({ resources: 'nodedetail,customresources', node: 'n1', group: 'example.com', plural: 'w' }));
    assert.ok(!accepts({ resources: 'customresources', node: 'n1', group: 'example.com', plural: 'w' }));
  });
});

describe('the customresources events', () => {
  it('carry rows of printer-column cells, a delete by namespace/name', () => {
    const row = { namespace: 'default', name: 'w', cells: ['3', ''], created: '2026-12-05T00:00:00Z' };
    assert.ok(watchEventSchema.safeParse({ type: 'snapshot', resource: 'customresources', rows: [row] }).success);
    assert.ok(watchEventSchema.safeParse({ type: 'upsert', resource: 'customresources', row }).success);
    assert.ok(watchEventSchema.safeParse({ type: 'delete', resource: 'customresources', key: 'default/w' }).success);
    assert.ok(!watchEventSchema.safeParse({ type: 'upsert', resource: 'customresources', row: { name: 'w' } }).success);
  });
});

describe('the updateserver events', () => {
  const change = { type: 'change', resource: 'updateserver', groups: ['workers'], channels: [], machines: ['m-1'] };
  const parses = (event: unknown) => watchEventSchema.safeParse(event).success;

  it('carry what changed ("many" machines as null), ready and resync, and are subscribed by name alone', () => {
    assert.ok(parses(change));
    assert.ok(parses({ ...change, machines: null }));
    assert.ok(parses({ type: 'ready', resource: 'updateserver' }));
    assert.ok(parses({ type: 'resync', resource: 'updateserver' }));
    assert.ok(accepts({ resources: 'updateserver' }));
    assert.ok(accepts({ resources: 'nodes,updateserver' }));
  });

  it('refuse rows, other kinds and more names than the bound', () => {
    assert.ok(!parses({ type: 'upsert', resource: 'updateserver', row: { name: 'x' } }));
    assert.ok(!parses({ ...change, resource: 'nodes' }));
    assert.ok(!parses({ type: 'resync', resource: 'nodes' }));
    assert.ok(!parses({ ...change, machines: Array.from({ length: 1001 }, (_, index) => `m-${index}`) }));
    assert.ok(!parses({ ...change, extra: true }));
  });
});
