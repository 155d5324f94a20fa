export type { PostgresClient, PostgresResult } from './postgres-client.ts';
export type { PostgresStoreOptions } from './postgres-options.ts';
export type { PostgresStore } from './postgres-store.ts';
export { createPostgresStore } from './postgres-store.ts';
export type { SweepResult } from './sweeper.ts';
