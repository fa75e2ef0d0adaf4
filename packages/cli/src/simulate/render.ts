import type { SimulationReport } from './simulate';

/** The expectations block printed after a text-mode simulation. */
export function renderChecks(report: SimulationReport): string {
  const lines = [`\nExpectations of ${report.scenario}:`];
  for (const c of report.checks) {
    lines.push(
      `  ${c.passed ? '✔' : '✘'} ${c.expectation}${c.passed ? '' : ` — actual: ${JSON.stringify(c.actual)}`}`,
    );
  }
  if (report.checks.length === 0) lines.push('  (none)');
  const failed = report.checks.filter((c) => !c.passed).length;
  lines.push(
    failed === 0
      ? `PASSED (${report.checks.length} expectation(s))`
      : `FAILED (${failed} of ${report.checks.length} expectation(s))`,
  );
  return `${lines.join('\n')}\n`;
}
