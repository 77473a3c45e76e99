// "1 event", "12 events of 51": how many events match the filters, of all stored. Both numbers come
// from the same bookkeeping (events slice), so the first never exceeds the second.
export function countsText(total: number, allTotal: number | null | undefined, unit: 'event' | 'message' = 'event'): string {
  const head = `${total.toLocaleString('en-US')} ${unit}${total === 1 ? '' : 's'}`;
  if (allTotal == null || allTotal <= total) return head;
  return `${head} of ${allTotal.toLocaleString('en-US')}`;
}
