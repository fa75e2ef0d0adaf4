import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cacheDir } from './cache';
import { HarnessError } from './errors';
import { exec } from './exec';
import { checkJava, checkMaven, INSTALL_HINT, probeMaven } from './toolchain';

/** One Maven coordinate; the harness resolves it with its transitive runtime dependencies. */
export interface MavenDependency {
  readonly groupId: string;
  readonly artifactId: string;
  readonly version: string;
}

/** A named set of artifacts resolved into one classpath (one per server). */
export interface ArtifactSet {
  readonly name: string;
  readonly dependencies: readonly MavenDependency[];
}

export interface ResolvedClasspath {
  readonly jars: readonly string[];
  /** True when the classpath came from the cache without running Maven. */
  readonly cached: boolean;
}

/** The plugin that writes the classpath; pinned so a cold start is reproducible. */
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath';
const MAVEN_TIMEOUT_MS = 15 * 60_000;

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The generated pom: a `pom`-packaged project whose only content is the dependency list. */
export function pomFor(set: ArtifactSet): string {
  const deps = set.dependencies
    .map(
      (d) =>
        `    <dependency><groupId>${escapeXml(d.groupId)}</groupId><artifactId>${escapeXml(d.artifactId)}</artifactId>` +
        `<version>${escapeXml(d.version)}</version></dependency>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.signal-factory.harness</groupId>
  <artifactId>${escapeXml(set.name)}</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
${deps}
  </dependencies>
</project>
`;
}

function readCachedClasspath(file: string): string[] | undefined {
  if (!existsSync(file)) return undefined;
  const jars = readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (jars.length === 0) return undefined;
  for (const jar of jars) {
    if (!existsSync(jar) || statSync(jar).size === 0) return undefined;
  }
  return jars;
}

// One Maven at a time: concurrent writers to one local repository can corrupt it.
let inProcessQueue: Promise<unknown> = Promise.resolve();

async function withFileLock<T>(lockDir: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + MAVEN_TIMEOUT_MS;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder = Number.NaN;
      try {
        holder = Number(readFileSync(path.join(lockDir, 'pid'), 'utf8'));
      } catch {
        // being created or removed right now
      }
      let alive = true;
      if (Number.isInteger(holder) && holder > 0) {
        try {
          process.kill(holder, 0);
        } catch {
          alive = false;
        }
      }
      if (!alive) rmSync(lockDir, { recursive: true, force: true });
      else if (Date.now() > deadline) {
        throw new HarnessError(
          'SF_HARNESS_MAVEN_LOCKED',
          `timed out waiting for the Maven lock ${lockDir}`,
        );
      } else await sleep(500);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * Resolves an artifact set to jar paths: from the classpath file in the cache when every jar is
 * still there (no Maven run), else with `mvn dependency:build-classpath` into the cache's own
 * local repository (offline first, then online).
 */
export async function resolveClasspath(
  set: ArtifactSet,
  log: (line: string) => void = () => undefined,
  options: { cacheRoot?: string; mavenCommand?: string } = {},
): Promise<ResolvedClasspath> {
  const root = options.cacheRoot ?? cacheDir();
  const pom = pomFor(set);
  const key = createHash('sha256').update(pom).digest('hex').slice(0, 12);
  const classpathFile = path.join(root, 'classpath', `${set.name}-${key}.txt`);
  const cached = readCachedClasspath(classpathFile);
  if (cached !== undefined) return { jars: cached, cached: true };

  const run = inProcessQueue.then(async () => {
    mkdirSync(root, { recursive: true });
    return withFileLock(path.join(root, '.maven.lock'), async () => {
      const again = readCachedClasspath(classpathFile);
      if (again !== undefined) return { jars: again, cached: true };
      // Maven itself runs on Java: check both so the message names what is missing.
      await checkJava();
      const mvn =
        options.mavenCommand === undefined
          ? await checkMaven()
          : await probeMaven(options.mavenCommand);
      const repo = path.join(root, 'm2');
      const work = path.join(root, 'poms', `${set.name}-${key}`);
      mkdirSync(work, { recursive: true });
      mkdirSync(path.dirname(classpathFile), { recursive: true });
      writeFileSync(path.join(work, 'pom.xml'), pom);
      const output = path.join(work, 'classpath.txt');
      rmSync(output, { force: true });
      const args = (offline: boolean): string[] => [
        '-B',
        '-q',
        ...(offline ? ['-o'] : []),
        `-Dmaven.repo.local=${repo}`,
        '-f',
        path.join(work, 'pom.xml'),
        DEPENDENCY_PLUGIN,
        `-Dmdep.outputFile=${output}`,
        '-Dmdep.includeScope=runtime',
      ];
      // Offline first only when the artifacts themselves are in the local repository (a classpath
      // file was lost, say): a miss costs a whole Maven start.
      const local = set.dependencies.every((d) =>
        existsSync(path.join(repo, ...d.groupId.split('.'), d.artifactId, d.version)),
      );
      let result = local
        ? await exec(mvn, args(true), { cwd: work, timeoutMs: MAVEN_TIMEOUT_MS })
        : undefined;
      if (result?.code !== 0) {
        log(`[harness] fetching ${set.name} jars from Maven Central into ${repo} (once)`);
        result = await exec(mvn, args(false), { cwd: work, timeoutMs: MAVEN_TIMEOUT_MS });
      }
      if (result.code !== 0 || !existsSync(output)) {
        throw new HarnessError(
          'SF_HARNESS_MAVEN_FETCH_FAILED',
          `Maven could not resolve ${set.dependencies
            .map((d) => `${d.groupId}:${d.artifactId}:${d.version}`)
            .join(
              ', ',
            )} (exit ${String(result.code)}). Is Maven Central reachable (or a mirror set in ` +
            `~/.m2/settings.xml)?\n${result.output.trim().split('\n').slice(-40).join('\n')}\n${INSTALL_HINT}`,
        );
      }
      const jars = readFileSync(output, 'utf8')
        .trim()
        .split(path.delimiter)
        .filter((jar) => jar !== '');
      const tmp = `${classpathFile}.${process.pid}.tmp`;
      writeFileSync(tmp, `${jars.join('\n')}\n`);
      renameSync(tmp, classpathFile);
      const verified = readCachedClasspath(classpathFile);
      if (verified === undefined) {
        throw new HarnessError(
          'SF_HARNESS_MAVEN_FETCH_FAILED',
          `Maven wrote a classpath with missing jars: ${classpathFile}`,
        );
      }
      return { jars: verified, cached: false };
    });
  });
  inProcessQueue = run.catch(() => undefined);
  return run;
}
