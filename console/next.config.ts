import type { NextConfig } from 'next';

const config: NextConfig = {
  transpilePackages: ['@strata/api', '@strata/kube'],
  serverExternalPackages: ['@kubernetes/client-node'],
  typescript: { ignoreBuildErrors: true },
};
export default config;
