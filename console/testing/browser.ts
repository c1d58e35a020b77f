// Debian's Chromium, driven by playwright-core's library API (no browser download).
import { access } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  try {
    await access(CHROMIUM);
  } catch (error) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install chromium`, { cause: error });
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true });
}
