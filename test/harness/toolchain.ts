import path from 'node:path';
import { HarnessError } from './errors';
import { exec } from './exec';

export const INSTALL_HINT =
  'Install a Java 17+ runtime and Maven, e.g. `apt-get install -y openjdk-17-jre-headless maven` ' +
  '(Debian/Ubuntu) or `brew install openjdk@17 maven` (macOS); or point the tests at servers you ' +
  'already run with SF_KAFKA_BROKERS, SF_GREMLIN_URL and SF_DYNAMO_ENDPOINT (see CONTRIBUTING.md).';

export const MIN_JAVA_MAJOR = 17;

/** JAVA_HOME/bin/java when JAVA_HOME is set, else `java` from PATH. */
export function javaCommand(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.JAVA_HOME;
  return home !== undefined && home.trim() !== '' ? path.join(home, 'bin', 'java') : 'java';
}

/** SF_MVN when set, else `mvn` from PATH. */
export function mavenCommand(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.SF_MVN;
  return fromEnv !== undefined && fromEnv.trim() !== '' ? fromEnv : 'mvn';
}

/** Parses the major version out of `java -version` output ('17.0.15', '1.8.0_392', '21'). */
export function parseJavaMajor(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(output);
  if (match === null) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

/** Runs `<command> -version`; throws a HarnessError naming what to install when it is missing or too old. */
export async function probeJava(command: string): Promise<{ command: string; major: number }> {
  const result = await exec(command, ['-version'], { timeoutMs: 30_000 });
  if (result.code === null) {
    throw new HarnessError(
      'SF_HARNESS_JAVA_MISSING',
      `Java is needed to run Kafka and Gremlin Server for the integration tests, but \`${command}\` ` +
        `could not be run (${result.error?.code ?? 'unknown error'}). ${INSTALL_HINT}`,
    );
  }
  const major = parseJavaMajor(result.output);
  if (result.code !== 0 || major === undefined) {
    throw new HarnessError(
      'SF_HARNESS_JAVA_BROKEN',
      `\`${command} -version\` failed (exit ${result.code}):\n${result.output.trim()}\n${INSTALL_HINT}`,
    );
  }
  if (major < MIN_JAVA_MAJOR) {
    throw new HarnessError(
      'SF_HARNESS_JAVA_TOO_OLD',
      `Kafka 4 needs Java ${MIN_JAVA_MAJOR} or newer; \`${command}\` is Java ${major}. ${INSTALL_HINT}`,
    );
  }
  return { command, major };
}

/** Runs `<command> -v`; throws a HarnessError naming what to install when it is missing. */
export async function probeMaven(command: string): Promise<string> {
  const result = await exec(command, ['-B', '-v'], { timeoutMs: 60_000 });
  if (result.code === null) {
    throw new HarnessError(
      'SF_HARNESS_MAVEN_MISSING',
      `Maven is needed once to fetch the Kafka and Gremlin Server jars from Maven Central into the ` +
        `harness cache, but \`${command}\` could not be run (${result.error?.code ?? 'unknown error'}). ${INSTALL_HINT}`,
    );
  }
  if (result.code !== 0) {
    throw new HarnessError(
      'SF_HARNESS_MAVEN_BROKEN',
      `\`${command} -v\` failed (exit ${result.code}):\n${result.output.trim()}\n${INSTALL_HINT}`,
    );
  }
  return command;
}

let javaChecked: Promise<{ command: string; major: number }> | undefined;
let mavenChecked: Promise<string> | undefined;

/** probeJava on JAVA_HOME/PATH's java, once per process. */
export function checkJava(): Promise<{ command: string; major: number }> {
  javaChecked ??= probeJava(javaCommand());
  return javaChecked;
}

/** probeMaven on SF_MVN/PATH's mvn, once per process. */
export function checkMaven(): Promise<string> {
  mavenChecked ??= probeMaven(mavenCommand());
  return mavenChecked;
}
