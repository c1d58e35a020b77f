import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderToStaticMarkup } from 'react-dom/server';
import { Badge } from './badge.tsx';
import { Button } from './button.tsx';
import { ConfirmDialog } from './confirm-dialog.tsx';

describe('Button', () => {
  it('is a type="button" by default, so that it never submits a form it is in by accident', () => {
    const html = renderToStaticMarkup(<Button>Cordon</Button>);
    assert.match(html, /^<button data-slot="button" type="button" class="[^"]*bg-slate-900[^"]*">Cordon<\/button>$/);
  });

  it('keeps a submit type, its variant, and a caller’s class over its own for the same property', () => {
    const html = renderToStaticMarkup(
      <Button type="submit" variant="destructive" className="h-12" aria-label="Confirm drain of n1">
        Confirm
      </Button>,
    );
    assert.match(html, /type="submit"/);
    assert.match(html, /aria-label="Confirm drain of n1"/);
    assert.match(html, /bg-red-700/);
    assert.doesNotMatch(html, /\bh-9\b/);
    assert.match(html, /\bh-12\b/);
  });

  it('as a child renders that element (a link) with the button’s classes, and no button type', () => {
    const html = renderToStaticMarkup(
      <Button asChild variant="outline">
        <a href="/nodes">Nodes</a>
      </Button>,
    );
    assert.match(html, /^<a [^>]*>Nodes<\/a>$/);
    assert.match(html, / href="\/nodes"/);
    assert.match(html, / data-slot="button"/);
    assert.match(html, / class="[^"]*border-slate-400[^"]*"/);
    assert.doesNotMatch(html, / type=/);
  });
});

describe('Badge', () => {
  it('renders its variant', () => {
    assert.match(renderToStaticMarkup(<Badge variant="success">Ready</Badge>), /bg-green-100[^"]*">Ready<\/span>$/);
  });
});

describe('ConfirmDialog', () => {
  it('renders only its trigger while closed: no dialog in the page until asked', () => {
    const html = renderToStaticMarkup(
      <ConfirmDialog
        trigger={<Button>Delete web-1</Button>}
        title="Delete Pod ns/web-1?"
        description="It goes."
        confirmLabel="Confirm delete"
        onConfirm={() => Promise.resolve()}
      />,
    );
    assert.match(html, /aria-haspopup="dialog"/);
    assert.match(html, /aria-expanded="false"/);
    assert.match(html, />Delete web-1<\/button>$/);
    assert.doesNotMatch(html, /Confirm delete|role="alertdialog"/);
  });
});
