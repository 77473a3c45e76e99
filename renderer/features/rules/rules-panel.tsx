// The Rules panel: the list of notification rules (enable, edit, delete), new rules from a preset or
// from the selected event, and the editor with a live preview run by the core.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { RulePreview, RuleTestResult } from '../../../shared/ipc';
import { DIGEST_PLACEHOLDERS, RULE_PRESETS, ruleFromEvent, renderTemplate, TEMPLATE_PLACEHOLDERS } from '../../../shared/rules';
import { ACTION_PRESETS, DIGEST_BODY_FIELDS, EVENT_BODY_FIELDS, HTTP_METHODS, MASKED_VALUE } from '../../../shared/actions';
import { EVENT_KINDS, EVENT_SIGNALS, EVENT_STATUSES, SIGNATURE_VERDICTS, type DeliveryRecord, type EventSignal, type HookEvent, type Provider, type Rule } from '../../../shared/types';
import { SIGNAL_LABELS } from '../../../shared/event-words';
import { useApp, useAppStore } from '../../state/hooks';
import { useMask } from '../privacy/privacy';
import { BLANK_FORM, BLANK_HTTP, describeRule, formFromRule, ruleFromForm, toggleIn, type HttpForm, type RuleForm } from './rule-form';

const PREVIEW_DEBOUNCE_MS = 300;
const PROVIDERS: readonly Provider[] = ['meta', 'twilio'];

interface Editing { id: number | null; form: RuleForm }

/** The selected event as a HookEvent, from the inspector's detail or the feed window. */
function useSelectedEvent(): HookEvent | null {
  return useApp((s) => {
    if (s.selectedId == null) return null;
    if (s.detail.data && s.detail.data.id === s.selectedId) return s.detail.data;
    return s.events.find((e) => e.id === s.selectedId) ?? null;
  });
}

export function RulesPanel() {
  const store = useAppStore();
  const rules = useApp((s) => s.rules);
  const rulesError = useApp((s) => s.rulesError);
  const selected = useSelectedEvent();
  const [editing, setEditing] = useState<Editing | null>(null);
  const [preset, setPreset] = useState(RULE_PRESETS[0].id);

  useEffect(() => { void store.getState().loadRules(); }, [store]);

  if (editing) {
    return <RuleEditor key={editing.id ?? 'new'} initial={editing} onDone={() => setEditing(null)} />;
  }
  return (
    <div className="rules-panel" data-testid="rules-panel">
      <section className="panel-section" data-admin-only>
        <h3 className="section-title">New rule</h3>
        <div className="panel-row">
          <select value={preset} onChange={(ev) => setPreset(ev.target.value)} data-testid="rule-preset" aria-label="Preset">
            {RULE_PRESETS.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
          </select>
          <button type="button" className="btn btn-xs" data-testid="rule-new-preset" onClick={() => {
            const p = RULE_PRESETS.find((x) => x.id === preset) ?? RULE_PRESETS[0];
            setEditing({ id: null, form: formFromRule(p.rule) });
          }}>New from preset</button>
          <button type="button" className="btn btn-xs" data-testid="rule-new-event" disabled={!selected}
            title={selected ? 'A rule matching events like the selected one' : 'Select an event in the feed first'}
            onClick={() => selected && setEditing({ id: null, form: formFromRule(ruleFromEvent(selected)) })}>
            From the selected event
          </button>
          <button type="button" className="btn btn-xs btn-ghost" data-testid="rule-new-blank" onClick={() => setEditing({ id: null, form: { ...BLANK_FORM } })}>
            Blank
          </button>
        </div>
        <p className="muted small">{RULE_PRESETS.find((p) => p.id === preset)?.description}</p>
      </section>
      <section className="panel-section">
        <h3 className="section-title">Rules</h3>
        {rulesError && <p className="field-error" role="alert">{rulesError}</p>}
        {rules.length === 0 ? (
          <p className="muted" data-testid="rules-empty">No rules yet. Start from a preset above.</p>
        ) : (
          <ul className="rule-list">
            {rules.map((r) => <RuleItem key={r.id} rule={r} onEdit={() => setEditing({ id: r.id, form: formFromRule(r) })} />)}
          </ul>
        )}
      </section>
    </div>
  );
}

function RuleItem({ rule, onEdit }: { rule: Rule; onEdit(): void }) {
  const store = useAppStore();
  const canAdmin = useApp((s) => s.identity?.role !== 'viewer');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [tested, setTested] = useState<RuleTestResult | null>(null);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [historySeq, setHistorySeq] = useState(0);
  const hasHttp = (rule.actions ?? []).some((a) => a.type === 'http');
  const run = async (fn: () => Promise<{ ok: boolean; error?: string }>) => {
    setBusy(true);
    setError(null);
    const r = await fn();
    setBusy(false);
    if (!r.ok) setError(r.error ?? 'Failed.');
  };
  return (
    <li className={`rule-item${rule.enabled ? '' : ' is-disabled'}`} data-testid="rule-item" data-rule-id={rule.id}>
      <label className="rule-toggle" title={rule.enabled ? 'Enabled: click to switch off' : 'Disabled: click to switch on'}>
        <input type="checkbox" checked={rule.enabled} disabled={busy || !canAdmin} data-testid="rule-toggle"
          aria-label={`Enable ${rule.name}`}
          onChange={(ev) => void run(() => store.getState().setRuleEnabled(rule.id, ev.target.checked))} />
      </label>
      <div className="rule-main">
        <div className="rule-name" data-testid="rule-name">{rule.name}</div>
        <div className="muted small wrap-words">{describeRule(rule)}</div>
        {error && <p className="field-error" role="alert">{error}</p>}
        {tested && <TestResults result={tested} />}
        {historyOpen && <DeliveryHistory ruleId={rule.id} refresh={historySeq} />}
      </div>
      <div className="rule-actions">
        {hasHttp && (
          <button type="button" className="btn btn-xs" data-admin-only data-testid="rule-test" disabled={busy} title="Send a sample event through this rule's HTTP actions"
            onClick={() => void run(async () => {
              const r = await store.getState().testRule(rule.id);
              if (r.ok) { setTested(r.value); setHistorySeq((n) => n + 1); }
              return r;
            })}>Test</button>
        )}
        {hasHttp && (
          <button type="button" className="btn btn-xs btn-ghost" data-testid="rule-history-toggle" aria-expanded={historyOpen}
            onClick={() => setHistoryOpen((o) => !o)}>History</button>
        )}
        <button type="button" className="btn btn-xs" data-admin-only data-testid="rule-edit" onClick={onEdit}>Edit</button>
        {confirming ? (
          <>
            <button type="button" className="btn btn-xs btn-danger" data-testid="rule-delete-confirm" disabled={busy}
              onClick={() => void run(() => store.getState().deleteRule(rule.id))}>Delete</button>
            <button type="button" className="btn btn-xs btn-ghost" onClick={() => setConfirming(false)}>Keep</button>
          </>
        ) : (
          <button type="button" className="btn btn-xs btn-ghost" data-admin-only data-testid="rule-delete" onClick={() => setConfirming(true)}>Delete…</button>
        )}
      </div>
    </li>
  );
}

type PreviewState =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'done'; value: RulePreview }
  | { state: 'error'; error: string };

function RuleEditor({ initial, onDone }: { initial: Editing; onDone(): void }) {
  const store = useAppStore();
  const selected = useSelectedEvent();
  const selectedId = selected?.id ?? null;
  const [form, setForm] = useState<RuleForm>(initial.form);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [preview, setPreview] = useState<PreviewState>({ state: 'idle' });
  const [advancedOpen, setAdvancedOpen] = useState(initial.form.anyJson.trim() !== '');
  const patch = (p: Partial<RuleForm>) => setForm((f) => ({ ...f, ...p }));
  const built = useMemo(() => ruleFromForm(form), [form]);
  const seq = useRef(0);

  // Live preview: debounced, the last answer wins.
  useEffect(() => {
    const mine = ++seq.current;
    if (!built.ok) {
      setPreview({ state: 'error', error: built.error });
      return;
    }
    setPreview((p) => (p.state === 'done' ? p : { state: 'loading' }));
    const t = setTimeout(async () => {
      const r = await store.getState().previewRule(built.rule, selectedId);
      if (mine !== seq.current) return;
      setPreview(r.ok ? { state: 'done', value: r.value } : { state: 'error', error: r.error });
    }, PREVIEW_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [built, selectedId, store]);

  const save = async () => {
    if (!built.ok) { setSaveError(built.error); return; }
    setSaving(true);
    setSaveError(null);
    const s = store.getState();
    const r = initial.id == null ? await s.createRule(built.rule) : await s.updateRule(initial.id, built.rule);
    setSaving(false);
    if (r.ok) onDone();
    else setSaveError(r.error);
  };

  const sampleTitle = selected ? renderTemplate(form.title, selected) : null;
  const sampleBody = selected ? renderTemplate(form.body, selected) : null;

  return (
    <form className="rule-editor" data-testid="rule-editor" onSubmit={(ev) => { ev.preventDefault(); void save(); }}>
      <div className="panel-row">
        <h3 className="section-title grow">{initial.id == null ? 'New rule' : 'Edit rule'}</h3>
        <label className="inline-check">
          <input type="checkbox" checked={form.enabled} onChange={(ev) => patch({ enabled: ev.target.checked })} data-testid="rule-enabled" />
          Enabled
        </label>
      </div>
      <div className="form-grid">
        <label className="span-2">Name
          <input className="input" value={form.name} onChange={(ev) => patch({ name: ev.target.value })} data-testid="rule-name-input" maxLength={120} />
        </label>
      </div>

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

      <ActionsEditor form={form} patch={patch} />
      {built.ok && form.http.length > 0 && <EditorTest ruleId={initial.id} rule={built.rule} />}

      <PreviewBox preview={preview} hasEvent={selectedId != null} />

      {saveError && <p className="field-error" role="alert" data-testid="rule-save-error">{saveError}</p>}
      <div className="panel-row">
        <button type="submit" className="btn btn-primary" disabled={saving} data-testid="rule-save">{saving ? 'Saving…' : 'Save rule'}</button>
        <button type="button" className="btn btn-ghost" onClick={onDone} data-testid="rule-cancel">Cancel</button>
      </div>
    </form>
  );
}

function PreviewBox({ preview, hasEvent }: { preview: PreviewState; hasEvent: boolean }) {
  if (preview.state === 'error') {
    return <div className="rule-preview is-invalid" data-testid="rule-preview"><p className="field-error" data-testid="rule-preview-error">{preview.error}</p></div>;
  }
  if (preview.state !== 'done') {
    return <div className="rule-preview" data-testid="rule-preview"><p className="muted small">Checking…</p></div>;
  }
  const v = preview.value;
  if (!v.valid) {
    return <div className="rule-preview is-invalid" data-testid="rule-preview"><p className="field-error" data-testid="rule-preview-error">{v.error ?? 'The rule is not valid.'}</p></div>;
  }
  return (
    <div className="rule-preview" data-testid="rule-preview">
      <div data-testid="rule-preview-match">
        {hasEvent && v.matches != null
          ? <>Matches the selected event: <strong className={v.matches ? 'text-ok' : 'text-error'}>{v.matches ? 'yes' : 'no'}</strong></>
          : <span className="muted">Select an event in the feed to test the rule against it.</span>}
      </div>
      <div data-testid="rule-preview-count">
        Would have fired <strong>{v.wouldHaveFired}</strong> {v.wouldHaveFired === 1 ? 'time' : 'times'} in the last 24 h
      </div>
    </div>
  );
}

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

function ActionsEditor({ form, patch }: { form: RuleForm; patch(p: Partial<RuleForm>): void }) {
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

function EditorTest({ ruleId, rule }: { ruleId: number | null; rule: import('../../../shared/types').RuleInput }) {
  const store = useAppStore();
  const [state, setState] = useState<{ busy: boolean; result: RuleTestResult | null; error: string | null }>({ busy: false, result: null, error: null });
  return (
    <div className="panel-row">
      <button type="button" className="btn btn-xs" disabled={state.busy} data-testid="rule-editor-test" onClick={async () => {
        setState({ busy: true, result: null, error: null });
        const r = await store.getState().testRule(ruleId, rule);
        setState({ busy: false, result: r.ok ? r.value : null, error: r.ok ? null : r.error });
      }}>{state.busy ? 'Sending…' : 'Test with a sample event'}</button>
      {state.error && <p className="field-error" role="alert">{state.error}</p>}
      {state.result && <TestResults result={state.result} />}
    </div>
  );
}

function statusText(status: number | null, error: string | null): string {
  if (status != null && status >= 200 && status < 300) return `${status} OK`;
  return error ?? (status != null ? `HTTP ${status}` : 'no answer');
}

function TestResults({ result }: { result: RuleTestResult }) {
  return (
    <ul className="rule-test-results" data-testid="rule-test-result">
      {result.results.map((r) => (
        <li key={r.actionIndex} className={r.status != null && r.status < 300 && r.status >= 200 ? 'text-ok' : 'text-error'}>
          <span className="mono small">{r.url}</span> → <strong data-testid="rule-test-status">{statusText(r.status, r.error)}</strong>
          <span className="muted small"> in {Math.round(r.durationMs)} ms</span>
          {r.excerpt && <div className="mono small wrap-words muted">{r.excerpt.slice(0, 300)}</div>}
        </li>
      ))}
    </ul>
  );
}

/** Who and what fired a delivery: the contact, and a link that opens the event in the inspector. */
function FiredBy({ delivery: d }: { delivery: DeliveryRecord }) {
  const store = useAppStore();
  const mask = useMask();
  if (d.test) return <span className="muted">sample event</span>;
  return (
    <>
      {d.contactId ? <span className="mono" data-testid="delivery-contact">+{mask.number(d.contactId)}</span> : <span className="muted">no contact</span>}
      {d.eventId != null && (
        <>
          {' '}
          <a href={`#event-${d.eventId}`} data-testid="delivery-event" onClick={(ev) => { ev.preventDefault(); store.getState().select(d.eventId); }}>
            event #{d.eventId}
          </a>
        </>
      )}
    </>
  );
}

function DeliveryHistory({ ruleId, refresh }: { ruleId: number; refresh: number }) {
  const store = useAppStore();
  const [items, setItems] = useState<DeliveryRecord[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void store.getState().loadDeliveries(ruleId).then((r) => {
      if (!live) return;
      if (r.ok) { setItems(r.value); setError(null); } else setError(r.error);
    });
    return () => { live = false; };
  }, [store, ruleId, refresh]);
  if (error) return <p className="field-error" role="alert">{error}</p>;
  if (!items) return <p className="muted small">Loading the history…</p>;
  if (items.length === 0) return <p className="muted small" data-testid="rule-history-empty">No HTTP deliveries yet.</p>;
  return (
    <table className="rule-history small" data-testid="rule-history">
      <thead><tr><th>When</th><th>Fired by</th><th>Try</th><th>Result</th><th>Time</th><th>Target</th></tr></thead>
      <tbody>
        {items.map((d) => (
          <tr key={d.id} data-testid="delivery-row" className={d.status != null && d.status >= 200 && d.status < 300 ? 'text-ok' : 'text-error'}>
            <td>{new Date(d.at).toLocaleString()}{d.test ? ' (test)' : ''}</td>
            <td data-testid="delivery-source"><FiredBy delivery={d} /></td>
            <td>{d.attempt === 0 ? '—' : d.attempt}</td>
            <td className="wrap-words">{statusText(d.status, d.error)}{d.nextAttemptAt ? ` · retry at ${new Date(d.nextAttemptAt).toLocaleTimeString()}` : ''}</td>
            <td>{d.durationMs != null ? `${Math.round(d.durationMs)} ms` : ''}</td>
            <td className="mono">{d.url}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
