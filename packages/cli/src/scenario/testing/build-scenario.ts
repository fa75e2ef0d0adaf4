import { parseScenario } from '../parse-scenario';
import { formatScenarioProblem } from '../problems';
import type { Scenario } from '../types';

/** Parses scenario YAML for a test; throws with every problem when it does not parse. */
export function scenarioFrom(text: string): Scenario {
  const result = parseScenario(text, { file: 'test.yaml' });
  if (!result.ok) throw new Error(result.problems.map(formatScenarioProblem).join('\n'));
  return result.scenario;
}
