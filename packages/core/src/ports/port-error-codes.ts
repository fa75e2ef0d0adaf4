/**
 * Error codes shared by every implementation of a port (in-memory and real adapters alike),
 * so callers can match on `error.code` whatever backend they run on.
 */
export const PORT_ERROR_CODES = {
  /** A conditional state write or delete found another version (`expectedVersion`). Not retriable as is: re-read, then retry. */
  STATE_CONDITION_FAILED: 'SF_ERR_STATE_CONDITION_FAILED',
  /** An edge names a vertex that does not exist. */
  GRAPH_MISSING_VERTEX: 'SF_ERR_GRAPH_MISSING_VERTEX',
  /** A bus call received a malformed argument (topic, message, subscribe options). */
  BUS_ARGUMENT_INVALID: 'SF_ERR_BUS_ARGUMENT_INVALID',
  /** A state-store call received a malformed argument (table, key, data, options). */
  STATE_ARGUMENT_INVALID: 'SF_ERR_STATE_ARGUMENT_INVALID',
  /** A graph-store call received a malformed argument (vertex, edge, query). */
  GRAPH_ARGUMENT_INVALID: 'SF_ERR_GRAPH_ARGUMENT_INVALID',
  /** The bus was closed; publish and subscribe are refused. */
  BUS_CLOSED: 'SF_ERR_BUS_CLOSED',
  /** The state store was closed. */
  STATE_CLOSED: 'SF_ERR_STATE_CLOSED',
  /** The graph store was closed. */
  GRAPH_CLOSED: 'SF_ERR_GRAPH_CLOSED',
  /** Constructor or wrapper options are invalid; `details.problems` lists each with its path. */
  PORT_OPTIONS_INVALID: 'SF_ERR_PORT_OPTIONS_INVALID',
} as const;

export type PortErrorCode = (typeof PORT_ERROR_CODES)[keyof typeof PORT_ERROR_CODES];
