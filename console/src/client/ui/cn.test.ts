import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cn } from './cn.ts';
import { isCurrent } from './nav.ts';

describe('cn', () => {
  it('drops what is false, null or undefined and joins the rest', () => {
    assert.equal(cn('a', false, null, undefined, 'b', { c: true, d: false }, ['e']), 'a b c e');
  });

  it('lets a later Tailwind class win over an earlier one for the same property', () => {
    assert.equal(cn('px-2 py-1 text-sm', 'px-4'), 'py-1 text-sm px-4');
    assert.equal(cn('bg-slate-900 text-white', 'bg-red-700'), 'text-white bg-red-700');
  });

  it('keeps classes that set different properties, and classes Tailwind does not know', () => {
    assert.equal(cn('p-2', 'm-2', 'card'), 'p-2 m-2 card');
  });
});

describe('isCurrent', () => {
  const updates = { href: '/updates', label: 'OS updates', except: ['/updates/server'] };
  const server = { href: '/updates/server', label: 'Update server' };

  it('marks the page and the pages below it', () => {
    assert.equal(isCurrent('/nodes', { href: '/nodes', label: 'Nodes' }), true);
    assert.equal(isCurrent('/nodes/worker-1', { href: '/nodes', label: 'Nodes' }), true);
  });

  it('does not mark a page whose path only starts with the same letters', () => {
    assert.equal(isCurrent('/nodesets', { href: '/nodes', label: 'Nodes' }), false);
  });

  it('leaves a page under another item to that item', () => {
    assert.equal(isCurrent('/updates', updates), true);
    assert.equal(isCurrent('/updates/server/groups/stable', updates), false);
    assert.equal(isCurrent('/updates/server/groups/stable', server), true);
  });
});
