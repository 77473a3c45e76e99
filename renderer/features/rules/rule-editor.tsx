// The rule editor: the form's state, the live preview the core runs (debounced, the last answer
// wins), and saving. Each section of the form is its own component (rule-editor-sections.tsx); the form
// model and its conversions to a rule are rule-form.ts.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { RulePreview, RuleTestResult } from '../../../shared/ipc';
import type { HookEvent, RuleInput } from '../../../shared/types';
import { useApp, useAppStore } from '../../state/hooks';
import { ruleFromForm, type FormResult, type RuleForm } from './rule-form';
import { ActionsEditor, DeliverySection, TextSection, TimerSection, WhenSection } from './rule-editor-sections';
import { TestResults } from './rule-results';

const PREVIEW_DEBOUNCE_MS = 300;

/** The rule being edited: its id (null for a new one) and the form it starts from. */
export interface Editing { id: number | null; form: RuleForm }

/** The selected event as a HookEvent, from the inspector's detail or the feed window. */
export function useSelectedEvent(): HookEvent | null {
  return useApp((s) => {
    if (s.selectedId == null) return null;
    if (s.detail.data && s.detail.data.id === s.selectedId) return s.detail.data;
    return s.events.find((e) => e.id === s.selectedId) ?? null;
  });
}

type PreviewState =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'done'; value: RulePreview }
  | { state: 'error'; error: string };

/** Live preview of the rule the form builds: debounced, the last answer wins. */
function useRulePreview(built: FormResult, selectedId: number | null): PreviewState {
  const store = useAppStore();
  const [preview, setPreview] = useState<PreviewState>({ state: 'idle' });
  const seq = useRef(0);
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
  return preview;
}

export function RuleEditor({ initial, onDone }: { initial: Editing; onDone(): void }) {
  const store = useAppStore();
  const selected = useSelectedEvent();
  const selectedId = selected?.id ?? null;
  const [form, setForm] = useState<RuleForm>(initial.form);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const patch = (p: Partial<RuleForm>) => setForm((f) => ({ ...f, ...p }));
  const built = useMemo(() => ruleFromForm(form), [form]);
  const preview = useRulePreview(built, selectedId);

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

      <WhenSection form={form} patch={patch} />
      <DeliverySection form={form} patch={patch} />
      <TextSection form={form} patch={patch} selected={selected} />
      <TimerSection form={form} patch={patch} />
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

function EditorTest({ ruleId, rule }: { ruleId: number | null; rule: RuleInput }) {
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
