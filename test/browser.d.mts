import type { Browser, BrowserContext } from 'playwright';

/** What the launchers take. */
export interface ChromiumOptions {
  /** Add `--enable-unsafe-webgpu` (default true). */
  webgpu?: boolean;
  /** Default {@link CHROMIUM_PATH}. */
  executablePath?: string;
}
/** The Chromium binary (`CHROMIUM` in the environment, else /usr/bin/chromium). */
export declare const CHROMIUM_PATH: string;
/** The flags every launch uses. */
export declare const CHROMIUM_ARGS: readonly string[];
/** `--enable-unsafe-webgpu`: WebGPU on (SwiftShader on a machine without a GPU). */
export declare const WEBGPU_ARG: string;
/** Launches Chromium: headless, {@link CHROMIUM_ARGS}, WebGPU unless `webgpu: false`. */
export declare function launchChromium(opts?: ChromiumOptions): Promise<Browser>;
/** A persistent-profile Chromium in `dir`. */
export declare function launchPersistentChromium(dir: string, opts?: ChromiumOptions): Promise<BrowserContext>;
/** What {@link launchFirefox} takes. */
export interface FirefoxOptions {
  /** Default {@link FIREFOX_PATH}. */
  executablePath?: string;
  /** A profile folder that outlives the browser (the caller removes it); default a fresh temporary one. */
  userDataDir?: string;
  /** Preferences on top of the repository's own. */
  prefs?: Record<string, string | number | boolean>;
}
/** Debian's Firefox ESR (`FIREFOX` in the environment, else /usr/bin/firefox-esr). */
export declare const FIREFOX_PATH: string;
/** Launches headless Firefox through WebDriver BiDi (puppeteer-core), fresh profile, prefs that turn off the browser's own traffic. */
export declare function launchFirefox(opts?: FirefoxOptions): Promise<import('puppeteer-core').Browser>;
