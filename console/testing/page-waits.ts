// Waiting on what a page shows, by watching its DOM: a MutationObserver in the page checks after each change (no
// polling, no sleeping) and gives up after 15 s.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

// The page's globals, as far as the callbacks run in Chromium below use them: this project has Node's types, not
// the DOM's (which clash with Node's Web Crypto types in the packages the harness brings in).
declare const document: {
  readonly body: unknown;
  querySelector(selector: string): { readonly textContent: string | null } | null;
};
interface VirtualScroller {
  scrollTop: number;
  readonly clientHeight: number;
  readonly scrollHeight: number;
  querySelectorAll(selector: string): Iterable<{ getAttribute(name: string): string | null }>;
}
declare const requestAnimationFrame: (callback: () => void) => number;
declare const MutationObserver: new (callback: () => void) => {
  observe(target: unknown, options: Readonly<Record<string, boolean>>): void;
  disconnect(): void;
};

/**
 * Waits until the node's cell in `column` reads `text`, by watching the DOM: a MutationObserver in the page checks
 * after each change (no polling, no sleeping), and gives up after 15 s.
 */
export async function cellReads(page: Page, node: string, column: string, text: string): Promise<void> {
  await textReads(page, `tr[data-node="${node}"] td[data-column="${column}"]`, text);
}

/** Waits, by watching the DOM as cellReads does, until the element `selector` finds reads `text`. */
export async function textReads(page: Page, selector: string, text: string): Promise<void> {
  const seen = await page.evaluate(
    ([query, expected]) =>
      new Promise<string | null>((resolve) => {
        const read = () => document.querySelector(query)?.textContent ?? null;
        if (read() === expected) {
          resolve(expected);
          return;
        }
        const observer = new MutationObserver(() => {
          if (read() !== expected) return;
          observer.disconnect();
          clearTimeout(timer);
          resolve(expected);
        });
        const timer = setTimeout(() => {
          observer.disconnect();
          resolve(read());
        }, 15_000);
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      }),
    [selector, text] as const,
  );
  assert.equal(seen, text, selector);
}

/**
 * Every row id a virtualized table holds (its rows' `data-<attribute>`), read by scrolling it from top to bottom in
 * steps of its own height: only the rows in view and the virtualizer's overscan are ever in the DOM, so the ids are
 * gathered step by step. A step waits two animation frames, for the scroll event's render; as the overscan (20 rows)
 * is taller than a step, a row rendered a frame late is still read at the next step.
 */
export async function virtualRowIds(page: Page, tableLabel: string, attribute: string): Promise<string[]> {
  return page.evaluate(
    async ([label, name]) => {
      const scroller = document.querySelector(`[aria-label="${label}"]`) as unknown as VirtualScroller | null;
      if (scroller === null) throw new Error(`no table labelled ${label}`);
      const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
      const seen = new Set<string>();
      const read = () => {
        for (const row of scroller.querySelectorAll(`tr[data-${name}]`))
          seen.add(row.getAttribute(`data-${name}`) ?? '');
      };
      scroller.scrollTop = 0;
      for (;;) {
        await frame();
        await frame();
        read();
        if (scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight) break;
        // A fractional layout can leave the end a fraction of a pixel short of scrollHeight: a scroll that no longer
        // moves is the end too.
        const before = scroller.scrollTop;
        scroller.scrollTop += scroller.clientHeight;
        if (scroller.scrollTop === before) break;
      }
      return [...seen];
    },
    [tableLabel, attribute] as const,
  );
}
