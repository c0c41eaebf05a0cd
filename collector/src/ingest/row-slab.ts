// Row bytes without copies: the JSONEachRow text of each batch is encoded straight into a shared
// slab (one 1 MiB Buffer for many batches, one slab per table), and a batch keeps a view of its
// bytes. Batches are grouped in arrival order, so the bytes of a group's batches in one table lie
// back to back in a slab; joinAdjacent() turns them into a few views that are sent to ClickHouse as
// they are. Nothing is concatenated, and one allocation serves ~100 batches instead of one each
// plus a group-sized copy (Buffer.concat of ~5 MB per group was ~4% of the collector's busy time).
// A slab is freed by the garbage collector once no batch and no INSERT holds a view of it.

export interface ByteSlab {
  /** The UTF-8 bytes of `text`, in the current slab (a new slab when it would not fit). */
  write(text: string): Buffer;
}

const EMPTY = Buffer.alloc(0);

export function createByteSlab(size = 1 << 20): ByteSlab {
  let slab = EMPTY;
  let off = 0;
  return {
    write(text) {
      if (text === '') return EMPTY;
      const worst = text.length * 3; // UTF-8 bytes per UTF-16 unit, at most
      if (slab.length - off < worst) {
        slab = Buffer.allocUnsafe(Math.max(size, worst));
        off = 0;
      }
      const n = slab.write(text, off, 'utf8');
      const view = slab.subarray(off, off + n);
      off += n;
      return view;
    },
  };
}

/** The same bytes in the same order, with views that follow each other in one memory joined into one view; empty ones left out. */
export function joinAdjacent(list: readonly Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  for (const b of list) {
    if (b.length === 0) continue;
    const last = out.at(-1);
    if (last !== undefined && last.buffer === b.buffer && last.byteOffset + last.length === b.byteOffset) {
      out[out.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + b.length);
    } else {
      out.push(b);
    }
  }
  return out;
}
