import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderToStaticMarkup } from 'react-dom/server';
import { Card } from './card.tsx';
import { Table, TableBody, TableRow, TableRowHead } from './table.tsx';

describe('Card', () => {
  it('is a <section> by default', () => {
    const html = renderToStaticMarkup(<Card aria-label="Back up now">x</Card>);
    assert.match(
      html,
      /^<section data-slot="card" class="[^"]*rounded-lg[^"]*" aria-label="Back up now">x<\/section>$/,
    );
  });

  it('as a child lends its look to that element (an update group’s <article>), keeping the child’s attributes', () => {
    const html = renderToStaticMarkup(
      <Card asChild className="[&>h3]:m-0">
        <article data-group="workers" aria-labelledby="group-workers">
          <h3 id="group-workers">workers</h3>
        </article>
      </Card>,
    );
    assert.match(html, /^<article [^>]*><h3 id="group-workers">workers<\/h3><\/article>$/);
    assert.match(html, / data-slot="card"/);
    assert.match(html, / data-group="workers"/);
    assert.match(html, / aria-labelledby="group-workers"/);
    assert.match(html, / class="[^"]*rounded-lg[^"]*\[&amp;&gt;h3\]:m-0[^"]*"/);
    assert.doesNotMatch(html, /<section/);
  });
});

describe('TableRowHead', () => {
  it('is a row header, neither sticky nor shaded like the column headers', () => {
    const html = renderToStaticMarkup(
      <Table>
        <TableBody>
          <TableRow>
            <TableRowHead>stable</TableRowHead>
          </TableRow>
        </TableBody>
      </Table>,
    );
    const cell = /<th [^>]*>stable<\/th>/.exec(html)?.[0];
    assert.ok(cell !== undefined, html);
    assert.match(cell, / scope="row"/);
    assert.doesNotMatch(cell, /\bsticky\b|\bbg-slate-100\b/);
  });
});
