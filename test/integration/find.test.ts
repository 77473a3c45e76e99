// Finding webhooks through the control API: search that knows WhatsApp (codes, ids, numbers, templates),
// field filters (`where=`, repeatable, with 400s naming the problem), business numbers, timing per row.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventPage, MessagePage, MessageStats } from '../../shared/types';
import { createControlServer, type ControlServer } from '../../electron/serve/control-api';
import { silentLogger } from '../../electron/core/types';
import { startTestCore, type TestCore } from '../helpers/core';
import { envelope, incomingText, statusUpdate } from '../helpers/meta-payloads';

const SECRET = 'find-secret';
let t: TestCore | null = null;
let control: ControlServer | null = null;
let lastBase = '';
const controlBase = () => lastBase;
afterEach(async () => {
  await control?.stop();
  control = null;
  await t?.close();
  t = null;
});

async function setup(opts: Parameters<typeof startTestCore>[0] = {}) {
  t = await startTestCore({ env: { metaAppSecrets: [SECRET] }, ...opts });
  control = createControlServer({ core: t.core, dispatch: t.dispatch, port: 0, token: 'tok', staticDir: '/nonexistent', logger: silentLogger });
  const base = `http://127.0.0.1:${await control.start()}`;
  lastBase = base;
  const api = async <T>(path: string) => {
    const r = await fetch(base + path, { headers: { authorization: 'Bearer tok' } });
    const text = await r.text();
    let body: unknown = text;
    try { body = JSON.parse(text); } catch { /* an NDJSON export */ }
    return { status: r.status, body: body as T };
  };
  const send = async (body: string) => {
    const r = await t!.postMeta(body, SECRET);
    expect(r.status).toBe(200);
  };
  return { api, send };
}

const referralMessage = (id: string, from: string, sourceId: string, phoneNumberId = '1') => JSON.stringify({
  object: 'whatsapp_business_account',
  entry: [{ id: 'W', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550002222', phone_number_id: phoneNumberId },
    contacts: [{ profile: { name: 'Lead' }, wa_id: from }],
    messages: [{ from, id, timestamp: '1700000100', type: 'text', text: { body: 'Hi from the ad' },
      referral: { source_id: sourceId, source_type: 'ad', source_url: 'https://fb.me/x', ctwa_clid: 'clid-1' } }],
  } }] }],
});

const templateStatus = (name: string, category: string) => envelope({}).replace('"field":"messages"', '"field":"message_template_status_update"')
  .replace(/"value":\{[^]*\}\}\]\}\]\}$/, `"value":{"event":"APPROVED","message_template_id":7001,"message_template_name":"${name}","message_template_language":"en_US","message_template_category":"${category}","reason":"NONE"}}]}]}`);

describe('search that knows WhatsApp', () => {
  it('pages through a search newest first across both indexes, every match once, as many as the total', async () => {
    const { api, send } = await setup();
    // Matches in the text index (the word in a message), in the key index (the error code in failures) and in
    // both (a message that says the code), interleaved with events that match nothing.
    for (let i = 0; i < 9; i++) {
      await send(incomingText(`wamid.TXT${i}`, '5511911110000', i % 3 === 0 ? 'about 131047 again' : `plain words ${i}`));
      await send(statusUpdate(`wamid.FAIL${i}`, 'failed', 1_700_000_100 + i, '5511933330000', { code: 131047, title: 'Re-engagement message' }));
      await send(statusUpdate(`wamid.OK${i}`, 'delivered', 1_700_000_200 + i));
    }
    const first = await api<EventPage>('/api/events?q=131047&limit=4');
    expect(first.body.total).toBe(12);
    const seen: number[] = [];
    let before: number | undefined;
    for (let round = 0; round < 10; round++) {
      const page = await api<EventPage>(`/api/events?q=131047&limit=4${before ? `&before=${before}` : ''}`);
      seen.push(...page.body.items.map((e) => e.id));
      if (page.body.items.length < 4) break;
      before = page.body.items.at(-1)!.id;
    }
    expect(seen).toHaveLength(12);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
    expect(new Set(seen).size).toBe(12);
  });

  it('finds failed events by error code and title, messages by id prefix, business numbers and template names', async () => {
    const { api, send } = await setup();
    await send(incomingText('wamid.HBgLAAAAINBOUND1', '5511911112222', 'hello there'));
    await send(statusUpdate('wamid.HBgLFAILED01', 'failed', 1_700_000_010, '5511933334444', { code: 131047, title: 'Re-engagement message' }));
    await send(statusUpdate('wamid.HBgLFAILED02', 'failed', 1_700_000_011, '5511933334444', { code: 131026, title: 'Message undeliverable' }));
    await send(templateStatus('order_update_v2', 'UTILITY'));
    await expect.poll(async () => (await api<EventPage>('/api/events')).body.total).toBe(4);

    const byCode = await api<EventPage>('/api/events?q=131047');
    expect(byCode.body.items.map((e) => e.messageId)).toEqual(['wamid.HBgLFAILED01']);
    expect(byCode.body.total).toBe(1);
    expect((await api<EventPage>('/api/events?q=re-engagement')).body.items.map((e) => e.messageId)).toEqual(['wamid.HBgLFAILED01']);
    expect((await api<EventPage>('/api/events?q=wamid.HBgLFAIL')).body.total).toBe(2);
    expect((await api<EventPage>('/api/events?q=order_update_v2')).body.items.map((e) => e.kind)).toEqual(['template']);
    expect((await api<EventPage>('/api/events?q=utility')).body.total).toBe(1);
    // The business number of every message in this file is phone_number_id 1; the text search still works too.
    expect((await api<EventPage>('/api/events?q=hello')).body.items.map((e) => e.messageId)).toEqual(['wamid.HBgLAAAAINBOUND1']);
    // Search + another filter, and the stats under the same search.
    expect((await api<EventPage>('/api/events?q=131047&status=failed')).body.total).toBe(1);
    expect((await api<EventPage>('/api/events?q=131047&status=read')).body.total).toBe(0);
    const stats = await api<{ total: number }>('/api/stats?q=131047');
    expect(stats.body.total).toBe(1);
  });
});

describe('a word finds every term it starts (docs/api.md "Search")', () => {
  type Api = Awaited<ReturnType<typeof setup>>['api'];
  /** Every page of a search, `limit` at a time through the `before` cursor: ids, message ids, each page's total. */
  async function allPages(api: Api, query: string, limit = 4) {
    const seen: EventPage['items'] = [];
    const totals: number[] = [];
    let before: number | undefined;
    for (let round = 0; round < 20; round++) {
      const page = await api<EventPage>(`/api/events?${query}&limit=${limit}${before ? `&before=${before}` : ''}`);
      seen.push(...page.body.items);
      totals.push(page.body.total);
      if (page.body.items.length < limit) break;
      before = page.body.items.at(-1)!.id;
    }
    return { ids: seen.map((e) => e.id), messageIds: seen.map((e) => e.messageId), totals };
  }

  it('pages every match of a word newest first — its other terms, both indexes — and follows new webhooks that bring a term it had not seen', async () => {
    const { api, send } = await setup();
    // "ship" starts four terms in texts and one in an error title (the key index); "hardship" does not start with it.
    const terms = ['shipped', 'shipping', 'shipment', 'ship'];
    for (let i = 0; i < 8; i++) {
      await send(incomingText(`wamid.SHIP${i}`, '5511911110000', `order ${terms[i % 4]} today`));
      await send(incomingText(`wamid.HARD${i}`, '5511911110000', 'what a hardship'));
    }
    await send(statusUpdate('wamid.BLOCKED0', 'failed', 1_700_000_300, '5511933330000', { code: 131999, title: 'Shipment blocked' }));
    await expect.poll(async () => (await api<EventPage>('/api/events')).body.total).toBe(17);
    const expected = ['wamid.BLOCKED0', ...[7, 6, 5, 4, 3, 2, 1, 0].map((i) => `wamid.SHIP${i}`)];
    const first = await allPages(api, 'q=ship');
    expect(first.messageIds).toEqual(expected);
    expect(first.totals.every((n) => n === 9)).toBe(true);
    // Upper case, a leading +, quotes: the same word.
    expect((await allPages(api, `q=${encodeURIComponent('+"SHIP"')}`)).messageIds).toEqual(expected);
    // With another filter: the error title's event only, and its total.
    expect((await api<EventPage>('/api/events?q=ship&status=failed')).body).toMatchObject({ total: 1, items: [{ messageId: 'wamid.BLOCKED0' }] });
    // Two words, each of them a prefix that starts several terms (shipped, shipping…; today only in texts).
    const two = await allPages(api, `q=${encodeURIComponent('tod ship')}`);
    expect(two.messageIds).toEqual(expected.slice(1));
    expect(two.totals.every((n) => n === 8)).toBe(true);
    expect((await allPages(api, `q=${encodeURIComponent('ship tod')}&status=incoming`)).messageIds).toEqual(expected.slice(1));

    // A term no event had when the word was first asked ("shipyard"), a non-match, and a second blocked shipment:
    // the pages and totals (remembered since the first ask) follow, twice.
    for (let round = 0; round < 2; round++) {
      await send(incomingText(`wamid.YARD${round}`, '5511911110000', 'the shipyard called'));
      await send(incomingText(`wamid.HARDER${round}`, '5511911110000', 'hardships'));
      await send(statusUpdate(`wamid.BLOCKED${round + 1}`, 'failed', 1_700_000_301 + round, '5511933330000', { code: 131999, title: 'Shipment blocked' }));
      await expect.poll(async () => (await api<EventPage>('/api/events?q=ship&limit=4')).body.total).toBe(11 + 2 * round);
      const now = await allPages(api, 'q=ship');
      const added = [1, 0].slice(1 - round).flatMap((r) => [`wamid.BLOCKED${r + 1}`, `wamid.YARD${r}`]);
      expect(now.messageIds).toEqual([...added, ...expected]);
      expect(now.totals.every((n) => n === 11 + 2 * round)).toBe(true);
      expect(new Set(now.ids).size).toBe(now.ids.length);
      const failed = await allPages(api, 'q=ship&status=failed', 2);
      expect(failed.messageIds).toEqual([...Array(round + 2).keys()].reverse().map((i) => `wamid.BLOCKED${i}`));
      expect(failed.totals.every((n) => n === round + 2)).toBe(true);
    }
  });

  it('a word that starts many terms, a message id prefix and a word with an accent page and count the same way', async () => {
    const { api, send } = await setup();
    // "zed" starts ten other terms (zeda … zedj) and is one itself; message ids share the prefix wamid.HBgLPAGE.
    for (let i = 0; i < 11; i++) {
      await send(incomingText(`wamid.HBgLPAGE${i}`, '5511911110000', i === 10 ? 'zed' : `zed${String.fromCharCode(97 + i)} café`));
      await send(incomingText(`wamid.HBgLOTHER${i}`, '5511911110000', 'nothing here'));
    }
    await expect.poll(async () => (await api<EventPage>('/api/events')).body.total).toBe(22);
    const newestFirst = [...Array(11).keys()].reverse().map((i) => `wamid.HBgLPAGE${i}`);
    for (const query of ['q=zed', `q=${encodeURIComponent('wamid.HBgLPAGE')}`]) {
      const pages = await allPages(api, query, 3);
      expect(pages.messageIds).toEqual(newestFirst);
      expect(pages.totals.every((n) => n === 11)).toBe(true);
    }
    expect((await allPages(api, `q=${encodeURIComponent('café')}`, 3)).messageIds).toEqual(newestFirst.slice(1));
    // One more of each arrives: the totals remembered since follow, and it is on top.
    await send(incomingText('wamid.HBgLPAGE11', '5511911110000', 'zedk café'));
    for (const query of ['q=zed', `q=${encodeURIComponent('wamid.HBgLPAGE')}`, `q=${encodeURIComponent('café')}`]) {
      await expect.poll(async () => (await api<EventPage>(`/api/events?${query}&limit=3`)).body.items[0]?.messageId).toBe('wamid.HBgLPAGE11');
      const pages = await allPages(api, query, 3);
      expect(pages.messageIds).toEqual(query.includes('caf') ? ['wamid.HBgLPAGE11', ...newestFirst.slice(1)] : ['wamid.HBgLPAGE11', ...newestFirst]);
      expect(pages.totals.every((n) => n === pages.ids.length)).toBe(true);
    }
  });
});

describe('a search with another filter counts the events both match (docs/api.md "Search")', () => {
  it('from the smaller side or the larger, each match once across both indexes, on its first ask and after new webhooks, twice', async () => {
    const { api, send } = await setup();
    // "parcel" matches texts (the text index), failure titles (the key index) and one failure in both (its
    // message id holds the word too); other failures and many deliveries match nothing.
    for (let i = 0; i < 6; i++) await send(incomingText(`wamid.MSG${i}`, '5511911110000', `parcel late ${i}`));
    for (let i = 0; i < 3; i++) await send(statusUpdate(`wamid.REF${i}`, 'failed', 1_700_000_100 + i, '5511933330000', { code: 131026, title: 'Parcel refused' }));
    await send(statusUpdate('wamid.PARCEL.BOTH', 'failed', 1_700_000_110, '5511933330000', { code: 131026, title: 'Parcel refused' }));
    for (let i = 0; i < 2; i++) await send(statusUpdate(`wamid.OTHER${i}`, 'failed', 1_700_000_120 + i, '5511933330000', { code: 131047, title: 'Re-engagement message' }));
    for (let i = 0; i < 14; i++) await send(statusUpdate(`wamid.DLV${i}`, 'delivered', 1_700_000_200 + i));
    await expect.poll(async () => (await api<EventPage>('/api/events')).body.total).toBe(26);

    const all = async (query: string) => {
      const ids: string[] = [];
      const totals: number[] = [];
      let before: number | undefined;
      for (let round = 0; round < 20; round++) {
        const page = await api<EventPage>(`/api/events?${query}&limit=2${before ? `&before=${before}` : ''}`);
        ids.push(...page.body.items.map((e) => e.messageId!));
        totals.push(page.body.total);
        if (page.body.items.length < 2) break;
        before = page.body.items.at(-1)!.id;
      }
      expect(totals.every((n) => n === ids.length)).toBe(true);
      return ids;
    };
    const refused = ['wamid.PARCEL.BOTH', 'wamid.REF2', 'wamid.REF1', 'wamid.REF0'];
    const texts = [5, 4, 3, 2, 1, 0].map((i) => `wamid.MSG${i}`);
    for (let round = 0; round < 2; round++) {
      // Each query is asked for the first time in this round (a shorter word: other terms, another total).
      const word = round === 0 ? 'parcel' : 'parce';
      // Failures (6) fewer than the word's matches (10): both read and intersected.
      expect(await all(`q=${word}&status=failed`)).toEqual(refused);
      expect(await all(`q=${word}&status=incoming`)).toEqual(texts);
      // A title 4 events carry against deliveries and failures (20): each match checked alone — the second
      // time with both totals remembered first (each asked alone), which says so without reading either side.
      const title = round === 0 ? 'refused' : 'refuse';
      if (round === 1) {
        expect((await api<EventPage>(`/api/events?q=${title}&limit=1`)).body.total).toBe(5);
        expect((await api<EventPage>('/api/events?status=delivered,failed&limit=1')).body.total).toBe(21);
      }
      expect(await all(`q=${title}&status=delivered,failed`)).toEqual(refused);
      expect(await all(`q=${title}&status=delivered`)).toEqual([]);
      // The filter counted alone first: its remembered total chooses the side.
      expect((await api<EventPage>('/api/events?status=failed,incoming,delivered&limit=1')).body.total).toBe(26 + round * 2);
      expect(await all(`q=${word}%20late&status=failed,incoming,delivered`)).toEqual(texts);

      // New webhooks: one more refused parcel and one more text; the next round asks afresh.
      await send(statusUpdate(`wamid.REF${3 + round}`, 'failed', 1_700_000_130 + round, '5511933330000', { code: 131026, title: 'Parcel refused' }));
      await send(incomingText(`wamid.MSG${6 + round}`, '5511911110000', 'parcel late again'));
      await expect.poll(async () => (await api<EventPage>('/api/events')).body.total).toBe(28 + round * 2);
      refused.unshift(`wamid.REF${3 + round}`);
      texts.unshift(`wamid.MSG${6 + round}`);
    }
  });
});

describe('field filters (where=)', () => {
  it('filters on raw paths and details, combines conditions with AND, and is followed by counts and exports', async () => {
    const { api, send } = await setup();
    await send(referralMessage('wamid.AD1', '5511900000001', '120208111'));
    await send(referralMessage('wamid.AD2', '5511900000002', '120208222', '2'));
    await send(incomingText('wamid.PLAIN', '5511900000003', 'no ad'));
    await send(statusUpdate('wamid.F1', 'failed', 1_700_000_010, '5511900000004', { code: 131047, title: 'Re-engagement message' }));
    await send(statusUpdate('wamid.F2', 'failed', 1_700_000_011, '5511900000004', { code: 131026, title: 'Message undeliverable' }));
    await expect.poll(async () => (await api<EventPage>('/api/events')).body.total).toBe(5);
    const ids = async (qs: string) => { const r = await api<EventPage>(`/api/events?${qs}`); if (r.status !== 200) throw new Error(JSON.stringify(r.body)); return r.body.items.map((e) => e.messageId).sort(); };

    expect(await ids('where=raw.referral.source_id=120208111')).toEqual(['wamid.AD1']);
    expect(await ids(`where=${encodeURIComponent('raw.errors[0].code=131047')}`)).toEqual(['wamid.F1']);
    expect(await ids('where=raw.errors.0.code>131030')).toEqual(['wamid.F1']);
    expect(await ids('where=raw.errors.0.code<131030')).toEqual(['wamid.F2']);
    expect(await ids(`where=${encodeURIComponent('raw.referral exists')}`)).toEqual(['wamid.AD1', 'wamid.AD2']);
    expect(await ids(`where=${encodeURIComponent('raw.referral.source_id exists')}`)).toEqual(['wamid.AD1', 'wamid.AD2']);
    expect(await ids(`where=${encodeURIComponent('raw.referral.source_id !exists')}&kind=message`)).toEqual(['wamid.PLAIN']);
    expect(await ids(`where=${encodeURIComponent('raw.referral.source_id~0208')}`)).toEqual(['wamid.AD1', 'wamid.AD2']);
    // Repeated where= are ANDed.
    expect(await ids(`where=${encodeURIComponent('raw.referral.source_id~0208')}&where=${encodeURIComponent('raw.from!=5511900000001')}`)).toEqual(['wamid.AD2']);
    // details.… on any field the normaliser kept.
    const page = await api<EventPage>('/api/events?where=raw.errors.0.code=131047');
    expect(page.body.total).toBe(1);
    const stats = await api<{ total: number; byStatus: Record<string, number> }>(`/api/stats?where=${encodeURIComponent('raw.errors.0.code exists')}`);
    expect(stats.body.total).toBe(2);
    // Business number filter.
    expect(await ids('businessId=2')).toEqual(['wamid.AD2']);
    // details.… filters any field the normaliser kept (a template's category here).
    await send(templateStatus('order_update_v2', 'UTILITY'));
    await send(templateStatus('promo_may', 'MARKETING'));
    await expect.poll(async () => (await api<EventPage>('/api/events')).body.total).toBe(7);
    const kinds = async (qs: string) => (await api<EventPage>(`/api/events?${qs}`)).body.items.map((e) => e.text);
    expect(await kinds('where=details.category=UTILITY')).toHaveLength(1);
    expect(await kinds(`where=${encodeURIComponent('details.category~market')}`)).toHaveLength(1);
    expect((await api<EventPage>(`/api/events?where=${encodeURIComponent('details.category exists')}`)).body.total).toBe(2);
    expect((await api<EventPage>(`/api/events?where=${encodeURIComponent('details.category!=UTILITY')}`)).body.total).toBe(6);
    // Exports follow the same filter.
    const exp = await api<unknown>(`/api/export?format=ndjson&where=${encodeURIComponent('raw.referral.source_id~0208')}&where=${encodeURIComponent('raw.from!=5511900000001')}`);
    expect(exp.status).toBe(200);
    // One NDJSON line parses as JSON: the export holds exactly AD2.
    const lines = typeof exp.body === 'string' ? exp.body.trim().split('\n').map((l) => JSON.parse(l) as { messageId: string }) : [exp.body as { messageId: string }];
    expect(lines.map((l) => l.messageId)).toEqual(['wamid.AD2']);
  });

  it('pages one field equality newest first with its total, each match once; the total follows new webhooks and a forgotten contact', async () => {
    const { api, send } = await setup();
    // Failures with 131047 to two numbers, interleaved with another code and deliveries that match nothing.
    for (let i = 0; i < 7; i++) {
      await send(statusUpdate(`wamid.HIT${i}`, 'failed', 1_700_000_100 + i, i % 2 ? '5511900000011' : '5511900000022', { code: 131047, title: 'Re-engagement message' }));
      await send(statusUpdate(`wamid.OTHER${i}`, 'failed', 1_700_000_200 + i, '5511900000033', { code: 131026, title: 'Message undeliverable' }));
      await send(statusUpdate(`wamid.OK${i}`, 'delivered', 1_700_000_300 + i));
    }
    await expect.poll(async () => (await api<EventPage>('/api/events')).body.total).toBe(21);
    const where = `where=${encodeURIComponent('raw.errors.0.code=131047')}`;
    const pages = async () => {
      const seen: EventPage['items'] = [];
      const totals: number[] = [];
      let before: number | undefined;
      for (let round = 0; round < 10; round++) {
        const page = await api<EventPage>(`/api/events?${where}&limit=3${before ? `&before=${before}` : ''}`);
        seen.push(...page.body.items);
        totals.push(page.body.total);
        if (page.body.items.length < 3) break;
        before = page.body.items.at(-1)!.id;
      }
      return { ids: seen.map((e) => e.id), messageIds: seen.map((e) => e.messageId), totals };
    };
    const first = await pages();
    expect(first.messageIds).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => `wamid.HIT${i}`));
    expect([...first.ids].sort((a, b) => b - a)).toEqual(first.ids);
    expect(first.totals.every((n) => n === 7)).toBe(true);
    // The value typed as text in quotes finds the same numeric leaf.
    expect((await api<EventPage>(`/api/events?where=${encodeURIComponent('raw.errors.0.code="131047"')}&limit=2`)).body).toMatchObject({ total: 7, items: [{ messageId: 'wamid.HIT6' }, { messageId: 'wamid.HIT5' }] });

    // New webhooks: the remembered total counts only what arrived since (an older page counts them apart
    // from its own rows), the newest on top.
    await send(statusUpdate('wamid.HIT7', 'failed', 1_700_000_107, '5511900000022', { code: 131047, title: 'Re-engagement message' }));
    await send(statusUpdate('wamid.OK7', 'delivered', 1_700_000_307));
    await expect.poll(async () => (await api<EventPage>(`/api/events?${where}&limit=3&before=${first.ids[0]}`)).body.total).toBe(8);
    expect((await api<EventPage>(`/api/events?${where}&limit=3&before=${first.ids[0]}`)).body.items.map((e) => e.messageId)).toEqual(['wamid.HIT5', 'wamid.HIT4', 'wamid.HIT3']);
    await expect.poll(async () => (await api<EventPage>(`/api/events?${where}&limit=3`)).body.total).toBe(8);
    expect((await api<EventPage>(`/api/events?${where}&limit=3`)).body.items.map((e) => e.messageId)).toEqual(['wamid.HIT7', 'wamid.HIT6', 'wamid.HIT5']);

    // Forgetting one number takes its matches out of the pages and the total.
    const forgot = await fetch(`${controlBase()}/api/contacts/5511900000011`, { method: 'DELETE', headers: { authorization: 'Bearer tok' } });
    expect(forgot.status).toBe(200);
    const after = await pages();
    expect(after.messageIds).toEqual(['wamid.HIT7', 'wamid.HIT6', 'wamid.HIT4', 'wamid.HIT2', 'wamid.HIT0']);
    expect(after.totals.every((n) => n === 5)).toBe(true);
  });

  it('the Messages view follows them: its rows and its counts are the messages the field filter matches', async () => {
    const { api, send } = await setup();
    // A message that failed with 131047 after it was sent, one that failed with another code, one read.
    await send(statusUpdate('wamid.M1', 'sent', 1_700_000_001, '5511900000011'));
    await send(statusUpdate('wamid.M1', 'failed', 1_700_000_002, '5511900000011', { code: 131047, title: 'Re-engagement message' }));
    await send(statusUpdate('wamid.M2', 'failed', 1_700_000_003, '5511900000012', { code: 131026, title: 'Message undeliverable' }));
    await send(statusUpdate('wamid.M3', 'sent', 1_700_000_004, '5511900000013'));
    await send(statusUpdate('wamid.M3', 'read', 1_700_000_005, '5511900000013'));
    await expect.poll(async () => (await api<EventPage>('/api/events')).body.total).toBe(5);
    const rows = async (qs: string) => {
      const r = await api<MessagePage>(`/api/messages?${qs}`);
      expect(r.status).toBe(200);
      return r.body.items.map((m) => m.messageId).sort();
    };
    const counts = async (qs: string) => (await api<MessageStats>(`/api/message-stats?${qs}`)).body;
    const code = `where=${encodeURIComponent('raw.errors.0.code=131047')}`;
    expect(await rows(code)).toEqual(['wamid.M1']);
    expect(await counts(code)).toMatchObject({ total: 1, all: 3, byStatus: { failed: 1 } });
    const anyError = `where=${encodeURIComponent('raw.errors.0.code exists')}`;
    expect(await rows(anyError)).toEqual(['wamid.M1', 'wamid.M2']);
    expect(await counts(anyError)).toMatchObject({ total: 2, byStatus: { failed: 2 } });
    // A condition on the read status' own field: one message, counted once.
    const read = `where=${encodeURIComponent('raw.status=read')}`;
    expect(await rows(read)).toEqual(['wamid.M3']);
    expect((await counts(read)).total).toBe(1);
    // Bad input: the same 400 as the event list.
    const bad = await api<{ error: { code: string; message: string } }>(`/api/messages?where=${encodeURIComponent('raw.nope=1')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/raw\.nope is not an indexed field/);
  });

  it('answers a clear 400 naming the problem for bad conditions', async () => {
    const { api } = await setup();
    const bad = async (cond: string) => {
      const r = await api<{ error: { code: string; message: string } }>(`/api/events?where=${encodeURIComponent(cond)}`);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION');
      return r.body.error.message;
    };
    expect(await bad('raw.errors.0.code')).toMatch(/expected PATH OP VALUE/);
    expect(await bad('payload.x=1')).toMatch(/starts with raw\. or details\./);
    expect(await bad('raw.errors.0.code>abc')).toMatch(/compares numbers: "abc" is not a number/);
    expect(await bad('raw.not_a_field=1')).toMatch(/raw\.not_a_field is not an indexed field/);
    expect(await bad('details.a..b=1')).toMatch(/is not a path/);
    expect(await bad("details.x');DROP TABLE events;--=1")).toMatch(/where/);
    const many = Array.from({ length: 9 }, () => 'where=details.a%3D1').join('&');
    const r = await api<{ error: { message: string } }>(`/api/events?${many}`);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/at most 8/);
  });
});

describe('timing per row', () => {
  let target: Server | null = null;
  afterEach(() => { target?.close(); target = null; });

  it('lists what the receiver answered and how fast, and what the forward target answered and how long it took', async () => {
    target = createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(202); res.end('ok'); }); });
    await new Promise<void>((r) => target!.listen(0, '127.0.0.1', r));
    const port = (target.address() as AddressInfo).port;
    const { api, send } = await setup({ env: { metaAppSecrets: [SECRET], forwardTo: [`http://127.0.0.1:${port}/hook`] } });
    await send(incomingText('wamid.T1', '5511900000009', 'timed'));
    await expect.poll(async () => (await api<EventPage>('/api/events')).body.items[0]?.forward?.status ?? null).toBe(202);
    const e = (await api<EventPage>('/api/events')).body.items[0];
    expect(e.httpStatus).toBe(200);
    expect(typeof e.ackMs).toBe('number');
    expect(e.ackMs).toBeGreaterThanOrEqual(0);
    expect(typeof e.forward?.ms).toBe('number');
    // Kept across a restart: the answer time is stored with the request.
    const dataDir = t!.dataDir;
    await control!.stop(); control = null;
    await t!.core.stop();
    const again = await startTestCore({ dataDir, env: { metaAppSecrets: [SECRET] } });
    try {
      const page = await again.call<EventPage>('events:list', {});
      expect(page.items[0].ackMs).toBe(e.ackMs);
      expect(page.items[0].forward?.status).toBe(202);
    } finally { await again.close(); }
  });
});

describe('saved views and business numbers (control API)', () => {
  it('creates, lists, updates, makes default, deletes views, and refuses bad ones with 400s', async () => {
    t = await startTestCore({ env: { metaAppSecrets: [SECRET] } });
    control = createControlServer({ core: t.core, dispatch: t.dispatch, port: 0, token: 'tok', staticDir: '/nonexistent', logger: silentLogger });
    const base = `http://127.0.0.1:${await control.start()}`;
  lastBase = base;
    const call = async <T>(method: string, path: string, body?: unknown) => {
      const r = await fetch(base + path, { method, headers: { authorization: 'Bearer tok', 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      return { status: r.status, body: (await r.json()) as T };
    };
    type V = { id: number; name: string; isDefault: boolean; filter: { q?: string; where?: string[] } };
    const a = await call<V>('POST', '/api/views', { name: 'Failed 131047', filter: { where: ['raw.errors.0.code=131047'] }, isDefault: true });
    expect(a.status).toBe(201);
    const b = await call<V>('POST', '/api/views', { name: 'Leads', filter: { q: 'ad' }, isDefault: true });
    // One default at most: the newer one wins.
    const list = await call<V[]>('GET', '/api/views');
    expect(list.body.map((v) => [v.name, v.isDefault])).toEqual([['Failed 131047', false], ['Leads', true]]);
    expect(list.body[0].filter.where).toEqual(['raw.errors.0.code=131047']);
    const renamed = await call<V>('PUT', `/api/views/${b.body.id}`, { name: 'Ad leads' });
    expect(renamed.body).toMatchObject({ name: 'Ad leads', isDefault: true, filter: { q: 'ad' } });
    const bad = await call<{ error: { code: string; message: string } }>('POST', '/api/views', { name: 'x', filter: { where: ['raw.nope=1'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/raw\.nope is not an indexed field/);
    expect((await call('POST', '/api/views', { name: '' })).status).toBe(400);
    expect((await call('DELETE', `/api/views/${a.body.id}`)).status).toBe(200);
    expect((await call('DELETE', `/api/views/${a.body.id}`)).status).toBe(404);
    expect((await call<V[]>('GET', '/api/views')).body.map((v) => v.name)).toEqual(['Ad leads']);

    // Business numbers: seen ones listed with their counts, named and unnamed.
    const r = await t.postMeta(referralMessage('wamid.B1', '5511900000001', '1', '777'), SECRET);
    expect(r.status).toBe(200);
    await expect.poll(async () => (await call<{ businessId: string }[]>('GET', '/api/businesses')).body.map((x) => x.businessId)).toEqual(['777']);
    expect((await call('PUT', '/api/businesses/777', { name: 'Sales' })).status).toBe(200);
    expect((await call<unknown[]>('GET', '/api/businesses')).body).toEqual([{ businessId: '777', name: 'Sales', events: 1 }]);
    await call('PUT', '/api/businesses/777', { name: null });
    expect((await call<unknown[]>('GET', '/api/businesses')).body).toEqual([{ businessId: '777', name: null, events: 1 }]);
  });
});
