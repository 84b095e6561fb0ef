// Debian's Chromium for every browser the repository starts: the e2e tests, vitest's browser
// mode (vitest.config.ts), the privacy audit and the benchmarks launch it with these flags.
import { chromium } from 'playwright';

/** The Chromium binary (`CHROMIUM` in the environment, else Debian's). */
export const CHROMIUM_PATH = process.env.CHROMIUM ?? '/usr/bin/chromium';

/**
 * The flags: no sandbox (containers), and none of the browser's own traffic (updates, sync,
 * background networking, QUIC), so that every request a test sees is one the page made.
 */
export const CHROMIUM_ARGS = Object.freeze([
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]);

/** WebGPU on SwiftShader (the only adapter on this machine; not a performance figure). */
const WEBGPU_ARG = '--enable-unsafe-webgpu';

/**
 * Playwright launch options for headless Chromium with {@link CHROMIUM_ARGS}, plus
 * {@link WEBGPU_ARG} unless `webgpu: false`.
 * @param {{ webgpu?: boolean, executablePath?: string }} [opts]
 * @returns {import('playwright').LaunchOptions}
 */
function chromiumOptions(opts = {}) {
  return {
    executablePath: opts.executablePath ?? CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(opts.webgpu === false ? [] : [WEBGPU_ARG])],
  };
}

/**
 * Launches Chromium with {@link chromiumOptions}.
 * @param {{ webgpu?: boolean, executablePath?: string }} [opts]
 * @returns {Promise<import('playwright').Browser>}
 */
export function launchChromium(opts = {}) {
  return chromium.launch(chromiumOptions(opts));
}

/**
 * A persistent-profile Chromium (data survives a browser restart) with {@link chromiumOptions}.
 * @param {string} dir
 * @param {{ webgpu?: boolean, executablePath?: string }} [opts]
 * @returns {Promise<import('playwright').BrowserContext>}
 */
export function launchPersistentChromium(dir, opts = {}) {
  return chromium.launchPersistentContext(dir, chromiumOptions(opts));
}
