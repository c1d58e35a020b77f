import type { NextConfig } from 'next';

const config: NextConfig = {
  // The workspace packages ship TypeScript sources, which Next.js compiles like the console's own.
  // @strata/update-server only through its `answers` and `client` entry points (ADR 0066); its client's errors bring
  // @strata/omaha's, and its change feed's reader @strata/host/http (ADR 0073).
  transpilePackages: ['@strata/api', '@strata/kube', '@strata/update-server', '@strata/omaha'],
  serverExternalPackages: ['@kubernetes/client-node'],
  // `npm run typecheck` checks console/ with its tsconfig; the build need not do it again.
  typescript: { ignoreBuildErrors: true },
  // next dev would otherwise write AGENTS.md files into the package.
  agentRules: false,
  experimental: { agentUpgrade: false },
};
export default config;
