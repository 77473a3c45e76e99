// "1 event", "12 events of 51": how many events match the filters, of all stored. Both numbers come
// from the same bookkeeping (events slice), so the first never exceeds the second.
export function countsText(total: number, allTotal: number | null | undefined): string {
  const head = `${total.toLocaleString('en-US')} ${total === 1 ? 'event' : 'events'}`;
  if (allTotal == null || allTotal <= total) return head;
  return `${head} of ${allTotal.toLocaleString('en-US')}`;
}
