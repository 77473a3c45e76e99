// Scrolling the Events feed in Chromium with the mouse wheel, over more rows than the screen holds:
// rows hand their elements on as they scroll (renderer/features/feed/feed-grid.tsx, row slots), so
// every row on screen must still show its own event — far down and back at the top — and a focused row
// scrolled away must not leave the focus on an element that now shows another event. A fast scroll
// renders rows light (the time only, the grid aria-busy: scroll-pace.ts) and fills them in once it stops.
import { createHmac } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeE2E, useE2E, type E2E } from '../helpers/e2e';
import { SIGNED } from '../helpers/fixtures';

const SECRET = SIGNED.secret;
const COUNT = 240;
let ui: E2E;

/** The k-th text message: its text names k, so a row's text says which event it is. */
function message(k: number): string {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
    contacts: [{ profile: { name: `Contact ${k}` }, wa_id: `4479000${String(k).padStart(5, '0')}` }],
    messages: [{ from: `4479000${String(k).padStart(5, '0')}`, id: `wamid.SCROLL${k}`, timestamp: String(1_700_000_000 + k), type: 'text', text: { body: `msg ${k} end` } }],
  } }] }] });
}

async function post(k: number) {
  const body = message(k);
  const res = await fetch(`${ui.receiverUrl}/meta`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` },
    body,
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`webhook ${k} answered ${res.status}`);
}

/** Every row in the DOM, in DOM order: its event id and its text. */
type RowEl = { getAttribute(name: string): string | null; textContent: string | null };
const shownRows = () => ui.page.getByTestId('event-row').evaluateAll((els) => els.map((e) => {
  const el = e as unknown as RowEl;
  return { id: Number(el.getAttribute('data-event-id')), rowIndex: Number(el.getAttribute('aria-rowindex')), text: el.textContent ?? '' };
}));
const focusedId = () => ui.page.evaluate<string | null>("document.activeElement && document.activeElement.getAttribute('data-event-id')");

/** Each row shows its own event (ids were given in posting order), newest first, without a gap. */
async function expectRowsTrue() {
  const rows = await shownRows();
  expect(rows.length).toBeGreaterThan(10);
  for (const [i, r] of rows.entries()) {
    expect(r.text).toContain(`msg ${r.id} end`);
    expect(r.text).toContain(`Contact ${r.id}`);
    if (i > 0) {
      expect(r.id).toBe(rows[i - 1].id - 1);
      expect(r.rowIndex).toBe(rows[i - 1].rowIndex + 1);
    }
  }
  return rows;
}

const gridBusy = () => ui.page.getByRole('grid', { name: 'Events' }).getAttribute('aria-busy');
/** Rows light after a fast scroll have filled in: the grid is no longer busy. */
const settled = () => expect.poll(gridBusy, { timeout: 10_000 }).toBeNull();

async function wheelTo(predicate: (topId: number) => boolean) {
  const box = (await ui.page.getByTestId('feed-scroll').boundingBox())!;
  await ui.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await expect.poll(async () => {
    const rows = await shownRows();
    const top = rows[0]?.id ?? 0;
    if (predicate(top)) return true;
    await ui.page.mouse.wheel(0, predicate(COUNT) ? -2000 : 2000);
    return false;
  }, { timeout: 30_000 }).toBe(true);
}

describeE2E('feed scrolled with the wheel', () => {
  ui = useE2E({
    env: { META_APP_SECRET: SECRET },
    seed: async () => { for (let k = 1; k <= COUNT; k += 20) await Promise.all(Array.from({ length: Math.min(20, COUNT - k + 1) }, (_, j) => post(k + j))); },
  });

  it('every row shows its own event, far down and back at the top', async () => {
    await expect.poll(() => ui.page.getByTestId('event-row').first().getAttribute('data-event-id'), { timeout: 20_000 }).toBe(String(COUNT));
    await expectRowsTrue();
    await wheelTo((top) => top < COUNT - 120);
    await settled();
    await expect.poll(async () => (await shownRows()).every((r) => r.text.includes(`msg ${r.id} end`))).toBe(true);
    const far = await expectRowsTrue();
    expect(far[0].id).toBeLessThan(COUNT - 100);
    await wheelTo((top) => top === COUNT);
    await settled();
    const back = await expectRowsTrue();
    expect(back[0].id).toBe(COUNT);
    expect(ui.pageErrors).toEqual([]);
  });

  it('a fast scroll shows light rows under a busy grid, and every row shows its own event once it stops (twice)', async () => {
    // Each time the grid's aria-busy changes: whether it is busy, and how many rows are whole then (a
    // whole row has its status cell). A screen reader must never meet a light row in a grid not busy.
    await ui.page.evaluate(`(() => {
      window.__busy = [];
      const grid = document.querySelector('[role="grid"][aria-label="Events"]');
      new MutationObserver(() => window.__busy.push({
        busy: grid.getAttribute('aria-busy') === 'true',
        rows: grid.querySelectorAll('[data-testid="event-row"]').length,
        whole: grid.querySelectorAll('[data-testid="event-row"] [data-testid="row-status"]').length,
      })).observe(grid, { attributes: true, attributeFilter: ['aria-busy'] });
    })()`);
    type Seen = { busy: boolean; rows: number; whole: number };
    const seen = () => ui.page.evaluate<Seen[]>('window.__busy');
    const box = (await ui.page.getByTestId('feed-scroll').boundingBox())!;
    const cdp = await ui.page.context().newCDPSession(ui.page);
    // A fling as the mouse wheel sends it (wheel events through the browser's input pipeline), down and
    // back up: ~330 rows a second, far above what anyone reads.
    for (const [dir, check] of [[-1, (top: number) => top < COUNT - 60], [1, (top: number) => top === COUNT]] as const) {
      const before = (await seen()).length;
      await cdp.send('Input.synthesizeScrollGesture', {
        x: Math.round(box.x + box.width / 2), y: Math.round(box.y + box.height / 2),
        yDistance: dir * 6_000, speed: 12_000, gestureSourceType: 'mouse', preventFling: true,
      });
      // The gesture's scroll events may still be queued when it returns: wait for the rows to go light
      // before waiting for them to fill in, or "not busy" could be read before the fling began.
      await expect.poll(async () => (await seen()).slice(before).some((x) => x.busy), { timeout: 10_000 }).toBe(true);
      await settled();
      const rows = await expectRowsTrue();
      expect(check(rows[0].id)).toBe(true);
      // The rows went light during this fling and were filled in after it.
      const now = (await seen()).slice(before);
      expect(now.some((x) => x.busy)).toBe(true);
      expect(now.at(-1)?.busy).toBe(false);
    }
    for (const x of await seen()) expect(x.whole).toBe(x.busy ? 0 : x.rows);
    await cdp.detach();
    expect(ui.pageErrors).toEqual([]);
  });

  it('a focused row scrolled away takes the focus with it, not onto another event', async () => {
    const row = ui.page.getByTestId('event-row').filter({ hasText: `msg ${COUNT - 2} end` });
    await row.focus();
    await expect.poll(() => focusedId()).toBe(String(COUNT - 2));
    await wheelTo((top) => top < COUNT - 120);
    const focused = await focusedId();
    expect([null, String(COUNT - 2)]).toContain(focused);
    await wheelTo((top) => top === COUNT);
    expect(ui.pageErrors).toEqual([]);
  });
});
