// The contract's rules channels (shared/ipc.ts): rules and their editor's preview and test, the
// notifications they fired, and the deliveries of their http actions and of --forward-to.
import type { ContractHandlers } from '../../../shared/ipc';
import { compileRule, validateRule } from '../../../shared/rules';
import { maskActions } from '../../../shared/actions';
import { createRule, deleteRule, listNotifications, listRules, updateRule } from '../rules/rules-store';
import { testRule, unmaskedRule } from '../rules/rule-editing';
import type { CoreParts } from '../parts';
import { notFound } from './common';

export function rulesHandlers(parts: CoreParts) {
  const { store, power, isLeadReply, sender, rules } = parts;
  // A rule sent back as it was read has its credentials masked: the stored ones go back in (rules/rule-editing.ts).
  const unmasked = (id: number | null, input: unknown) => unmaskedRule(store.db, id, input);
  return {
    // Credentials are write-only: reads carry actions masked (header values, the URL's secret parts);
    // a viewer of a team server sees the host alone (electron/serve/control-api.ts).
    'rules:list': () => listRules(store.db).map((r) => maskActions(r)),
    // Team mode: the shared rules in PostgreSQL change first, so every process runs the same ones.
    'rules:create': async (input) => {
      const rule = unmasked(null, input);
      if (parts.team) return maskActions(await parts.team.rules.create(rule, parts.clock()));
      const r = createRule(store.db, rule, parts.clock()); rules.reload(); return maskActions(r);
    },
    'rules:update': async ({ id, rule: input }) => {
      const rule = unmasked(id, input);
      if (parts.team) return maskActions(await parts.team.rules.update(id, rule, parts.clock()));
      const r = updateRule(store.db, id, rule, parts.clock()); rules.reload(); return maskActions(r);
    },
    'rules:delete': async ({ id }) => {
      if (parts.team) await parts.team.rules.remove(id);
      else if (!deleteRule(store.db, id)) notFound(`Rule ${id}`);
      rules.reload();
      return { deleted: true as const };
    },
    'rules:preview': ({ rule, eventId, sinceMs }) => {
      // The editor's preview runs exactly the code that fires notifications, over stored events.
      const v = validateRule(rule);
      if (!v.ok) return { valid: false, error: v.message, matches: null, wouldHaveFired: 0 };
      let matches: boolean | null = null;
      if (eventId != null) {
        const ev = store.getEvent(eventId) ?? notFound(`Event ${eventId}`);
        matches = compileRule(v.rule).matches(ev, { isLeadReply });
      }
      const since = parts.clock() - (sinceMs ?? 86_400_000);
      const wouldHaveFired = rules.wouldHaveFired(v.rule, store.iterateEvents({ since }));
      return { valid: true, error: null, matches, wouldHaveFired };
    },
    'notifications:list': ({ limit } = {}) => ({ items: listNotifications(store.db, limit ?? 200) }),
    'rules:test': (args) => testRule({ db: store.db, sender, clock: parts.clock, isLeadReply }, args as { id?: number; rule?: unknown }),
    'deliveries:list': (q) => {
      const a = (q ?? {}) as { kind?: 'action' | 'forward'; requestId?: number; ruleId?: number; eventId?: number; limit?: number };
      // A rule or an event names actions; a request names forwards; otherwise both, newest first.
      const actions = a.kind === 'forward' || a.requestId != null ? [] : sender.list(a);
      const forwards = a.kind === 'action' || a.ruleId != null || a.eventId != null ? [] : power.forwarder.list(a);
      if (forwards.length === 0) return { items: actions };
      if (actions.length === 0) return { items: forwards };
      return { items: [...actions, ...forwards].sort((x, y) => y.at - x.at).slice(0, a.limit ?? 200) };
    },
    'forwards:summary': () => ({ targets: power.forwarder.summary() }),
    'forwards:retry': (a) => ({ requeued: power.forwarder.retryNow(a?.target) }),
    'forwards:drop': (a) => ({ dropped: power.forwarder.drop(a?.target) }),
  } satisfies Partial<ContractHandlers>;
}
