// The part of playwright-core's API these tests use. playwright-core lives in the e2e cache (see
// scripts/e2e-setup.sh), not in the project's dependencies, so its types are not installed here.
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface Locator {
  click(options?: { timeout?: number; modifiers?: ('Shift' | 'Control' | 'Alt' | 'Meta')[] }): Promise<void>;
  boundingBox(): Promise<{ x: number; y: number; width: number; height: number } | null>;
  hover(options?: { timeout?: number }): Promise<void>;
  waitFor(options?: { timeout?: number; state?: 'attached' | 'visible' }): Promise<void>;
  textContent(): Promise<string | null>;
  getAttribute(name: string): Promise<string | null>;
  count(): Promise<number>;
  first(): Locator;
  nth(index: number): Locator;
  fill(text: string): Promise<void>;
  filter(options: { hasText: string | RegExp }): Locator;
  locator(selector: string, options?: { hasText?: string | RegExp }): Locator;
}

export interface FrameLocator {
  locator(selector: string, options?: { hasText?: string | RegExp }): Locator;
  frameLocator(selector: string): FrameLocator;
}

export interface Page {
  goto(url: string): Promise<unknown>;
  waitForSelector(selector: string, options?: { timeout?: number }): Promise<unknown>;
  locator(selector: string, options?: { hasText?: string | RegExp }): Locator;
  frameLocator(selector: string): FrameLocator;
  keyboard: { press(key: string): Promise<void>; type(text: string): Promise<void> };
  screenshot(options: { path: string }): Promise<unknown>;
  exposeFunction(name: string, callback: (...args: never[]) => unknown): Promise<void>;
}

export interface Request {
  url(): string;
}

export interface BrowserContext {
  on(event: 'request', listener: (request: Request) => void): void;
  newPage(): Promise<Page>;
}

export interface Browser {
  newContext(options?: { viewport?: { width: number; height: number } }): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** playwright-core's chromium launcher, from the e2e cache. */
export function chromiumFrom(cache: string): { launch(options: { executablePath: string; headless: boolean; args: string[] }): Promise<Browser> } {
  return (createRequire(join(cache, 'package.json'))('playwright-core') as { chromium: ReturnType<typeof chromiumFrom> }).chromium;
}
