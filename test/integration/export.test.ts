// Export (NDJSON, CSV, HAR), import back, copy as cURL — through the core's tools and the control API.
import { afterEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ReplayResult } from '../../shared/ipc';
import type { EventDetail, EventPage } from '../../shared/types';
import { createControlServer, type ControlServer } from '../../electron/serve/control-api';
import { silentLogger } from '../../electron/core/types';
import { CSV_FIELDS } from '../../electron/core/tools/export';
import type { StatsExtra } from '../../electron/core/tools/power-tools';
import { fixture, REAL_CAPTURE } from '../helpers/fixtures';
import { startTestCore, type TestCore } from '../helpers/core';

const cores: TestCore[] = [];
let control: ControlServer | null = null;
afterEach(async () => {
  await control?.stop();
  control = null;
  for (const c of cores.splice(0)) await c.close();
});

const SECRET = 'export-secret';
const TRICKY = 'Olá, "amigo"\nlinha 2\r\n— ✓ 日本語 🙂';

function metaText(text: string, id: string) {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'W', changes: [{ field: 'messages', value: {
    messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: '111' },
    contacts: [{ profile: { name: 'Zoë, the "tester"' }, wa_id: '5511999990000' }],
    messages: [{ from: '5511999990000', id, timestamp: '1700000000', type: 'text', text: { body: text } }],
  } }] }] });
}

async function core(env: Record<string, unknown> = {}) {
  const c = await startTestCore({ env: { metaAppSecrets: [SECRET], metaVerifyToken: 'very-secret-verify', ...env } });
  cores.push(c);
  return c;
}

async function seed(c: TestCore) {
  await c.postMeta(metaText(TRICKY, 'wamid.T1'), SECRET, { 'x-forwarded-host': 'secret-tunnel.example', 'x-forwarded-proto': 'https' });
  await c.postMeta(metaText('=HYPERLINK("http://evil")', 'wamid.T2'), SECRET);
  await c.postMeta(fixture('meta-cloud__status-failed__pywa-130472.json'), SECRET);
  await c.postMeta(fixture('meta-cloud__status-read__pywa-read.json'), SECRET);
  await fetch(`${c.url}/meta?hub.mode=subscribe&hub.verify_token=very-secret-verify&hub.challenge=77`);
}

function collect(chunks: Iterable<string>): string {
  let s = '';
  for (const c of chunks) s += c;
  return s;
}

/** A strict RFC 4180 reader for the test. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      field += ch; i++; continue;
    }
    if (ch === '"' && field === '') { quoted = true; i++; continue; }
    if (ch === ',') { row.push(field); field = ''; i++; continue; }
    if (ch === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i += 2; continue; }
    if (ch === '\n' || ch === '\r') throw new Error(`bare line break at ${i}`);
    field += ch; i++;
  }
  if (field !== '' || row.length) throw new Error('last row not terminated by CRLF');
  return rows;
}

describe('export', () => {
  it('NDJSON holds exactly the events the filter lists, with raw', async () => {
    const c = await core();
    await seed(c);
    const listed = await c.call<EventPage>('events:list', { kind: ['message', 'status'], limit: 1000 });
    const lines = collect(c.core.tools!.exportStream('ndjson', { kind: ['message', 'status'] }).chunks).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((e) => e.id)).toEqual(listed.items.map((e) => e.id).reverse());
    expect(lines[0].raw).toBeTruthy();
    expect(lines.find((e) => e.messageId === 'wamid.T1').text).toBe(TRICKY);
    const onlyFailed = collect(c.core.tools!.exportStream('ndjson', { status: ['failed'] }).chunks).trimEnd().split('\n');
    expect(onlyFailed).toHaveLength(1);
    expect(JSON.parse(onlyFailed[0]).errorCode).toBe('130472');
  });

  it('CSV: RFC 4180 quoting of commas, quotes, CR/LF, non-ASCII kept, no BOM, formula guard', async () => {
    const c = await core();
    await seed(c);
    const text = collect(c.core.tools!.exportStream('csv', { kind: ['message'] }).chunks);
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...CSV_FIELDS]);
    const col = (name: string) => CSV_FIELDS.indexOf(name as (typeof CSV_FIELDS)[number]);
    expect(rows).toHaveLength(3);
    const tricky = rows.find((r) => r[col('messageId')] === 'wamid.T1')!;
    expect(tricky[col('text')]).toBe(TRICKY);
    expect(tricky[col('contactName')]).toBe('Zoë, the "tester"');
    expect(tricky[col('duplicate')]).toBe('false');
    expect(rows.find((r) => r[col('messageId')] === 'wamid.T2')![col('text')]).toBe(`'=HYPERLINK("http://evil")`);
    const exact = parseCsv(collect(c.core.tools!.exportStream('csv', { kind: ['message'] }, { formulaGuard: false }).chunks));
    expect(exact.find((r) => r[col('messageId')] === 'wamid.T2')![col('text')]).toBe('=HYPERLINK("http://evil")');
  });

  it('HAR 1.2 of the distinct requests, on the local URL, without the tunnel host or the verify token', async () => {
    const c = await core({ publicUrl: 'https://secret-tunnel.example' });
    await seed(c);
    const text = collect(c.core.tools!.exportStream('har', {}).chunks);
    const har = JSON.parse(text);
    expect(har.log.version).toBe('1.2');
    expect(har.log.creator.name).toBe('Hookscope');
    expect(har.log.entries).toHaveLength(5);
    expect(text).not.toContain('secret-tunnel.example');
    expect(text).not.toContain('very-secret-verify');
    expect(text).not.toContain(SECRET);
    const e0 = har.log.entries[0];
    expect(e0.request.url).toBe(`${c.url}/meta`);
    expect(e0.request.postData.text).toBe(metaText(TRICKY, 'wamid.T1'));
    expect(e0.response.status).toBe(200);
    expect(new Date(e0.startedDateTime).toISOString()).toBe(e0.startedDateTime);
    const hs = har.log.entries[4];
    expect(hs.request.method).toBe('GET');
    expect(hs.request.queryString).toContainEqual({ name: 'hub.verify_token', value: 'REDACTED' });
    // Filtered: only the requests behind failed statuses.
    expect(JSON.parse(collect(c.core.tools!.exportStream('har', { status: ['failed'] }).chunks)).log.entries).toHaveLength(1);
  });

  it('an export in progress never blocks ingest (its own connection)', async () => {
    const c = await core();
    for (let i = 0; i < 30; i++) await c.postMeta(metaText(`m${i}`, `wamid.M${i}`), SECRET);
    const exp = c.core.tools!.exportStream('ndjson', {});
    const it = exp.chunks[Symbol.iterator]();
    it.next(); // the iterator is open now
    const r = await c.postMeta(metaText('during export', 'wamid.D'), SECRET);
    expect(r.status).toBe(200);
    let rest = 0;
    for (let n = it.next(); !n.done; n = it.next()) rest += n.value.split('\n').length;
    expect(rest).toBeGreaterThanOrEqual(0);
    exp.close();
  });

  it('HAR imported into another core gives replayable requests with valid signatures', async () => {
    const both = { metaAppSecrets: [SECRET, REAL_CAPTURE.secret] };
    const a = await core(both);
    await seed(a);
    await a.post('/meta', fixture(REAL_CAPTURE.file), { 'x-hub-signature-256': REAL_CAPTURE.signature });
    const har = collect(a.core.tools!.exportStream('har', { kind: ['message', 'status'] }).chunks);
    const b = await core(both);
    const res = await b.core.tools!.importFile(har, 'har');
    expect(res).toMatchObject({ imported: 5, skipped: 0 });
    const page = await b.call<EventPage>('events:list', { limit: 100 });
    expect(page.items.filter((e) => e.signature === 'valid').length).toBe(5);
    const first = await b.call<EventDetail>('events:get', { id: page.items[page.items.length - 1].id });
    expect(first.request.origin).toBe('import');
    expect(first.text).toBe(TRICKY);
    const r = await b.call<ReplayResult>('replay:send', { requestId: first.request.id });
    expect(r).toMatchObject({ status: 200, resigned: false });
  });

  it('ndjson-requests round-trips through NDJSON import; event-only lines are skipped', async () => {
    const a = await core();
    await seed(a);
    const lines = collect(a.core.tools!.exportStream('ndjson-requests', { kind: ['message'] }).chunks);
    const events = collect(a.core.tools!.exportStream('ndjson', { kind: ['message'] }).chunks);
    const b = await core();
    const res = await b.core.tools!.importFile(lines + events, 'ndjson');
    expect(res.imported).toBe(2);
    expect(res.skipped).toBe(2);
    const texts = (await b.call<EventPage>('events:list', {})).items.map((e) => e.text).sort();
    expect(texts).toEqual(['=HYPERLINK("http://evil")', TRICKY].sort());
  });

  it('control API: streamed export with an attachment name, import, cURL, extra stats', async () => {
    const c = await core();
    await seed(c);
    control = createControlServer({ core: c.core, dispatch: c.dispatch, port: 0, token: 'tok', staticDir: '/nonexistent', logger: silentLogger });
    const port = await control.start();
    const base = `http://127.0.0.1:${port}`;
    const auth = { authorization: 'Bearer tok' };

    const r = await fetch(`${base}/api/export?format=csv&kind=message`, { headers: auth });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="hookscope-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(parseCsv(await r.text())).toHaveLength(3);
    expect((await fetch(`${base}/api/export?format=xml`, { headers: auth })).status).toBe(400);
    expect((await fetch(`${base}/api/export?format=csv&status=nope`, { headers: auth })).status).toBe(400);
    expect((await fetch(`${base}/api/export?format=csv`)).status).toBe(401);

    const harText = await (await fetch(`${base}/api/export?format=har&kind=status`, { headers: auth })).text();
    const imp = await fetch(`${base}/api/import?format=har`, { method: 'POST', headers: auth, body: harText });
    expect(imp.status).toBe(200);
    expect(await imp.json()).toMatchObject({ imported: 2 });

    const page = await c.call<EventPage>('events:list', { kind: ['message'] });
    const curl = await fetch(`${base}/api/requests/${page.items[0].requestId}/curl`, { headers: auth });
    expect(curl.status).toBe(200);
    const cmd = await curl.text();
    expect(cmd).toMatch(/^curl -sS -X 'POST' 'http:\/\/127\.0\.0\.1:\d+\/meta'/);
    expect(cmd).toContain("-H 'x-hub-signature-256: sha256=");
    expect((await fetch(`${base}/api/requests/99999/curl`, { headers: auth })).status).toBe(404);

    const stats = await (await fetch(`${base}/api/stats/extra?since=0`, { headers: auth })).json() as StatsExtra;
    // Both status fixtures are about wamid.xyzxyz: failed, then read on another device → read wins.
    expect(stats.funnel).toMatchObject({ total: 1, sent: 1, delivered: 1, read: 1, failed: 0 });
    expect(Array.isArray(stats.perMinute)).toBe(true);
    expect(stats.handlerLatency).toMatchObject({ count: 0, p50: null });
  });

  it.runIf(existsSync('/usr/bin/curl'))('the cURL command sends the exact bytes again (shell-escaped)', async () => {
    const c = await core();
    const body = metaText("it's a 'quoted' body — ✓ $HOME `x`", 'wamid.C');
    await c.postMeta(body, SECRET);
    const first = await c.call<EventPage>('events:list', {});
    const cmd = c.core.tools!.curl(first.items[0].requestId);
    await new Promise<void>((res, rej) => execFile('/bin/sh', ['-c', cmd], (err) => (err ? rej(err) : res())));
    const page = await c.call<EventPage>('events:list', {});
    expect(page.total).toBe(2);
    const again = await c.call<EventDetail>('events:get', { id: page.items[0].id });
    expect(again.request.body).toBe(body);
    expect(again.request.signature).toBe('valid');
  });
});
