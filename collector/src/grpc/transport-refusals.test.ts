import { Metadata, status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { createTransportRefusals, explainTransportStatus, type TransportRefusal } from './transport-refusals.js';

const MAX = 1_048_576;
const explain = (code: number, details: string): ReturnType<typeof explainTransportStatus> => explainTransportStatus({ code, details }, MAX);

describe('explainTransportStatus', () => {
  it("gives each of grpc-js's own refusals (1.14 texts) its reason, code and a message that says what to do", () => {
    const cases: [number, string, TransportRefusal, number, RegExp][] = [
      [
        status.RESOURCE_EXHAUSTED,
        'Received message larger than max (2097152 vs 1048576)',
        'too_large',
        status.RESOURCE_EXHAUSTED,
        /^the message is 2097152 bytes, over 1048576 bytes \(COLLECTOR_MAX_MESSAGE_BYTES\); send smaller batches$/,
      ],
      [
        status.RESOURCE_EXHAUSTED,
        'Received message that decompresses to a size larger than 1048576',
        'inflated_too_large',
        status.RESOURCE_EXHAUSTED,
        /^the message inflates to over 1048576 bytes/,
      ],
      [status.INTERNAL, 'Failed to decompress message', 'bad_compression', status.INTERNAL, /not valid data of its grpc-encoding; send it gzip-compressed/],
      [
        status.UNIMPLEMENTED,
        'Received message compressed with unsupported encoding "zstd"',
        'unsupported_encoding',
        status.UNIMPLEMENTED,
        /^grpc-encoding "zstd" is not supported; use gzip, deflate or identity$/,
      ],
      [
        status.UNIMPLEMENTED,
        'Received no request message for server streaming method /x/Export',
        'incomplete_message',
        status.INTERNAL,
        /send the whole message again$/,
      ],
      [status.UNIMPLEMENTED, 'Received a second request message for server streaming method /x/Export', 'extra_message', status.INTERNAL, /one ExportRequest/],
      [status.INTERNAL, 'Invalid grpc-timeout value "soon"', 'bad_timeout', status.INTERNAL, /not a gRPC timeout/],
      [status.DEADLINE_EXCEEDED, 'Deadline exceeded', 'deadline', status.DEADLINE_EXCEEDED, /may have been stored: send it again/],
    ];
    for (const [code, details, reason, newCode, says] of cases) {
      const x = explain(code, details);
      expect([details, x?.reason, x?.code]).toEqual([details, reason, newCode]);
      expect(x?.details).toMatch(says);
      expect(x?.details).not.toMatch(/grpc-js|server streaming|Received/);
    }
  });

  it('leaves any other status alone (the service counts its own)', () => {
    expect(explain(status.INTERNAL, 'internal error (see collector log)')).toBeUndefined();
    expect(explain(status.UNAVAILABLE, 'the collector is stopping; send the batches not acknowledged again')).toBeUndefined();
  });
});

/** A stand-in for grpc-js's base call: records what its own sendStatus was given. */
function baseCall(): { sent: { code: number; details: string }[]; sendStatus(st: { code: number; details: string }): void } {
  const sent: { code: number; details: string }[] = [];
  return { sent, sendStatus: (st) => void sent.push({ code: st.code, details: st.details }) };
}

describe('createTransportRefusals', () => {
  const counted: TransportRefusal[] = [];
  const interceptor = createTransportRefusals({ maxMessageBytes: MAX, onRefused: (r) => counted.push(r) });
  const method = {} as Parameters<typeof interceptor>[0];

  it("rewrites and counts grpc-js's statuses sent on the base call; passes OK and the service's statuses through", () => {
    const base = baseCall();
    interceptor(method, base as unknown as Parameters<typeof interceptor>[1]);
    base.sendStatus({ code: status.RESOURCE_EXHAUSTED, details: 'Received message larger than max (5 vs 1)' });
    base.sendStatus({ code: status.OK, details: 'OK' });
    const md = new Metadata();
    md.set('x-renderwatch-error-code', 'COL_ERR_INGEST_INVALID');
    (base.sendStatus as (st: unknown) => void)({ code: status.INVALID_ARGUMENT, details: 'the export request is invalid: x', metadata: md });
    expect(base.sent).toEqual([
      { code: status.RESOURCE_EXHAUSTED, details: 'the message is 5 bytes, over 1048576 bytes (COLLECTOR_MAX_MESSAGE_BYTES); send smaller batches' },
      { code: status.OK, details: 'OK' },
      { code: status.INVALID_ARGUMENT, details: 'the export request is invalid: x' },
    ]);
    expect(counted).toEqual(['too_large']);
  });

  it('turns the OK of a call whose decoder holds part of a message into incomplete_message', () => {
    const base = Object.assign(baseCall(), { decoder: { readState: 2 } });
    interceptor(method, base as unknown as Parameters<typeof interceptor>[1]);
    base.sendStatus({ code: status.OK, details: 'OK' });
    expect(base.sent.map((s) => s.code)).toEqual([status.INTERNAL]);
    expect(counted.at(-1)).toBe('incomplete_message');
  });
});
