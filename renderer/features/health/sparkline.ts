// The Health panel's chart: a polyline of the watched value and the threshold line, as SVG path data.
// Pure, so the maths is testable without a DOM.

export interface Spark {
  /** `points` of an SVG polyline, in a width × height box (y grows downwards). */
  points: string;
  /** y of the threshold line, or null when it is above the box's top or absent. */
  thresholdY: number | null;
  max: number;
}

export function sparkline(series: readonly { value: number }[], threshold: number | null, width: number, height: number): Spark {
  const values = series.map((p) => (Number.isFinite(p.value) ? Math.max(0, p.value) : 0));
  // The scale always shows the threshold, so "how close to firing" reads at a glance.
  const max = Math.max(1, ...values, threshold ?? 0);
  const pad = 2;
  const y = (v: number) => Math.round((height - pad - (v / max) * (height - 2 * pad)) * 10) / 10;
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const points = values.map((v, i) => `${Math.round(i * step * 10) / 10},${y(v)}`).join(' ');
  return { points, thresholdY: threshold == null ? null : y(threshold), max };
}
