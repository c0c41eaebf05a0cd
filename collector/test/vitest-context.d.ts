// What tooling/global-clickhouse.ts provides to integration tests through vitest's inject().
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    clickhouseUrl: string;
  }
}
