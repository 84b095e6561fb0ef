// Debian's Chromium for every browser the repository starts: the e2e tests, vitest's browser
// mode (vitest.config.ts), the privacy audit and the benchmarks launch it with these flags.
// Debian's Firefox ESR for the Firefox suites (test/firefox): launchFirefox, at the end.
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
export const WEBGPU_ARG = '--enable-unsafe-webgpu';

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

/** Debian's Firefox ESR (`FIREFOX` in the environment, else /usr/bin/firefox-esr), driven through WebDriver BiDi (test/firefox). */
export const FIREFOX_PATH = process.env.FIREFOX ?? '/usr/bin/firefox-esr';

/**
 * Firefox preferences for every launch, on top of puppeteer's own test profile (which already
 * turns off updates, health reports, safe browsing and remote settings): none of the browser's
 * own traffic — telemetry, studies, captive-portal and connectivity checks, DNS/link prefetch,
 * DNS over HTTPS, push, OCSP, system add-on and media-plugin updates, HTTP/3 — so that every
 * request a test sees is one the page made (as {@link CHROMIUM_ARGS} for Chromium).
 */
const FIREFOX_PREFS = Object.freeze({
  'app.update.auto': false,
  'app.normandy.enabled': false,
  'app.shield.optoutstudies.enabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.archive.enabled': false,
  'toolkit.telemetry.server': '',
  'browser.ping-centre.telemetry': false,
  'browser.discovery.enabled': false,
  'browser.region.update.enabled': false,
  'browser.region.network.url': '',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'browser.topsites.contile.enabled': false,
  'browser.newtabpage.activity-stream.feeds.section.topstories': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.predictor.enabled': false,
  'network.trr.mode': 5,
  'network.http.http3.enable': false,
  'dom.push.connection.enabled': false,
  'dom.push.serverURL': '',
  'security.OCSP.enabled': 0,
  'security.remote_settings.crlite_filters.enabled': false,
  'security.remote_settings.intermediates.enabled': false,
  'extensions.systemAddon.update.enabled': false,
  'media.gmp-gmpopenh264.enabled': false,
  'geo.provider.network.url': '',
});

/**
 * Launches headless Firefox ({@link FIREFOX_PATH}) through puppeteer-core over WebDriver BiDi,
 * with {@link FIREFOX_PREFS} in a fresh profile directory (made by puppeteer in the system temp
 * folder, deleted when the browser closes). Nothing is downloaded: puppeteer-core only drives the
 * binary it is given. puppeteer-core is loaded here, on first use, not when vitest.config.ts
 * imports this file.
 * `userDataDir` keeps the profile in that folder instead (data that must survive a restart; the
 * caller removes it), `prefs` adds preferences (e.g. `browser.privatebrowsing.autostart`).
 * @param {{ executablePath?: string, userDataDir?: string, prefs?: Record<string, string | number | boolean> }} [opts]
 * @returns {Promise<import('puppeteer-core').Browser>}
 */
export async function launchFirefox(opts = {}) {
  const { default: puppeteer } = await import('puppeteer-core');
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: opts.executablePath ?? FIREFOX_PATH,
    protocol: 'webDriverBiDi',
    headless: true,
    ...(opts.userDataDir ? { userDataDir: opts.userDataDir } : {}),
    extraPrefsFirefox: { ...FIREFOX_PREFS, ...opts.prefs },
  });
}
