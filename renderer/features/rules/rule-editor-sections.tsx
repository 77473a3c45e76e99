// The rule editor's form, one component per section (When, Delivery, Text, Timer, Actions): each gets
// the form and a patch function and holds no state of the rule (rule-editor.tsx does), so a section
// reads top to bottom as what the user sees.
import { useState } from 'react';
import { DIGEST_PLACEHOLDERS, TEMPLATE_PLACEHOLDERS, renderTemplate } from '../../../shared/rules';
import { ACTION_PRESETS, DIGEST_BODY_FIELDS, EVENT_BODY_FIELDS, HTTP_METHODS, MASKED_VALUE } from '../../../shared/actions';
import { EVENT_KINDS, EVENT_SIGNALS, EVENT_STATUSES, SIGNATURE_VERDICTS, type EventSignal, type HookEvent, type Provider } from '../../../shared/types';
import { SIGNAL_LABELS } from '../../../shared/event-words';
import { BLANK_HTTP, toggleIn, type HttpForm, type RuleForm } from './rule-form';

const PROVIDERS: readonly Provider[] = ['meta', 'twilio'];

export interface SectionProps { form: RuleForm; patch(p: Partial<RuleForm>): void }

function ChipGroup<T extends string>({ label, all, value, onChange, testid }: {
  label: string; all: readonly T[]; value: T[]; onChange(v: T[]): void; testid: string;
}) {
  return (
    <div className="chip-group" role="group" aria-label={label} data-testid={testid}>
      <span className="chip-group-label">{label}</span>
      {all.map((v) => {
        const on = value.includes(v);
        return (
          <button key={v} type="button" className={`chip chip-xs${on ? ' chip-active' : ''}`} aria-pressed={on}
            data-testid={`${testid}-${v}`} onClick={() => onChange(toggleIn(value, v, all))}>{v}</button>
        );
      })}
      {value.length === 0 && <span className="muted small">any</span>}
    </div>
  );
}

/** What a rule listens for: the chips, the text and contact fields, and the advanced "any of" JSON. */
export function WhenSection({ form, patch }: SectionProps) {
  // Open from the start when the rule already has an "any of": what it holds must be visible.
  const [advancedOpen, setAdvancedOpen] = useState(form.anyJson.trim() !== '');
  return (
    <fieldset className="rule-fieldset">
      <legend>When</legend>
      <ChipGroup label="Kind" all={EVENT_KINDS} value={form.kind} onChange={(kind) => patch({ kind })} testid="rule-kind" />
      <ChipGroup label="Status" all={EVENT_STATUSES} value={form.status} onChange={(status) => patch({ status })} testid="rule-status" />
      <ChipGroup label="Provider" all={PROVIDERS} value={form.provider} onChange={(provider) => patch({ provider })} testid="rule-provider" />
      <ChipGroup label="Signature" all={SIGNATURE_VERDICTS} value={form.signature} onChange={(signature) => patch({ signature })} testid="rule-signature" />
      <div className="form-grid">
        <label>Text contains (whole words, * inside a word)
          <input className="input" value={form.text} onChange={(ev) => patch({ text: ev.target.value })} data-testid="rule-text" placeholder="appointment*" />
        </label>
        <label>Text regex
          <input className="input mono" value={form.textRegex} onChange={(ev) => patch({ textRegex: ev.target.value })} data-testid="rule-regex" placeholder="^stop$" />
        </label>
        <label>Contact number(s)
          <input className="input" value={form.contact} onChange={(ev) => patch({ contact: ev.target.value })} data-testid="rule-contact" placeholder="5511*, 5521999990000" />
        </label>
        <label>Contact name
          <input className="input" value={form.contactName} onChange={(ev) => patch({ contactName: ev.target.value })} data-testid="rule-contact-name" />
        </label>
        <label>Error codes
          <input className="input" value={form.errorCodes} onChange={(ev) => patch({ errorCodes: ev.target.value })} data-testid="rule-error-codes" placeholder="131026, 131047" />
        </label>
        <label>Message types
          <input className="input" value={form.messageTypes} onChange={(ev) => patch({ messageTypes: ev.target.value })} data-testid="rule-message-types" placeholder="text, image" />
        </label>
        <label>What happened
          <select multiple value={form.signals} size={4} data-testid="rule-signals"
            onChange={(ev) => patch({ signals: [...ev.currentTarget.selectedOptions].map((o) => o.value as EventSignal) })}>
            {EVENT_SIGNALS.map((s) => <option key={s} value={s}>{SIGNAL_LABELS[s]}</option>)}
          </select>
        </label>
        <label>Lead reply
          <select value={form.leadReply} onChange={(ev) => patch({ leadReply: ev.target.value as RuleForm['leadReply'] })} data-testid="rule-lead-reply">
            <option value="">either</option>
            <option value="yes">only lead replies</option>
            <option value="no">not lead replies</option>
          </select>
        </label>
      </div>
      <details className="rule-advanced" open={advancedOpen} onToggle={(ev) => setAdvancedOpen(ev.currentTarget.open)}>
        <summary data-testid="rule-any-toggle">Any of (advanced, JSON)</summary>
        <p className="muted small">At least one of these condition groups must also hold, e.g. <code>{'[{"text": "urgent"}, {"status": ["failed"]}]'}</code>.</p>
        <textarea className="input textarea mono" rows={5} value={form.anyJson} spellCheck={false}
          onChange={(ev) => patch({ anyJson: ev.target.value })} data-testid="rule-any" />
      </details>
    </fieldset>
  );
}

/** How often and when it may fire: throttle, the HTTP cap's overflow, quiet hours, the silence rule. */
export function DeliverySection({ form, patch }: SectionProps) {
  return (
    <fieldset className="rule-fieldset">
      <legend>Delivery</legend>
      <div className="form-grid">
        <label>Throttle (seconds per contact)
          <input className="input" inputMode="numeric" value={form.throttleSeconds} onChange={(ev) => patch({ throttleSeconds: ev.target.value })} data-testid="rule-throttle" />
        </label>
        <label>Over the per-minute cap of HTTP actions
          <select className="input" value={form.actionOverflow} onChange={(ev) => patch({ actionOverflow: ev.target.value === 'queue' ? 'queue' : 'digest' })} data-testid="rule-overflow">
            <option value="digest">send one digest when the minute ends</option>
            <option value="queue">hold each until the next minute</option>
          </select>
        </label>
        <label>Quiet hours from
          <input className="input" type="time" value={form.quietFrom} onChange={(ev) => patch({ quietFrom: ev.target.value })} data-testid="rule-quiet-from" />
        </label>
        <label>Quiet hours to
          <input className="input" type="time" value={form.quietTo} onChange={(ev) => patch({ quietTo: ev.target.value })} data-testid="rule-quiet-to" />
        </label>
      </div>
      <label className="inline-check">
        <input type="checkbox" checked={form.silence} onChange={(ev) => patch({ silence: ev.target.checked })} data-testid="rule-silence" />
        Silence rule: fire when no message arrives for a while (ignores the conditions above)
      </label>
      {form.silence && (
        <div className="form-grid">
          <label>Minutes without messages
            <input className="input" inputMode="numeric" value={form.silenceMinutes} onChange={(ev) => patch({ silenceMinutes: ev.target.value })} data-testid="rule-silence-minutes" />
          </label>
          <span />
          <label>Working hours from
            <input className="input" type="time" value={form.silenceFrom} onChange={(ev) => patch({ silenceFrom: ev.target.value })} />
          </label>
          <label>Working hours to
            <input className="input" type="time" value={form.silenceTo} onChange={(ev) => patch({ silenceTo: ev.target.value })} />
          </label>
        </div>
      )}
    </fieldset>
  );
}

/** The notification's title and body, with the selected event rendered through them as a sample. */
export function TextSection({ form, patch, selected }: SectionProps & { selected: HookEvent | null }) {
  const sampleTitle = selected ? renderTemplate(form.title, selected) : null;
  const sampleBody = selected ? renderTemplate(form.body, selected) : null;
  return (
    <fieldset className="rule-fieldset">
      <legend>Text (notification title and body; {'{title}'} and {'{body}'} in HTTP bodies)</legend>
      <div className="form-grid">
        <label className="span-2">Title
          <input className="input" value={form.title} onChange={(ev) => patch({ title: ev.target.value })} data-testid="rule-title" maxLength={200} />
        </label>
        <label className="span-2">Body
          <textarea className="input textarea" rows={2} value={form.body} onChange={(ev) => patch({ body: ev.target.value })} data-testid="rule-body" maxLength={1000} />
        </label>
      </div>
      <p className="muted small" data-testid="rule-placeholders">
        Placeholders: {(form.digest ? DIGEST_PLACEHOLDERS : TEMPLATE_PLACEHOLDERS).map((p) => `{${p}}`).join(' ')}
      </p>
      {sampleTitle != null && (
        <div className="rule-sample" data-testid="rule-sample">
          <span className="muted small">With the selected event:</span>
          <strong className="wrap-words">{sampleTitle}</strong>
          {sampleBody && <span className="wrap-words">{sampleBody}</span>}
        </div>
      )}
    </fieldset>
  );
}

/** The timer rules: an unanswered lead, or a digest (one excludes the other). */
export function TimerSection({ form, patch }: SectionProps) {
  return (
    <fieldset className="rule-fieldset">
      <legend>Timer</legend>
      <label className="inline-check">
        <input type="checkbox" checked={form.unanswered} onChange={(ev) => patch({ unanswered: ev.target.checked, digest: ev.target.checked ? '' : form.digest })} data-testid="rule-unanswered" />
        Unanswered lead: fire when a message matching the conditions gets no outgoing message to that contact within
      </label>
      {form.unanswered && (
        <div className="form-grid">
          <label>Minutes (working minutes when hours are set)
            <input className="input" inputMode="numeric" value={form.unansweredMinutes} onChange={(ev) => patch({ unansweredMinutes: ev.target.value })} data-testid="rule-unanswered-minutes" />
          </label>
          <span />
          <label>Working hours from
            <input className="input" type="time" value={form.unansweredFrom} onChange={(ev) => patch({ unansweredFrom: ev.target.value })} />
          </label>
          <label>Working hours to
            <input className="input" type="time" value={form.unansweredTo} onChange={(ev) => patch({ unansweredTo: ev.target.value })} />
          </label>
        </div>
      )}
      <div className="form-grid">
        <label>Digest (failed by error code, leads who replied, unanswered leads)
          <select value={form.digest} data-testid="rule-digest"
            onChange={(ev) => patch({ digest: ev.target.value as RuleForm['digest'], unanswered: ev.target.value ? false : form.unanswered })}>
            <option value="">no digest</option>
            <option value="hour">every hour</option>
            <option value="day">every day at…</option>
          </select>
        </label>
        {form.digest === 'day' ? (
          <label>At
            <input className="input" type="time" value={form.digestAt} onChange={(ev) => patch({ digestAt: ev.target.value })} data-testid="rule-digest-at" />
          </label>
        ) : <span />}
      </div>
    </fieldset>
  );
}

/** What a rule does: the desktop notification and its HTTP actions (secrets and credentials write-only). */
export function ActionsEditor({ form, patch }: SectionProps) {
  const [preset, setPreset] = useState<HttpForm['preset']>('slack');
  const setHttp = (i: number, p: Partial<HttpForm>) => patch({ http: form.http.map((h, j) => (j === i ? { ...h, ...p } : h)) });
  const fields = form.digest ? [...DIGEST_BODY_FIELDS, 'ruleName', 'title', 'body', 'message'] : EVENT_BODY_FIELDS;
  return (
    <fieldset className="rule-fieldset" data-testid="rule-actions">
      <legend>Actions</legend>
      <label className="inline-check">
        <input type="checkbox" checked={form.notify} onChange={(ev) => patch({ notify: ev.target.checked })} data-testid="rule-notify" />
        Desktop notification
      </label>
      {form.http.map((h, i) => (
        <div key={i} className="rule-http" data-testid="rule-http">
          <div className="panel-row">
            <strong className="grow">HTTP {i + 1}{h.preset ? ` · ${ACTION_PRESETS.find((p) => p.id === h.preset)?.name ?? h.preset}` : ''}</strong>
            <button type="button" className="btn btn-xs btn-ghost" data-testid="rule-http-remove" onClick={() => patch({ http: form.http.filter((_, j) => j !== i) })}>Remove</button>
          </div>
          {h.preset && <p className="muted small">{ACTION_PRESETS.find((p) => p.id === h.preset)?.hint}</p>}
          <div className="form-grid">
            <label className="span-2">URL {h.url.includes('…') ? '(its secret part is hidden — kept as stored)' : ''}
              <span className="panel-row">
                <input className="input mono grow" value={h.url} readOnly={h.url.includes('…')} onChange={(ev) => setHttp(i, { url: ev.target.value })} data-testid="rule-http-url" placeholder="https://hooks.slack.com/services/…" />
                {/* Credentials are write-only: the stored URL is never shown, only replaced. */}
                {h.url.includes('…') && <button type="button" className="btn btn-xs" data-testid="rule-http-url-replace" onClick={() => setHttp(i, { url: '' })}>Replace</button>}
              </span>
            </label>
            <label>Method
              <select value={h.method} onChange={(ev) => setHttp(i, { method: ev.target.value as HttpForm['method'] })} data-testid="rule-http-method">
                {HTTP_METHODS.map((m) => <option key={m} value={m}>{m}</option>)}
              </select>
            </label>
            <label>Signing secret {h.secretSet && !h.clearSecret ? '(set — type to replace)' : '(optional)'}
              <input className="input" type="password" autoComplete="off" value={h.secret} onChange={(ev) => setHttp(i, { secret: ev.target.value, clearSecret: false })}
                data-testid="rule-http-secret" placeholder={h.secretSet ? '••••••••' : 'adds X-Hookscope-Signature'} />
            </label>
            {h.secretSet && (
              <label className="inline-check span-2">
                <input type="checkbox" checked={h.clearSecret} onChange={(ev) => setHttp(i, { clearSecret: ev.target.checked, secret: '' })} /> Remove the stored secret
              </label>
            )}
            <label className="span-2">Headers (one "Name: value" per line)
              <textarea className="input textarea mono" rows={2} value={h.headers} spellCheck={false} onChange={(ev) => setHttp(i, { headers: ev.target.value })} data-testid="rule-http-headers" />
              {h.headers.includes(MASKED_VALUE) && <span className="muted small" data-testid="rule-http-headers-masked">Values shown as {MASKED_VALUE} are kept as stored (never shown again); type a new value to replace one.</span>}
            </label>
            <label className="span-2">Body template
              <textarea className="input textarea mono" rows={4} value={h.body} spellCheck={false} onChange={(ev) => setHttp(i, { body: ev.target.value })} data-testid="rule-http-body" />
            </label>
          </div>
        </div>
      ))}
      <div className="panel-row">
        <select value={preset} onChange={(ev) => setPreset(ev.target.value as HttpForm['preset'])} data-testid="rule-http-preset" aria-label="HTTP action preset">
          {ACTION_PRESETS.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
          <option value="">Custom HTTP request</option>
        </select>
        <button type="button" className="btn btn-xs" data-testid="rule-http-add" onClick={() => {
          const p = ACTION_PRESETS.find((x) => x.id === preset);
          const h: HttpForm = p
            ? { ...BLANK_HTTP, preset: p.id, method: p.action.method ?? 'POST', body: p.action.body ?? '',
              headers: Object.entries(p.action.headers ?? {}).map(([k, v]) => `${k}: ${v}`).join('\n') }
            : { ...BLANK_HTTP };
          patch({ http: [...form.http, h] });
        }}>Add HTTP action</button>
      </div>
      <p className="muted small">
        Body fields: {fields.map((f) => `{${f}}`).join(' ')} — add <code>|json</code> for a JSON value, <code>|slack</code> to escape for Slack.
        Failed sends are retried 6 times over ~15 minutes.
      </p>
    </fieldset>
  );
}
