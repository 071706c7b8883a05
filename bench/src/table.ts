/** The results as a Markdown table (readable in a terminal, pasteable into the README). */
import type { Judged, Mode } from './budgets.ts';

const COUNTED_UNITS = new Set(['calls', 'requests']);

function figure(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '—';
  if (unit === '') return String(value);
  // "1 call", "2 calls": a counted unit is singular for exactly one.
  return `${value} ${value === 1 && COUNTED_UNITS.has(unit) ? unit.slice(0, -1) : unit}`;
}

function budgetText(m: Judged): string {
  if (!m.budget || m.appliedLimit === null) return '—';
  const limit = Math.round(m.appliedLimit * 10) / 10;
  return `${m.budget.kind === 'max' ? '≤' : '≥'} ${figure(limit, m.unit)}`;
}

export function formatTable(rows: Judged[], mode: Mode): string {
  const header = ['Measurement', 'Result', 'Round trips', 'Budget', 'Status', 'Notes'];
  const body = rows.map((m) => [
    m.label,
    figure(m.value, m.unit),
    m.roundTrips === undefined ? '—' : String(m.roundTrips),
    budgetText(m),
    m.budget === null ? 'info' : m.pass ? 'pass' : 'FAIL',
    m.detail ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const rule = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`;
  const title =
    mode === 'smoke'
      ? 'Smoke run: timing budgets loosened ×3 (sizes, memory, errors exact)\n\n'
      : '';
  return `${title}${[line(header), rule, ...body.map(line)].join('\n')}`;
}
