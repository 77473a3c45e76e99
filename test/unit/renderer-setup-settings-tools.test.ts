// Pure helpers of the Settings and Tools panels and the inspector's replay editor.
import { describe, expect, it } from 'vitest';
import type { SettingsView } from '../../shared/types';
import { buildSettingsUpdate, formFromSettings, parseValidationMessage } from '../../renderer/features/settings/settings-form';
import {
  buildSimulateArgs, DEFAULT_SIMULATOR_FORM, detectImportFormat, errorCodeOptions, exportHref, sequenceFor,
} from '../../renderer/features/tools/tools-helpers';
import { headerEdits, headersToText, parseHeadersText, replayTarget } from '../../renderer/features/inspector/replay-helpers';

const view: SettingsView = {
  secrets: { metaAppSecret: { set: true, count: 1 }, metaVerifyToken: { set: false }, twilioAuthToken: { set: false, count: 0 }, ngrokAuthtoken: { set: false } },
  forwardTargets: ['http://localhost:3000/hook'],
  forwardTimeoutMs: 10_000,
  publicUrl: null,
  ngrokDomain: null,
  retention: { days: null, maxEvents: 100_000 },
  bodyLimitBytes: 1024 * 1024,
};

describe('settings form', () => {
  it('round-trips the stored settings into an update', () => {
    const form = formFromSettings(view);
    expect(form).toEqual({ forwardTargets: ['http://localhost:3000/hook'], forwardTimeoutMs: '10000', retentionDays: '', retentionMaxEvents: '100000', bodyLimitKiB: '1024', hideNotificationText: false });
    const { update, errors } = buildSettingsUpdate(form);
    expect(errors).toEqual({});
    expect(update).toEqual({ forwardTargets: ['http://localhost:3000/hook'], forwardTimeoutMs: 10_000, retention: { days: null, maxEvents: 100_000 }, bodyLimitBytes: 1024 * 1024, hideNotificationText: false });
    // The lock-screen option round-trips when ticked.
    expect(buildSettingsUpdate(formFromSettings({ ...view, hideNotificationText: true })).update.hideNotificationText).toBe(true);
  });

  it('catches obvious mistakes per field before sending; drops blank targets', () => {
    const { errors, update } = buildSettingsUpdate({ forwardTargets: ['ftp://x', '', 'nope'], forwardTimeoutMs: '1.5', retentionDays: 'x', retentionMaxEvents: '', bodyLimitKiB: '' });
    expect(Object.keys(errors).sort()).toEqual(['bodyLimitBytes', 'forwardTargets.0', 'forwardTargets.1', 'forwardTimeoutMs', 'retention.days']);
    expect(update.forwardTargets).toEqual(['ftp://x', 'nope']);
  });

  it('maps the core\'s validation message onto fields', () => {
    const parsed = parseValidationMessage('forwardTimeoutMs: Number must be greater than or equal to 100; retention.maxEvents: too small; forwardTargets.1: Invalid url; Unrecognized key(s)');
    expect(parsed.fields).toEqual({ forwardTimeoutMs: 'Number must be greater than or equal to 100', 'retention.maxEvents': 'too small', 'forwardTargets.1': 'Invalid url' });
    expect(parsed.general).toEqual(['Unrecognized key(s)']);
  });
});

describe('tools helpers', () => {
  it('builds the serve export link from the filter and the token', () => {
    expect(exportHref('ndjson', {}, 'tok')).toBe('/api/export?format=ndjson&token=tok');
    expect(exportHref('csv', { status: ['read', 'failed'], q: 'a b' }, 't&k')).toBe('/api/export?format=csv&status=read,failed&q=a%20b&token=t%26k');
  });

  it('turns the simulator form into simulate:send options', () => {
    expect(buildSimulateArgs({ ...DEFAULT_SIMULATOR_FORM, text: 'hi' })).toEqual({ args: { kind: 'message', provider: 'meta', target: 'receiver', messageType: 'text', text: 'hi' } });
    const status = buildSimulateArgs({ ...DEFAULT_SIMULATOR_FORM, kind: 'status', sequence: 'failed', errorCode: '131047', contactId: '+55 11 98765-4321', delayMs: '200', reorder: true });
    expect(status).toEqual({ args: {
      kind: 'status', provider: 'meta', target: 'receiver', contactId: '5511987654321', delayMs: 200,
      chaos: { batch: false, reorder: true, duplicate: false }, statuses: ['sent', 'failed'], errorCode: '131047',
    } });
    // The error code only goes with a failing sequence.
    expect(buildSimulateArgs({ ...DEFAULT_SIMULATOR_FORM, kind: 'status', sequence: 'read', errorCode: '131047' })).toEqual({
      args: { kind: 'status', provider: 'meta', target: 'receiver', statuses: ['sent', 'delivered', 'read'] },
    });
    expect(buildSimulateArgs({ ...DEFAULT_SIMULATOR_FORM, contactId: '12' })).toMatchObject({ field: 'contactId' });
    expect(buildSimulateArgs({ ...DEFAULT_SIMULATOR_FORM, delayMs: '99999' })).toMatchObject({ field: 'delayMs' });
    expect(buildSimulateArgs({ ...DEFAULT_SIMULATOR_FORM, provider: 'twilio', batch: true })).toMatchObject({ field: 'batch' });
    expect(sequenceFor('twilio', 'undelivered')).toEqual(['queued', 'sent', 'undelivered']);
    expect(sequenceFor('meta', 'unknown')).toEqual(['sent', 'delivered', 'read']);
  });

  it('offers known error codes with their titles', () => {
    const meta = errorCodeOptions('meta');
    expect(meta.find((c) => c.code === '131047')?.label).toMatch(/^131047 — /);
    expect(errorCodeOptions('twilio').map((c) => c.code)).toContain('63016');
  });

  it('detects the import format by name, then by content', () => {
    expect(detectImportFormat('x.har', '')).toBe('har');
    expect(detectImportFormat('x.jsonl', '{"log":')).toBe('ndjson');
    expect(detectImportFormat('x.json', ' {"log": {"entries": []}}')).toBe('har');
    expect(detectImportFormat('x.json', '{"id":1}\n{"id":2}')).toBe('ndjson');
  });
});

describe('replay editor helpers', () => {
  const headers: [string, string][] = [['content-type', 'application/json'], ['content-length', '12'], ['x-hub-signature-256', 'sha256=ab'], ['accept', 'a'], ['accept', 'b']];

  it('shows headers as lines, without the ones a replay sets itself', () => {
    expect(headersToText(headers)).toBe('content-type: application/json\nx-hub-signature-256: sha256=ab\naccept: a\naccept: b');
  });

  it('parses lines, joins repeats, and rejects a line without a colon', () => {
    expect(parseHeadersText('Content-Type: text/plain\n\nX-A: 1\nx-a: 2')).toEqual({ headers: { 'content-type': 'text/plain', 'x-a': '1, 2' } });
    expect(parseHeadersText('nope')).toEqual({ error: 'Line 1: expected "name: value".' });
    expect(parseHeadersText('bad name: x')).toMatchObject({ error: expect.stringContaining('not a valid header name') });
  });

  it('sends only the edits: changed, added, and removed (as empty)', () => {
    const same = parseHeadersText(headersToText(headers));
    expect('headers' in same && headerEdits(headers, same.headers)).toEqual({});
    expect(headerEdits(headers, { 'content-type': 'text/plain', accept: 'a, b', 'x-new': '1' })).toEqual({ 'content-type': 'text/plain', 'x-new': '1', 'x-hub-signature-256': '' });
  });

  it('accepts the receiver or an http(s) URL as the target', () => {
    expect(replayTarget('receiver', 'whatever')).toBe('receiver');
    expect(replayTarget('url', ' http://localhost:3000/h ')).toBe('http://localhost:3000/h');
    expect(replayTarget('url', 'ftp://x')).toBeNull();
    expect(replayTarget('url', '')).toBeNull();
  });
});
