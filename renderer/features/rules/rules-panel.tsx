// The Rules panel: the list of notification rules (enable, edit, delete), new rules from a preset or
// from the selected event, and the editor (rule-editor.tsx) with a live preview run by the core.
import { useEffect, useState } from 'react';
import type { RuleTestResult } from '../../../shared/ipc';
import { RULE_PRESETS, ruleFromEvent } from '../../../shared/rules';
import type { Rule } from '../../../shared/types';
import { useApp, useAppStore } from '../../state/hooks';
import { BLANK_FORM, describeRule, formFromRule } from './rule-form';
import { RuleEditor, useSelectedEvent, type Editing } from './rule-editor';
import { DeliveryHistory, TestResults } from './rule-results';

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
