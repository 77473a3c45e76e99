// Scrolling the feed through the million-event store: serve over the data dir the store section
// generated, the built UI in Chromium, and the feed scrolled downward a fixed number of pixels every
// frame (scrollTop, in a requestAnimationFrame loop in the page) for ~15 s, so the feed keeps paging
// older events (`events:list` with `before`) and trimming its bounded window from the top.
// Measured: rAF deltas, distinct events seen (rows' data-event-id, a bitmap allocated before the
// baseline heap), the JS heap (CDP) at the end and its growth per 100k events seen, the pages' latency.
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';
import { profileShares, startServe, summarise, sleep, topShares } from './lib.mjs';

const CHROMIUM = '/usr/bin/chromium';
/** Pixels per frame: 30 rows of 36 px, ~1,800 rows/s at 60 fps — a scrollbar drag, faster than paging. */
const STEP_PX = 1080;

export async function benchUiScroll({ quick, log, store }) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing`);
  const seconds = quick ? 6 : 15;
  const serve = await startServe({ dataDir: store.dataDir });
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const pages = [];
    page.on('requestfinished', (r) => {
      if (!r.url().includes('/api/rpc/events:list')) return;
      const t = r.timing();
      if (t.responseEnd > 0) pages.push(t.responseEnd);
    });
    await page.goto(serve.uiUrl);
    await page.getByTestId('event-row').first().waitFor({ timeout: 20_000 });
    await sleep(1000);
    const topId = Number(await page.getByTestId('event-row').first().getAttribute('data-event-id'));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const pageNow = () => page.evaluate(() => performance.now());
    const seen = () => page.evaluate(() => window.__count);
    /** A forced GC in the page; frames overlapping it are left out of the frame times. */
    const gcPauses = [];
    const gc = async () => {
      const a = await pageNow();
      await cdp.send('HeapProfiler.collectGarbage');
      const m = await metrics();
      gcPauses.push([a, await pageNow()]);
      return m;
    };

    // The bitmap of ids seen and the frame recorder exist before the baseline heap is taken.
    await page.evaluate(({ maxId, step }) => {
      const w = window;
      const feed = document.querySelector('[data-testid="feed-scroll"]');
      const bits = new Uint8Array(maxId + 1);
      w.__count = 0;
      w.__frames = [];
      w.__scrolled = 0;
      w.__clamped = 0;
      w.__scroll = false;
      w.__run = true;
      let last = performance.now();
      const loop = (t) => {
        w.__frames.push(last, t);
        last = t;
        for (const el of feed.querySelectorAll('[data-event-id]')) {
          const id = Number(el.getAttribute('data-event-id'));
          if (id <= maxId && !bits[id]) { bits[id] = 1; w.__count++; }
        }
        if (w.__scroll) {
          // Setting scrollTop lays out and clamps anyway: reading it back costs nothing more.
          const want = feed.scrollTop + step;
          feed.scrollTop = want;
          w.__scrolled++;
          if (feed.scrollTop < want - 1) w.__clamped++; // held at the bottom: the next page is not there yet
        }
        if (w.__run) requestAnimationFrame(loop);
      };
      requestAnimationFrame(loop);
    }, { maxId: topId + 1024, step: STEP_PX });
    await sleep(200);
    const before = await gc();
    const seen0 = await seen();
    const t0 = await pageNow();

    log(`ui-scroll: scrolling the feed down ${STEP_PX} px/frame for ${seconds} s over ${store.events.toLocaleString('en')} stored events`);
    const pages0 = pages.length;
    // HOOKSCOPE_BENCH_PROFILE=1: a CPU profile of the page while it scrolls, its top functions logged
    // (where the main thread goes; docs/benchmarks.md "UI").
    const profiling = process.env.HOOKSCOPE_BENCH_PROFILE === '1';
    if (profiling) { await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 250 }); await cdp.send('Profiler.start'); }
    await page.evaluate(() => { window.__scroll = true; });
    // A GC'd heap sample a third of the way in (the 2,000-row window is full by then): the slope from
    // there to the end is the steady-state growth per event seen.
    await sleep((seconds * 1000) / 3);
    const mid = await gc();
    const seenMid = await seen();
    await sleep((seconds * 1000 * 2) / 3);
    const after = await metrics();
    await page.evaluate(() => { window.__scroll = false; });
    if (profiling) {
      const shares = profileShares((await cdp.send('Profiler.stop')).profile);
      log(`ui-scroll profile, self: ${topShares(shares.self, 20)}`);
      log(`ui-scroll profile, inclusive: ${topShares(shares.inclusive, 30)}`);
    }
    const t1 = await pageNow();
    const seenEnd = await seen();
    const end = await gc();
    const { frames, scrolled, clamped, scrollTop } = await page.evaluate(() => {
      window.__run = false;
      return { frames: window.__frames, scrolled: window.__scrolled, clamped: window.__clamped, scrollTop: document.querySelector('[data-testid="feed-scroll"]').scrollTop };
    });
    const rows = await page.getByTestId('event-row').count();
    const lowestId = Number(await page.getByTestId('event-row').last().getAttribute('data-event-id'));

    const deltas = [];
    let excluded = 0;
    for (let i = 0; i < frames.length; i += 2) {
      const [a, b] = [frames[i], frames[i + 1]];
      if (b <= t0 || a >= t1) continue;
      if (gcPauses.some(([g0, g1]) => a < g1 && b > g0)) { excluded++; continue; }
      deltas.push(b - a);
    }
    const f = summarise(deltas);
    const seenRun = seenEnd - seen0;
    const mb = (bytes) => bytes / 2 ** 20;
    const heapMb = mb(after.JSHeapUsedSize);
    const heapGcMb = mb(end.JSHeapUsedSize);
    const per100k = (mb(end.JSHeapUsedSize - mid.JSHeapUsedSize) / Math.max(1, seenEnd - seenMid)) * 100_000;
    const per100kAll = (mb(end.JSHeapUsedSize - before.JSHeapUsedSize) / Math.max(1, seenRun)) * 100_000;
    const projected = heapGcMb + (Math.max(0, per100k) * Math.max(0, 1_000_000 - seenEnd)) / 100_000;
    const wallMs = t1 - t0;
    const taskMs = (after.TaskDuration - before.TaskDuration) * 1000;
    const p = summarise(pages.slice(pages0));
    log(`ui-scroll: ${seenRun} events seen, ${pages.length - pages0} pages, heap ${mb(before.JSHeapUsedSize).toFixed(1)} → ${mb(mid.JSHeapUsedSize).toFixed(1)} → ${heapGcMb.toFixed(1)} MB (GC'd)`);
    return [
      { name: `events seen scrolling ${seconds} s (${store.events.toLocaleString('en')} stored)`, value: `${seenRun}`, target: '—',
        ratio: `${(seenRun / (wallMs / 1000)).toFixed(0)}/s; ${pages.length - pages0} older pages (p50 ${p.p50.toFixed(0)} ms, p95 ${p.p95.toFixed(0)} ms); scroll held at the bottom (page not there yet) in ${((clamped / Math.max(1, scrolled)) * 100).toFixed(0)} % of frames`, pass: null },
      { name: 'frame time while scrolling', value: `p95 ${f.p95.toFixed(1)} ms`, target: 'p95 ≤ 33 ms',
        ratio: `p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms, max ${f.max.toFixed(0)} ms, ${f.n} frames (${excluded} around forced GCs left out); main thread busy ${((taskMs / wallMs) * 100).toFixed(0)} %`,
        pass: f.p95 <= 33 },
      { name: 'renderer JS heap after scrolling', value: `${heapMb.toFixed(1)} MB`, target: '≤ 300 MB',
        ratio: `${heapGcMb.toFixed(1)} MB after GC (${mb(before.JSHeapUsedSize).toFixed(1)} at start); ${per100k.toFixed(2)} MB per 100k seen after the window filled (${per100kAll.toFixed(2)} from the start) → ${projected.toFixed(0)} MB projected at 1M seen`,
        pass: heapMb <= 300 && projected <= 300 },
      { name: 'rows in the DOM at the end / page errors', value: `${rows}`, target: 'no page errors',
        ratio: `lowest id on screen ${lowestId}, scrollTop ${Math.round(scrollTop)} px; ${errors.length} errors${errors[0] ? `: ${errors[0].slice(0, 60)}` : ''}`, pass: errors.length === 0 },
    ];
  } finally {
    await browser?.close().catch(() => undefined);
    await serve.stop();
  }
}
