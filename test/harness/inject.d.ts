// Endpoints the integration globalSetup (test/harness/global-setup.ts) provides to tests.
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    /** Kafka bootstrap servers, '127.0.0.1:PORT'. */
    kafkaBrokers: string;
    /** Gremlin Server WebSocket URL, 'ws://127.0.0.1:PORT/gremlin'. */
    gremlinUrl: string;
    /** DynamoDB API endpoint (dynalite), 'http://127.0.0.1:PORT'. */
    dynamoEndpoint: string;
  }
}
