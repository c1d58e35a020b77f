#!/usr/bin/env node
// The `strata` command. The CLI is TypeScript run by Node's own type stripping,
// which needs Node 22.18 or newer; `npx strata` and npm scripts use the Node 24
// that the repository pins, so this check only fires when Node is invoked by hand.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `strata needs Node.js 22.18 or newer (this is ${process.version}).\n` +
      'Run it as `npx strata ...` from the repository, which uses the pinned Node.js 24.\n',
  );
  process.exit(1);
}
// Before the CLI loads: Node strips the types from `.ts` itself but cannot parse the `.tsx` of the
// interactive screens (docs/adr/0011-tsx.md).
await import('@strata/tsx/register');
await import('../src/cli.ts');
