// Debian's Chromium, driven by playwright-core's library API (no browser download).
import { access } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless Chromium. `trustedSpki` pins extra server keys (base64 SHA-256 of the SubjectPublicKeyInfo) that Chromium
 * accepts without a chain to its roots: the test CA's servers, and nothing else.
 */
export async function launchChromium(options: { trustedSpki?: readonly string[] } = {}): Promise<Browser> {
  try {
    await access(CHROMIUM);
  } catch (error) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install chromium`, { cause: error });
  }
  const spki = options.trustedSpki ?? [];
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: spki.length === 0 ? [] : [`--ignore-certificate-errors-spki-list=${spki.join(',')}`],
  });
}
