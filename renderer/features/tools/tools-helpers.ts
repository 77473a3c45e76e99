// Pure helpers of the Tools panel: the serve export link, the simulator form → simulate:send
// options, the error codes offered for a failed status, and import format detection.
import type { ArgsOf } from '../../../shared/ipc';
import type { EventFilter } from '../../../shared/types';
import { explainError } from '../../../shared/error-codes';
import { filterToSearch } from '../../state/url-filter';

export const EXPORT_FORMATS = [
  { format: 'ndjson', label: 'NDJSON' },
  { format: 'csv', label: 'CSV' },
  { format: 'har', label: 'HAR' },
  { format: 'ndjson-requests', label: 'NDJSON + requests' },
] as const;
export type ExportFormatId = (typeof EXPORT_FORMATS)[number]['format'];

/** `GET /api/export?format=…&<filter>&token=…`, the download link under serve. */
export function exportHref(format: ExportFormatId, filter: EventFilter, token: string, base = '', redact = false): string {
  const filterQuery = filterToSearch(filter, '').replace(/^\?/, '');
  const parts = [`format=${encodeURIComponent(format)}`];
  if (filterQuery) parts.push(filterQuery);
  if (redact) parts.push('redact=1');
  parts.push(`token=${encodeURIComponent(token)}`);
  return `${base}/api/export?${parts.join('&')}`;
}

export const META_MESSAGE_TYPES = ['text', 'image', 'audio', 'voice', 'video', 'document', 'sticker', 'location', 'interactive', 'button_reply', 'list_reply', 'button', 'reaction'] as const;
export const TWILIO_MESSAGE_TYPES = ['text', 'image', 'audio', 'video', 'document', 'location', 'button'] as const;

/** Named status sequences; the words are the simulator's own (Twilio adds queued and undelivered). */
export const STATUS_SEQUENCES: Record<'meta' | 'twilio', { id: string; label: string; statuses: string[] }[]> = {
  meta: [
    { id: 'read', label: 'sent → delivered → read', statuses: ['sent', 'delivered', 'read'] },
    { id: 'delivered', label: 'sent → delivered', statuses: ['sent', 'delivered'] },
    { id: 'failed', label: 'sent → failed', statuses: ['sent', 'failed'] },
    { id: 'failed-only', label: 'failed', statuses: ['failed'] },
    { id: 'played', label: 'sent → delivered → played', statuses: ['sent', 'delivered', 'played'] },
  ],
  twilio: [
    { id: 'read', label: 'queued → sent → delivered → read', statuses: ['queued', 'sent', 'delivered', 'read'] },
    { id: 'delivered', label: 'queued → sent → delivered', statuses: ['queued', 'sent', 'delivered'] },
    { id: 'failed', label: 'queued → failed', statuses: ['queued', 'failed'] },
    { id: 'undelivered', label: 'queued → sent → undelivered', statuses: ['queued', 'sent', 'undelivered'] },
  ],
};

const ERROR_CODES: Record<'meta' | 'twilio', string[]> = {
  meta: ['131026', '131047', '131049', '131050', '131051', '131031', '131056', '130472', '131000', '132000', '130429'],
  twilio: ['63016', '63024', '63003', '63049', '30003', '30008', '21211', '21610'],
};

/** The codes offered for a failed step, each with the catalogue's title. */
export function errorCodeOptions(provider: 'meta' | 'twilio'): { code: string; label: string }[] {
  return ERROR_CODES[provider].map((code) => {
    const e = explainError(code, provider);
    return { code, label: e?.known ? `${code} — ${e.title}` : code };
  });
}

export interface SimulatorForm {
  kind: 'message' | 'status';
  provider: 'meta' | 'twilio';
  messageType: string;
  text: string;
  contactId: string;
  sequence: string;
  errorCode: string;
  delayMs: string;
  batch: boolean;
  reorder: boolean;
  duplicate: boolean;
  target: 'receiver' | 'public';
}

export const DEFAULT_SIMULATOR_FORM: SimulatorForm = {
  kind: 'message', provider: 'meta', messageType: 'text', text: '', contactId: '', sequence: 'read',
  errorCode: '', delayMs: '0', batch: false, reorder: false, duplicate: false, target: 'receiver',
};

export function sequenceFor(provider: 'meta' | 'twilio', id: string): string[] {
  const list = STATUS_SEQUENCES[provider];
  return (list.find((s) => s.id === id) ?? list[0]).statuses;
}

/** The simulate:send options for the form, or an error naming the field to fix. */
export function buildSimulateArgs(f: SimulatorForm): { args: ArgsOf<'simulate:send'> } | { error: string; field: keyof SimulatorForm } {
  const contact = f.contactId.replace(/[\s+()-]/g, '');
  if (contact && !/^\d{6,15}$/.test(contact)) return { error: 'Contact: digits only, 6 to 15 of them.', field: 'contactId' };
  const delay = f.delayMs.trim() === '' ? 0 : Number(f.delayMs);
  if (!Number.isInteger(delay) || delay < 0 || delay > 10_000) return { error: 'Delay: 0 to 10000 ms.', field: 'delayMs' };
  if (f.provider === 'twilio' && f.batch) return { error: 'Twilio never batches: batching is Meta-only.', field: 'batch' };
  const args: Record<string, unknown> = { kind: f.kind, provider: f.provider, target: f.target };
  if (contact) args.contactId = contact;
  if (delay) args.delayMs = delay;
  if (f.batch || f.reorder || f.duplicate) args.chaos = { batch: f.batch, reorder: f.reorder, duplicate: f.duplicate };
  if (f.kind === 'message') {
    const types: readonly string[] = f.provider === 'twilio' ? TWILIO_MESSAGE_TYPES : META_MESSAGE_TYPES;
    args.messageType = types.includes(f.messageType) ? f.messageType : 'text';
    if (f.text.trim()) args.text = f.text;
  } else {
    const statuses = sequenceFor(f.provider, f.sequence);
    args.statuses = statuses;
    if ((statuses.includes('failed') || statuses.includes('undelivered')) && f.errorCode) args.errorCode = f.errorCode;
  }
  return { args: args as ArgsOf<'simulate:send'> };
}

/** HAR files are one JSON object with `log.entries`; anything else is read as NDJSON. */
export function detectImportFormat(fileName: string, text: string): 'har' | 'ndjson' {
  if (/\.har$/i.test(fileName)) return 'har';
  if (/\.(ndjson|jsonl)$/i.test(fileName)) return 'ndjson';
  const head = text.trimStart().slice(0, 200);
  return /^\{\s*"log"\s*:/.test(head) ? 'har' : 'ndjson';
}
