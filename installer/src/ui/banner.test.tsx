import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { render } from 'ink-testing-library';
import { version } from '../version.ts';
import { Banner, type BannerProps } from './banner.tsx';

/** The banner's frame as its rows of text, once the rounded border around them is checked and taken off. */
function renderedRows(props: BannerProps): string[] {
  const { lastFrame, unmount } = render(<Banner {...props} />);
  try {
    const lines = (lastFrame() ?? '').split('\n');
    assert.match(lines.at(0) ?? '', /^╭─+╮$/);
    assert.match(lines.at(-1) ?? '', /^╰─+╯$/);
    return lines.slice(1, -1).map((line) => {
      assert.match(line, /^│ .* │$/);
      return line.slice(1, -1).trim();
    });
  } finally {
    unmount();
  }
}

describe('Banner', () => {
  it('names the product, the installer version from its package.json, and what it installs', () => {
    assert.deepEqual(renderedRows({}), [`Strata v${version}`, 'Kubernetes on Container Linux']);
  });

  it('shows the subtitle on its own row under the tagline', () => {
    assert.deepEqual(renderedRows({ subtitle: 'Choose a platform' }), [
      `Strata v${version}`,
      'Kubernetes on Container Linux',
      'Choose a platform',
    ]);
  });
});
