// What a feed row says (renderer/features/feed/row-labels.ts): its summary and its tags, per kind.
import { describe, expect, it } from 'vitest';
import type { HookEvent } from '../../shared/types';
import { rowLabels } from '../../renderer/features/feed/row-labels';

type RowEvent = Parameters<typeof rowLabels>[0];
const ev = (over: Partial<HookEvent>): RowEvent => ({
  kind: 'message', text: null, errorCode: null, errorTitle: null, messageType: null, duplicate: false, ...over,
});
const plain = { text: (s: string | null | undefined) => s ?? null, scrub: (s: string | null | undefined) => s ?? null };
/** Privacy mode's shape: payload text replaced, so the test sees which strings went through which mask. */
const masked = { text: (s: string | null | undefined) => (s == null ? null : `T(${s})`), scrub: (s: string | null | undefined) => (s == null ? null : `S(${s})`) };
const labels = (tags: { label: string }[]) => tags.map((t) => t.label);

describe('rowLabels', () => {
  it('a message shows its text; a status without text shows nothing; a bare kind names itself', () => {
    expect(rowLabels(ev({ text: 'Hi there' }), plain)).toEqual({ summary: 'Hi there', tags: [] });
    expect(rowLabels(ev({ kind: 'status' }), plain).summary).toBe('');
    expect(rowLabels(ev({ kind: 'verification' }), plain).summary).toBe('verification');
    expect(rowLabels(ev({ kind: 'message', messageType: 'sticker' }), plain).summary).toBe('[sticker]');
  });

  it('a failed status shows code and title; the title goes through the scrubbing mask, the text through the text mask', () => {
    const failed = ev({ kind: 'status', errorCode: '131047', errorTitle: 'Re-engagement message', text: 'ignored' });
    expect(rowLabels(failed, plain).summary).toBe('131047 · Re-engagement message');
    expect(rowLabels(failed, masked).summary).toBe('131047 · S(Re-engagement message)');
    expect(rowLabels(ev({ text: 'Hi' }), masked).summary).toBe('T(Hi)');
  });

  it('calls, groups, flows and history keep their own words, with the code in front', () => {
    for (const kind of ['call', 'group', 'flow', 'history'] as const) {
      expect(rowLabels(ev({ kind, text: 'Missed call from +1', errorCode: '138006', errorTitle: 'No answer' }), plain).summary, kind)
        .toBe('138006 · Missed call from +1');
    }
    // Other kinds with an error show the error title instead of their text.
    expect(rowLabels(ev({ kind: 'account', text: 'error', errorCode: '131000', errorTitle: 'Something went wrong' }), plain).summary)
      .toBe('131000 · Something went wrong');
  });

  it('tags: dup for a repeat, imported for history, phone app for an echo', () => {
    expect(labels(rowLabels(ev({ duplicate: true }), plain).tags)).toEqual(['dup']);
    expect(labels(rowLabels(ev({ kind: 'history', text: 'old' }), plain).tags)).toEqual(['imported']);
    expect(labels(rowLabels(ev({ kind: 'echo', text: 'typed on the phone', duplicate: true }), plain).tags)).toEqual(['dup', 'phone app']);
    expect(rowLabels(ev({ kind: 'history' }), plain).tags[0].title).toMatch(/never notifies/);
  });
});
