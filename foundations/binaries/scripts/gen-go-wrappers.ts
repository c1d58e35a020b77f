// Regenerates the wrapper Go modules of GENERATED_WRAPPERS (all of them, or the releases named as arguments) from
// the pinned releases and their components: `node foundations/binaries/scripts/gen-go-wrappers.ts [release ...]`.
// Needs Go and the module proxy (or Go's module cache); `git diff` then shows what changed.
import { GENERATED_WRAPPERS, generateWrapper } from '../src/go-wrapper.ts';

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !GENERATED_WRAPPERS.some((wrapper) => wrapper.release === name));
if (unknown.length > 0) {
  process.stderr.write(
    `no generated wrapper for ${unknown.join(', ')}; choose from ${GENERATED_WRAPPERS.map((wrapper) => wrapper.release).join(', ')}\n`,
  );
  process.exit(2);
}
for (const wrapper of GENERATED_WRAPPERS) {
  if (asked.length > 0 && !asked.includes(wrapper.release)) continue;
  process.stderr.write(`generating the ${wrapper.release} wrapper (${wrapper.module})\n`);
  process.stdout.write(`${await generateWrapper(wrapper, process.env)}\n`);
}
