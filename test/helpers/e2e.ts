// One boot for every end-to-end test: the real `serve` (or the core in this process, for a fake part
// such as the ngrok connector), Debian's Chromium, a page on the UI with the token, waited until the
// app has rendered; page errors collected; one `close()`. `useE2E` does it in a describe's beforeAll /
// afterAll; `startE2E` when a test boots its own (and closes it in a `finally`).
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, type TestOptions } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { CoreOptions } from '../../electron/core/types';
import { launchChromium } from './browser';
import { built } from './build';
import { HEADLESS, startServe, type ControlApi, type ServeProcess } from './serve';
import { startUiCore, type UiCore } from './ui-core';

const UI_INDEX = resolve(__dirname, '../../dist/renderer/index.html');

/** True when `serve` and the UI are built; otherwise prints the line saying why `suite` is skipped. */
function e2eBuilt(suite: string): boolean {
  return built(suite, HEADLESS) && built(suite, UI_INDEX);
}

/**
 * `describe` for a suite that runs the built `serve` and UI: without them it is skipped, with one line
 * saying so (test/helpers/build.ts). `options.skip` skips it for a reason of the suite's own.
 */
export const E2E_TEST_TIMEOUT = 90_000;

export function describeE2E(title: string, fn: () => void): void;
export function describeE2E(title: string, options: TestOptions, fn: () => void): void;
export function describeE2E(title: string, a: TestOptions | (() => void), b?: () => void): void {
  const [options, fn] = typeof a === 'function' ? [{}, a] : [a, b!];
  // 90 s a test: a browser step on a loaded two-core machine can take many times its idle time, and a locator
  // that never matches then fails with playwright's own message (30 s) rather than a bare test timeout.
  describe(title, { timeout: E2E_TEST_TIMEOUT, ...options, skip: options.skip || !e2eBuilt(title) }, fn);
}

export interface PageOptions {
  /** Default 1400 × 900. */
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
  /** Granted to the page's context (e.g. clipboard-read, clipboard-write). */
  permissions?: string[];
  /** Added to the UI's address: `{ view: 'messages' }`, `{ panel: 'setup' }`. */
  query?: Record<string, string>;
  /** Opens exactly this address instead (another token, a link the UI made). */
  url?: string;
  /** What says the page is ready: a test id (default `top-bar`), a wait of the test's own, or false. */
  ready?: string | ((page: Page) => Promise<unknown>) | false;
  /** The page's default timeout for locator waits (playwright's own 30 s unless given). */
  timeout?: number;
  /** Runs on the new page before it navigates: routes, init scripts. */
  beforeGoto?: (page: Page) => Promise<unknown>;
  /** Where this page's errors go (default: the boot's `pageErrors`). */
  errors?: string[];
}

export interface E2EOptions {
  /** `serve` flags (after the data dir and port-0 flags `startServe` passes). */
  args?: string[];
  /** `serve`'s environment, over `startServe`'s defaults. */
  env?: Record<string, string>;
  /** An existing data dir (default: a fresh temp dir). */
  dataDir?: string;
  /** Boot the core and the control API in this process (`startUiCore`) instead of a `serve` child. */
  core?: Partial<CoreOptions>;
  /** Use this browser (and leave it open on close) instead of launching one. */
  browser?: Browser;
  /** Runs once the backend is up, before the first page opens: what that page must find on its first load. */
  seed?: (e2e: E2E) => Promise<unknown>;
  /** The first page; false opens none (the test opens its own with `openPage`). */
  page?: PageOptions | false;
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`e2e: no ${what} (not booted yet, or booted without one)`);
  return value;
}

export class E2E {
  /** Every page error of every page opened through this boot (unless a page was given its own list). */
  readonly pageErrors: string[] = [];
  #serve?: ServeProcess;
  #core?: UiCore;
  #browser?: Browser;
  #page?: Page;
  #contexts: BrowserContext[] = [];
  readonly #opts: E2EOptions | (() => E2EOptions);

  constructor(opts: E2EOptions | (() => E2EOptions) = {}) {
    this.#opts = opts;
  }

  /** The `serve` child process (not there when booted with `core`). */
  get serve(): ServeProcess { return need(this.#serve, 'serve process'); }
  /** The in-process core (only when booted with `core`). */
  get core(): UiCore { return need(this.#core, 'in-process core'); }
  get browser(): Browser { return need(this.#browser, 'browser'); }
  /** The first page, opened and ready. */
  get page(): Page { return need(this.#page, 'page'); }
  get receiverUrl(): string { return this.#backend().receiverUrl; }
  /** The UI's address with the token. */
  get url(): string { return this.#backend().uiUrl; }
  /** The UI's origin, without a path or token. */
  get uiBase(): string { return this.#backend().uiBase; }
  get token(): string { return this.#backend().token; }
  get dataDir(): string { return this.#backend().dataDir; }
  /** The control API with the admin token: `{ status, body }`. */
  get api(): ControlApi { return this.#backend().api; }

  #backend(): ServeProcess | UiCore { return need(this.#serve ?? this.#core, 'backend'); }

  #options(): E2EOptions { return typeof this.#opts === 'function' ? this.#opts() : this.#opts; }

  /** The UI's address with the token and `query` added. */
  urlWith(query: Record<string, string> = {}): string {
    const u = new URL(this.url);
    for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
    return u.toString();
  }

  async start(): Promise<this> {
    const o = this.#options();
    if (o.core) this.#core = await startUiCore({ ...o.core, ...(o.dataDir ? { dataDir: o.dataDir } : {}) });
    else this.#serve = await startServe(o.args ?? [], o.env ?? {}, o.dataDir);
    this.#browser = o.browser ?? await launchChromium();
    await o.seed?.(this);
    if (o.page !== false) this.#page = await this.openPage(o.page ?? {});
    return this;
  }

  /**
   * A page in a context of its own (its own storage and live stream; AxeBuilder needs an explicit
   * context too), on the UI, once it is ready.
   */
  async openPage(p: PageOptions = {}): Promise<Page> {
    const context = await this.browser.newContext({
      viewport: p.viewport ?? { width: 1400, height: 900 }, colorScheme: p.colorScheme, permissions: p.permissions,
    });
    this.#contexts.push(context);
    const page = await context.newPage();
    // Closing the page ends its context, as `browser.newPage()` does.
    page.on('close', () => void context.close().catch(() => undefined));
    if (p.timeout) page.setDefaultTimeout(p.timeout);
    const errors = p.errors ?? this.pageErrors;
    page.on('pageerror', (err) => errors.push(err.message));
    await p.beforeGoto?.(page);
    await page.goto(p.url ?? this.urlWith(p.query));
    const ready = p.ready ?? 'top-bar';
    if (typeof ready === 'string') await page.getByTestId(ready).first().waitFor();
    else if (ready) await ready(page);
    return page;
  }

  /**
   * Stops `serve` and starts it again on the same data dir — with the boot's flags and environment
   * unless given — while the pages stay open. `whileDown` runs between the two. Returns the exit code.
   */
  async restart(r: { args?: string[]; env?: Record<string, string>; whileDown?: () => Promise<unknown> } = {}): Promise<number | null> {
    const o = this.#options();
    const { dataDir } = this.serve;
    const code = await this.serve.stop();
    await r.whileDown?.();
    this.#serve = await startServe(r.args ?? o.args ?? [], r.env ?? o.env ?? {}, dataDir);
    return code;
  }

  /** Closes every page, the browser (unless it was given) and the backend. */
  async close(): Promise<void> {
    const o = this.#options();
    for (const c of this.#contexts) await c.close().catch(() => undefined);
    if (!o.browser) await this.#browser?.close();
    await this.#serve?.stop();
    await this.#core?.stop();
  }
}

/** Boots now; the caller closes it (a boot that fails half-way closes what it started). */
export async function startE2E(opts: E2EOptions = {}): Promise<E2E> {
  const e2e = new E2E(opts);
  try {
    return await e2e.start();
  } catch (err) {
    await e2e.close().catch(() => undefined);
    throw err;
  }
}

/**
 * Boots in the enclosing describe's beforeAll and closes in its afterAll. `opts` may be a function,
 * read at boot: for values an earlier beforeAll makes (a handler's port). Hooks run in the order they
 * are declared (vitest's `sequence.hooks: 'stack'`), so declare such a beforeAll first.
 */
export function useE2E(opts: E2EOptions | (() => E2EOptions) = {}, timeout = 120_000): E2E {
  const e2e = new E2E(opts);
  beforeAll(async () => { await e2e.start(); }, timeout);
  afterAll(() => e2e.close());
  return e2e;
}
