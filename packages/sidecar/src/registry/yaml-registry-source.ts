import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { SignalFactoryError } from '@signal-factory/core';
import { parseAllDocuments } from 'yaml';

import { SIDECAR_ERROR_CODES } from '../errors';
import { buildSnapshot, type BuildSnapshotOptions } from './build-snapshot';
import type { RegistrySnapshot, RegistrySource } from './types';

/** Reads every `*.yaml` / `*.yml` file of a directory (multi-document files allowed). */
export class YamlRegistrySource implements RegistrySource {
  readonly #dir: string;
  readonly #options: BuildSnapshotOptions;

  constructor(dir: string, options: BuildSnapshotOptions = {}) {
    this.#dir = dir;
    this.#options = options;
  }

  get description(): string {
    return `yaml:${this.#dir}`;
  }

  async load(): Promise<RegistrySnapshot> {
    let names: string[];
    try {
      names = (await readdir(this.#dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
    } catch (cause) {
      throw new SignalFactoryError(
        SIDECAR_ERROR_CODES.REGISTRY_UNAVAILABLE,
        `Cannot read registry directory ${this.#dir}`,
        {
          cause,
          retriable: true,
        },
      );
    }
    const documents: Array<{ origin: string; document: unknown }> = [];
    const problems: Array<{ path: string; message: string }> = [];
    for (const name of names) {
      const text = await readFile(join(this.#dir, name), 'utf8');
      parseAllDocuments(text).forEach((doc, i) => {
        if (doc.errors.length > 0) {
          problems.push({
            path: `${name}#${i}`,
            message: doc.errors.map((e) => e.message).join('; '),
          });
        } else {
          documents.push({ origin: `${name}#${i}`, document: doc.toJS() });
        }
      });
    }
    if (problems.length > 0) {
      throw new SignalFactoryError(
        SIDECAR_ERROR_CODES.REGISTRY_INVALID,
        `Invalid registry YAML in ${this.#dir}`,
        {
          details: { problems },
        },
      );
    }
    return buildSnapshot(documents, this.#options);
  }
}

/** A fixed in-memory registry (embedded platform, tests). */
export class StaticRegistrySource implements RegistrySource {
  readonly description = 'static';
  readonly #documents: unknown[];
  readonly #options: BuildSnapshotOptions;

  constructor(documents: unknown[], options: BuildSnapshotOptions = {}) {
    this.#documents = documents;
    this.#options = options;
  }

  async load(): Promise<RegistrySnapshot> {
    return buildSnapshot(
      this.#documents.map((document, i) => ({ origin: `documents[${i}]`, document })),
      this.#options,
    );
  }
}
