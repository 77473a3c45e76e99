// The receiving business number (businessId=), by the names given in Settings → Business numbers.
import { useApp, useAppStore } from '../../state/hooks';

export function BusinessFilter() {
  const store = useAppStore();
  const businesses = useApp((s) => s.businesses);
  const current = useApp((s) => s.filter.businessId);
  // Only worth a control when there is a choice (or a filter to clear).
  if (businesses.length < 2 && !current) return null;
  const known = businesses.some((b) => b.businessId === current);
  return (
    <label className="filter-field">
      <span className="sr-only">Business number</span>
      <select
        aria-label="Business number"
        data-testid="business-filter"
        value={current ?? ''}
        onChange={(e) => store.getState().setFilter({ businessId: e.target.value || undefined })}
      >
        <option value="">All numbers</option>
        {current && !known && <option value={current}>{current}</option>}
        {businesses.map((b) => (
          <option key={b.businessId} value={b.businessId}>{b.name ? `${b.name} (${b.businessId})` : b.businessId}</option>
        ))}
      </select>
    </label>
  );
}
