// What tooling/global-clickhouse.ts provides to integration tests through vitest's inject().
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    clickhouseUrl: string;
  }
}
