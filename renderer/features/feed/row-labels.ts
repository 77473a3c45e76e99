// What a feed row says about its event: the summary text and the small tags after it. Pure, so each
// case is a unit test (test/unit/renderer-row-labels.test.ts); the row only renders what this returns,
// as text nodes. The kind's traits come from shared/event-kinds.ts.
import type { HookEvent } from '../../../shared/types';
import { kindIs } from '../../../shared/event-kinds';

export interface RowTag { label: string; title: string }
export interface RowLabels {
  /** The row's text cell: the event's words, or the error, or a placeholder. */
  summary: string;
  tags: RowTag[];
}

type RowEvent = Pick<HookEvent, 'kind' | 'text' | 'errorCode' | 'errorTitle' | 'messageType' | 'duplicate'>;
/** The part of privacy mode's mask (features/privacy) a row's words go through. */
export interface TextMask {
  text(s: string | null | undefined): string | null;
  scrub(s: string | null | undefined): string | null;
}

export function rowLabels(e: RowEvent, mask: TextMask): RowLabels {
  // Calls, groups, flows and history say what happened in their own words (which include the error
  // title); the code stays in front so failures still read at a glance.
  const code = e.errorCode ? `${e.errorCode} · ` : '';
  const summary = kindIs(e.kind, 'ownWords') && e.text
    ? `${code}${mask.text(e.text)}`
    : e.errorTitle
      ? `${code}${mask.scrub(e.errorTitle)}`
      : mask.text(e.text) ?? (e.messageType ? `[${e.messageType}]` : e.kind === 'status' ? '' : e.kind);
  const tags: RowTag[] = [];
  if (e.duplicate) tags.push({ label: 'dup', title: 'The same message and status were seen before' });
  if (!kindIs(e.kind, 'notifies') && !kindIs(e.kind, 'traffic')) {
    tags.push({ label: 'imported', title: 'Imported past conversation: never notifies, not counted as today\'s traffic' });
  }
  if (e.kind === 'echo') tags.push({ label: 'phone app', title: 'Sent from the WhatsApp Business phone app' });
  return { summary, tags };
}
