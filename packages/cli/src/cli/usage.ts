/** Usage texts of `signal-factory` and its subcommands. */
export const MAIN_USAGE = `Usage: signal-factory <command> [options]

The whole platform in one process, or each component as its own.

Commands:
  up [--config <file>] [--scenario <file>]   run the platform (embedded by default; Kafka, DynamoDB and
                                             Gremlin with a config file), optionally play a scenario
                                             first, then serve the copilot and lineage HTTP APIs
  simulate <file> [--json] [--seed <n>]      play a scenario through the real components and check
                                             its expectations (exit 1 when one fails)
  rca <incident-id> [--json]                 print the root-cause report of an incident
  contract <lint|validate|diff|infer> ...    work with ODCS data contracts
  sidecar [--config <file>]                  run the sidecar hop (POST /v1/produce) as its own process
  engines [--config <file>]                  run the signal engines and the incident manager
  lineage [--config <file>]                  run the lineage ingestion API (and its bus consumer)
  copilot [--config <file>]                  run the copilot HTTP API

Run 'signal-factory <command> --help' for the options of a command.
Exit status: 0 success, 1 failure (a failed expectation, a failed check), 2 usage or input error.
`;

export const UP_USAGE = `Usage: signal-factory up [options]

Runs producer SDK → sidecar → evidence bus → engines → incidents → lineage graph → copilot in one
process. Without --config every backend is embedded (in-process bus, state store and graph).

Options:
  --config <file>        platform configuration (YAML or JSON): kafka, dynamodb, gremlin, http sections
  --scenario <file>      play this scenario in accelerated time first and print the RCA of every incident
  --seed <n>             override the scenario's seed
  --host <address>       listen address of the HTTP APIs (default 127.0.0.1)
  --copilot-port <n>     copilot API port (default 8080, 0 = any free port)
  --lineage-port <n>     lineage API port (default 5000, 0 = any free port)
  --sidecar-port <n>     without --scenario: the sidecar hop POST /v1/produce (default 7070)
  --no-serve             stop after the scenario instead of serving the HTTP APIs
  --quiet                print only the RCA reports and the API addresses
`;

export const SIMULATE_USAGE = `Usage: signal-factory simulate <scenario.yaml> [options]

Plays a scenario (format: shared/scenarios/README.md) through the real platform components on a
simulated clock and checks every expectation.

Options:
  --json             print one JSON document { scenario, passed, checks, signals, incidents, rca }
  --seed <n>         override the scenario's seed (same seed, same result)
  --config <file>    play on Kafka / DynamoDB / Gremlin instead of the embedded backends
  --quiet            no progress lines (text mode)
Exit status: 0 every expectation passed, 1 one failed, 2 the scenario file is invalid.
`;

export const SIDECAR_USAGE = `Usage: signal-factory sidecar [options]

Runs the sidecar hop (POST /v1/produce, /healthz, /readyz, /metrics, /v1/trust) as its own process.
Records go to Kafka and evidence to the evidence topic when the config has a kafka section
(otherwise both stay in memory); the registry comes from --registry (a YAML directory) or, with a
dynamodb section, from the DatasetRegistry / DatasetResolutionMap tables.

Options:
  --config <file>     platform configuration
  --registry <dir>    YAML registry directory (Dataset, Resolution, IdentityFallback, Tiers, ODCS contracts)
  --host <address>    listen address (default 127.0.0.1)
  --port <n>          listen port (default: http.sidecarPort, else 7070)
`;

export const ENGINES_USAGE = `Usage: signal-factory engines [options]

Runs the freshness, volume, contract and drift engines (one consumer group each) and the incident
manager on the wall clock.

Options:
  --config <file>     platform configuration (kafka, dynamodb and gremlin sections)
`;

export const LINEAGE_USAGE = `Usage: signal-factory lineage [options]

Runs the lineage ingestion API (POST /api/v1/lineage, /api/v1/lineage-specs, /api/v1/deployments)
on the knowledge graph, and with a kafka section also consumes the signal_factory.lineage topic.

Options:
  --config <file>     platform configuration (gremlin, kafka sections)
  --host <address>    listen address (default 127.0.0.1)
  --port <n>          listen port (default: http.lineagePort, else 5000)
`;

export const COPILOT_USAGE = `Usage: signal-factory copilot [options]

Runs the copilot HTTP API: GET /v1/incidents, GET /v1/incidents/:id/rca,
GET /v1/datasets/:urn/blast-radius.

Options:
  --config <file>     platform configuration (dynamodb and gremlin sections)
  --host <address>    listen address (default 127.0.0.1)
  --port <n>          listen port (default: http.copilotPort, else 8080)
`;
