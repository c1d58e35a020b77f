// The OS image: Flatcar from Azure Marketplace (publisher kinvolk), whose
// purchase plan every machine must name. Fedora CoreOS has no Marketplace
// image, so the Azure program supports Flatcar only.
import type { ClusterConfig } from '@strata/assets';
import { AzurePlatformError } from './errors.ts';

export const FLATCAR_PUBLISHER = 'kinvolk';
export const FLATCAR_OFFER = 'flatcar-container-linux-free';

export interface MarketplaceImage {
  readonly imageReference: { publisher: string; offer: string; sku: string; version: string };
  readonly plan: { publisher: string; product: string; name: string };
}

export function flatcarImage(os: ClusterConfig['os']): MarketplaceImage {
  if (os.name !== 'flatcar') {
    throw new AzurePlatformError(`os.name ${os.name} has no Azure Marketplace image; use flatcar on Azure`, {
      field: 'os.name',
      value: os.name,
    });
  }
  // Generation 2 images boot with UEFI, which every current VM size supports.
  const sku = `${os.channel}-gen2`;
  return {
    imageReference: { publisher: FLATCAR_PUBLISHER, offer: FLATCAR_OFFER, sku, version: os.version ?? 'latest' },
    plan: { publisher: FLATCAR_PUBLISHER, product: FLATCAR_OFFER, name: sku },
  };
}
