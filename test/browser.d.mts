import type { Browser, BrowserContext, LaunchOptions } from 'playwright';

/** What {@link chromiumOptions} and the launchers take. */
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
/** `--enable-unsafe-webgpu`. */
export declare const WEBGPU_ARG: string;
/** Launch options: headless, {@link CHROMIUM_ARGS}, WebGPU unless `webgpu: false`. */
export declare function chromiumOptions(opts?: ChromiumOptions): LaunchOptions;
/** Launches Chromium with {@link chromiumOptions}. */
export declare function launchChromium(opts?: ChromiumOptions): Promise<Browser>;
/** A persistent-profile Chromium in `dir`. */
export declare function launchPersistentChromium(dir: string, opts?: ChromiumOptions): Promise<BrowserContext>;
