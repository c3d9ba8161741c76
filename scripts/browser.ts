// Finding and launching a Chromium with WebGPU, shared by the CLI, the e2e config and the
// benchmarks. Order: $STUDIO_BROWSER, Playwright's own Chromium if it was downloaded, the
// user's Chrome, Debian's /usr/bin/chromium.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

const CANDIDATES = [
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
];

export function findBrowser(): string {
  const fromEnv = process.env.STUDIO_BROWSER;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`STUDIO_BROWSER=${fromEnv} does not exist`);
    return fromEnv;
  }
  try {
    const own = chromium.executablePath();
    if (own && existsSync(own)) return own;
  } catch {
    // Playwright's browser was never downloaded: fall through to system browsers.
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      'No Chrome or Chromium found. Install Chrome, or on Debian/Ubuntu `apt-get install -y chromium`, ' +
        'or point STUDIO_BROWSER at a Chromium-based browser (version 113+).',
    );
  }
  return found;
}

/** Flags that give headless Chromium WebGPU (SwiftShader on machines without a GPU) and keep it off the network. */
export const BROWSER_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/** The same browser with WebGPU switched off, for the "no WebGPU" page test. */
export const NO_WEBGPU_ARGS = [
  ...BROWSER_ARGS.filter(
    (a) => a !== '--enable-unsafe-webgpu' && !a.startsWith('--enable-features'),
  ),
  '--disable-features=WebGPU',
];

export function launchOptions(extraArgs: string[] = []): LaunchOptions {
  return { executablePath: findBrowser(), headless: true, args: [...BROWSER_ARGS, ...extraArgs] };
}

export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch(launchOptions(extraArgs));
}
