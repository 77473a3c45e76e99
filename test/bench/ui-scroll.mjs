// Scrolling the feed through the million-event store: serve over the data dir the store section
// generated, the built UI in Chromium, and the feed scrolled downward as a user's mouse wheel does —
// CDP `Input.synthesizeScrollGesture` (wheel events from the browser's input pipeline, one per frame) at
// 64,800 px/s (1,080 px, 30 rows, per 60 Hz frame: a scrollbar drag, faster than paging) for ~15 s, so
// the feed keeps paging older events (`events:list` with `before`) and trimming its bounded window.
// Measured: frame times (requestAnimationFrame timestamps written to a preallocated array — the probe
// touches no DOM), events scrolled past (newest id minus the lowest id on screen, read between gestures),
// the JS heap (CDP) at the end and its growth per 100k events passed, the pages' latency.
// docs/benchmarks.md "UI: what the probe costs" says why it no longer sets scrollTop in its own loop.
import { chromium } from 'playwright-core';
import { existsSync, writeFileSync } from 'node:fs';
import { profileShares, startServe, summarise, sleep, topShares, traceShares } from './lib.mjs';

const CHROMIUM = '/usr/bin/chromium';
/** Scroll speed: 30 rows of 36 px per 60 Hz frame, ~1,800 rows/s — a scrollbar drag, faster than paging. */
const SPEED_PX_S = 64_800;
/** One gesture's length: the heap sample and the position are read between gestures. */
const GESTURE_MS = 1000;

/** What `HOOKSCOPE_BENCH_PROFILE` asks for: `1`/`cpu` a CDP CPU profile, `trace` a Chromium trace. */
export function profileMode() {
  const v = process.env.HOOKSCOPE_BENCH_PROFILE;
  return v === '1' || v === 'cpu' ? 'cpu' : v === 'trace' ? 'trace' : null;
}

/** Starts the profile `profileMode()` asks for; `stop()` logs its shares under `label`. */
export async function startProfile({ browser, page, cdp, log, label }) {
  const mode = profileMode();
  if (mode === 'cpu') {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
    await cdp.send('Profiler.start');
    return async () => {
      const { profile } = await cdp.send('Profiler.stop');
      // HOOKSCOPE_BENCH_PROFILE_OUT=file.cpuprofile keeps the profile: DevTools' Performance panel opens it.
      if (process.env.HOOKSCOPE_BENCH_PROFILE_OUT) writeFileSync(`${process.env.HOOKSCOPE_BENCH_PROFILE_OUT.replace(/\.cpuprofile$/, '')}-${label}.cpuprofile`, JSON.stringify(profile));
      const shares = profileShares(profile);
      log(`${label} profile, self: ${topShares(shares.self, 20)}`);
      log(`${label} profile, inclusive: ${topShares(shares.inclusive, 30)}`);
      // React components by name (capitalised functions; readable with an unminified renderer build).
      log(`${label} profile, components: ${topShares(new Map([...shares.inclusive].filter(([k]) => /^[A-Z][A-Za-z]+$/.test(k))), 25)}`);
    };
  }
  if (mode === 'trace') {
    await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink.user_timing'] });
    return async () => {
      const raw = await browser.stopTracing();
      // HOOKSCOPE_BENCH_TRACE_OUT=file.json keeps the trace: DevTools' Performance panel opens it.
      if (process.env.HOOKSCOPE_BENCH_TRACE_OUT) writeFileSync(`${process.env.HOOKSCOPE_BENCH_TRACE_OUT.replace(/\.json$/, '')}-${label}.json`, raw);
      const t = traceShares(JSON.parse(raw.toString('utf8')));
      log(`${label} trace: main thread busy ${t.busyMs.toFixed(0)} of ${t.wallMs.toFixed(0)} ms; ${topShares(t.groups, 8)}`);
      log(`${label} trace, self: ${topShares(t.top, 20)}`);
    };
  }
  return async () => undefined;
}

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
    const box = await page.getByTestId('feed-scroll').boundingBox();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const pageNow = () => page.evaluate(() => performance.now());
    /** The lowest id on screen, read between gestures (never in a frame that is measured). */
    const lowest = () => page.evaluate(() => {
      const rows = document.querySelectorAll('[data-testid="feed-scroll"] [data-event-id]');
      let min = Infinity;
      for (const el of rows) min = Math.min(min, Number(el.getAttribute('data-event-id')));
      return min;
    });
    const passed = async () => topId - (await lowest());

    // The frame recorder: rAF timestamps into an array allocated before the baseline heap — no DOM read,
    // no layout forced, nothing scrolled from inside the frame it measures.
    await page.evaluate(() => {
      const w = window;
      w.__frames = new Float64Array(1 << 16);
      w.__n = 0;
      w.__run = true;
      const loop = (t) => {
        if (w.__n < w.__frames.length) w.__frames[w.__n++] = t;
        if (w.__run) requestAnimationFrame(loop);
      };
      requestAnimationFrame(loop);
      // When the grid went busy (light rows during a fast scroll: feed-grid.tsx) and back: attribute
      // records only, written when the grid switches, never read inside a frame.
      w.__busy = [];
      new MutationObserver((records) => {
        for (const r of records) w.__busy.push([performance.now(), r.target.getAttribute('aria-busy') === 'true']);
      }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['aria-busy'] });
    });
    await sleep(200);
    await cdp.send('HeapProfiler.collectGarbage');
    const before = await metrics();
    const passed0 = await passed();

    log(`ui-scroll: wheel-scrolling the feed down at ${SPEED_PX_S} px/s for ${seconds} s over ${store.events.toLocaleString('en')} stored events`);
    const pages0 = pages.length;
    const stopProfile = await startProfile({ browser, page, cdp, log, label: 'ui-scroll' });
    /** Page-time windows of the gestures: only frames inside them count. */
    const windows = [];
    let mid = null;
    let passedMid = 0;
    let busyMs = 0;
    const gestures = Math.round((seconds * 1000) / GESTURE_MS);
    let after = before;
    for (let g = 0; g < gestures; g++) {
      const m0 = await metrics();
      const a = await pageNow();
      await cdp.send('Input.synthesizeScrollGesture', {
        x: Math.round(box.x + box.width / 2), y: Math.round(box.y + box.height / 2),
        yDistance: -Math.round((SPEED_PX_S * GESTURE_MS) / 1000), speed: SPEED_PX_S, gestureSourceType: 'mouse', preventFling: true,
      });
      const b = await pageNow();
      after = await metrics();
      busyMs += (after.TaskDuration - m0.TaskDuration) * 1000;
      windows.push([a, b]);
      // A GC'd heap sample a third of the way in (the 2,000-row window is full by then): the slope from
      // there to the end is the steady-state growth per event passed.
      if (g === Math.floor(gestures / 3) - 1) {
        await cdp.send('HeapProfiler.collectGarbage');
        mid = await metrics();
        passedMid = await passed();
      }
    }
    await stopProfile();
    const passedEnd = await passed();
    await cdp.send('HeapProfiler.collectGarbage');
    const end = await metrics();
    const { frames, scrollTop, busy } = await page.evaluate(() => {
      window.__run = false;
      return { frames: Array.from(window.__frames.subarray(0, window.__n)), scrollTop: document.querySelector('[data-testid="feed-scroll"]').scrollTop, busy: window.__busy };
    });
    const rows = await page.getByTestId('event-row').count();
    const lowestId = Number(await page.getByTestId('event-row').last().getAttribute('data-event-id'));

    const deltas = [];
    for (let i = 1; i < frames.length; i++) {
      const [a, b] = [frames[i - 1], frames[i]];
      if (windows.some(([w0, w1]) => a >= w0 && b <= w1)) deltas.push(b - a);
    }
    const f = summarise(deltas);
    const wallMs = windows.reduce((s, [a, b]) => s + (b - a), 0);
    // Share of the gestures' time the rows were light (the grid aria-busy).
    let lightMs = 0;
    for (const [w0, w1] of windows) {
      let on = busy.filter(([t]) => t <= w0).at(-1)?.[1] ?? false;
      let from = w0;
      for (const [t, b] of busy.filter(([t]) => t > w0 && t < w1)) {
        if (on) lightMs += t - from;
        on = b;
        from = t;
      }
      if (on) lightMs += w1 - from;
    }
    const passedRun = passedEnd - passed0;
    const askedRows = (SPEED_PX_S * (wallMs / 1000)) / 36;
    const mb = (bytes) => bytes / 2 ** 20;
    mid ??= before;
    const heapMb = mb(after.JSHeapUsedSize);
    const heapGcMb = mb(end.JSHeapUsedSize);
    const per100k = (mb(end.JSHeapUsedSize - mid.JSHeapUsedSize) / Math.max(1, passedEnd - passedMid)) * 100_000;
    const per100kAll = (mb(end.JSHeapUsedSize - before.JSHeapUsedSize) / Math.max(1, passedRun)) * 100_000;
    const projected = heapGcMb + (Math.max(0, per100k) * Math.max(0, 1_000_000 - passedEnd)) / 100_000;
    const p = summarise(pages.slice(pages0));
    log(`ui-scroll: ${passedRun} events passed, ${pages.length - pages0} pages, heap ${mb(before.JSHeapUsedSize).toFixed(1)} → ${mb(mid.JSHeapUsedSize).toFixed(1)} → ${heapGcMb.toFixed(1)} MB (GC'd)`);
    return [
      { name: `events scrolled past in ${seconds} s (${store.events.toLocaleString('en')} stored)`, value: `${passedRun}`, target: '—',
        ratio: `${(passedRun / (wallMs / 1000)).toFixed(0)}/s, ${((passedRun / Math.max(1, askedRows)) * 100).toFixed(0)} % of the ${Math.round(askedRows)} rows the wheel asked for; ${pages.length - pages0} older pages (p50 ${p.p50.toFixed(0)} ms, p95 ${p.p95.toFixed(0)} ms)`, pass: null },
      { name: 'frame time while scrolling', value: `p95 ${f.p95.toFixed(1)} ms`, target: 'p95 ≤ 33 ms',
        ratio: `p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms, max ${f.max.toFixed(0)} ms, ${f.n} frames; main thread busy ${((busyMs / wallMs) * 100).toFixed(0)} %, ${((busyMs / Math.max(1, passedRun)) * 1000).toFixed(0)} µs per event passed; rows light ${((lightMs / wallMs) * 100).toFixed(0)} % of the time`,
        pass: f.p95 <= 33 },
      { name: 'renderer JS heap after scrolling', value: `${heapMb.toFixed(1)} MB`, target: '≤ 300 MB',
        ratio: `${heapGcMb.toFixed(1)} MB after GC (${mb(before.JSHeapUsedSize).toFixed(1)} at start); ${per100k.toFixed(2)} MB per 100k passed after the window filled (${per100kAll.toFixed(2)} from the start) → ${projected.toFixed(0)} MB projected at 1M passed`,
        pass: heapMb <= 300 && projected <= 300 },
      { name: 'rows in the DOM at the end / page errors', value: `${rows}`, target: 'no page errors',
        ratio: `lowest id on screen ${lowestId}, scrollTop ${Math.round(scrollTop)} px; ${errors.length} errors${errors[0] ? `: ${errors[0].slice(0, 60)}` : ''}`, pass: errors.length === 0 },
    ];
  } finally {
    await browser?.close().catch(() => undefined);
    await serve.stop();
  }
}
