/**
 * In-memory edit of an ONNX model's input shape, on the protobuf wire format: only the bytes of the
 * input's `TensorShapeProto` and the length prefixes of the messages that enclose it change; every
 * other byte (weights, nodes, metadata) is copied as is. Used on the checksummed model bytes to make
 * the fully convolutional detector's H and W symbolic, so one session runs any input size.
 *
 * Path: ModelProto.graph (7) -> GraphProto.input (11, repeated ValueInfoProto) -> name (1) / type (2)
 * -> TypeProto.tensor_type (1) -> shape (2) -> dim (1, repeated: dim_value 1 int64 | dim_param 2 string).
 */

type Field = { field: number; wire: number; start: number; valueStart: number; end: number };

function readVarint(b: Uint8Array, pos: number): [number, number] {
  let v = 0, mul = 1;
  for (;;) {
    if (pos >= b.length) throw new Error('truncated varint');
    const byte = b[pos++];
    v += (byte & 0x7f) * mul;
    if (byte < 0x80) return [v, pos];
    mul *= 128;
    if (mul > 2 ** 63) throw new Error('varint too long');
  }
}

function encodeVarint(v: number): number[] {
  const out: number[] = [];
  while (v >= 0x80) { out.push((v % 128) | 0x80); v = Math.floor(v / 128); }
  out.push(v);
  return out;
}

/** Top-level fields of one message (bytes [start, end)). */
export function fields(b: Uint8Array, start = 0, end = b.length): Field[] {
  const out: Field[] = [];
  let pos = start;
  while (pos < end) {
    const fStart = pos;
    const [key, p] = readVarint(b, pos);
    pos = p;
    const wire = key % 8, field = Math.floor(key / 8);
    let valueStart = pos;
    if (wire === 0) [, pos] = readVarint(b, pos);
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) { const [len, q] = readVarint(b, pos); valueStart = q; pos = q + len; }
    else throw new Error(`unsupported wire type ${wire}`);
    if (pos > end) throw new Error('truncated field');
    out.push({ field, wire, start: fStart, valueStart, end: pos });
  }
  return out;
}

const utf8 = new TextDecoder();
const sub = (b: Uint8Array, f: Field) => b.subarray(f.valueStart, f.end);
const only = (b: Uint8Array, s: number, e: number, field: number) => {
  const f = fields(b, s, e).filter((x) => x.field === field && x.wire === 2);
  if (f.length !== 1) throw new Error(`expected one field ${field}, found ${f.length}`);
  return f[0];
};

function lengthDelimited(field: number, payload: Uint8Array): Uint8Array {
  const head = [...encodeVarint(field * 8 + 2), ...encodeVarint(payload.length)];
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Replace field `f` (length-delimited) inside message bytes `msg` with a new payload. */
function replaceField(msg: Uint8Array, f: Field, payload: Uint8Array): Uint8Array {
  return concat([msg.subarray(0, f.start), lengthDelimited(f.field, payload), msg.subarray(f.end)]);
}

/** One dim: a number is a fixed size, a string a symbolic (free) dimension. */
export type Dim = number | string;

function encodeShape(dims: Dim[]): Uint8Array {
  const enc = new TextEncoder();
  return concat(dims.map((d) => {
    const inner = typeof d === 'number'
      ? Uint8Array.from([0x08, ...encodeVarint(d)])
      : lengthDelimited(2, enc.encode(d));
    return lengthDelimited(1, inner);
  }));
}

function decodeShape(b: Uint8Array): Dim[] {
  return fields(b).filter((f) => f.field === 1 && f.wire === 2).map((dim) => {
    const v = fields(b, dim.valueStart, dim.end)[0];
    if (!v) return '';
    if (v.field === 1 && v.wire === 0) return readVarint(b, v.valueStart)[0];
    return utf8.decode(sub(b, v));
  });
}

type Located = { graph: Field; input: Field; type: Field; tensor: Field; shape: Field; graphB: Uint8Array; inputB: Uint8Array; typeB: Uint8Array; tensorB: Uint8Array };

/** GraphProto fields: 11 input, 12 output (both repeated ValueInfoProto). */
const KIND = { input: 11, output: 12 } as const;
export type ValueKind = keyof typeof KIND;

function locate(model: Uint8Array, kind: ValueKind, inputName: string): Located {
  const graph = only(model, 0, model.length, 7);
  const graphB = sub(model, graph);
  for (const input of fields(graphB).filter((f) => f.field === KIND[kind] && f.wire === 2)) {
    const inputB = sub(graphB, input);
    const name = only(inputB, 0, inputB.length, 1);
    if (utf8.decode(sub(inputB, name)) !== inputName) continue;
    const type = only(inputB, 0, inputB.length, 2);
    const typeB = sub(inputB, type);
    const tensor = only(typeB, 0, typeB.length, 1);
    const tensorB = sub(typeB, tensor);
    const shape = only(tensorB, 0, tensorB.length, 2);
    return { graph, input, type, tensor, shape, graphB, inputB, typeB, tensorB };
  }
  throw new Error(`model has no graph ${kind} named ${inputName}`);
}

/** Graph inputs (or outputs) by name with their declared dims. */
export function declaredShapes(model: Uint8Array, kind: ValueKind = 'input'): Map<string, Dim[]> {
  const graphB = sub(model, only(model, 0, model.length, 7));
  const out = new Map<string, Dim[]>();
  for (const input of fields(graphB).filter((f) => f.field === KIND[kind] && f.wire === 2)) {
    const inputB = sub(graphB, input);
    const name = utf8.decode(sub(inputB, only(inputB, 0, inputB.length, 1)));
    const type = fields(inputB).find((f) => f.field === 2 && f.wire === 2);
    if (!type) continue;
    const typeB = sub(inputB, type);
    const tensor = fields(typeB).find((f) => f.field === 1 && f.wire === 2);
    if (!tensor) continue;
    const tensorB = sub(typeB, tensor);
    const shape = fields(tensorB).find((f) => f.field === 2 && f.wire === 2);
    out.set(name, shape ? decodeShape(sub(tensorB, shape)) : []);
  }
  return out;
}

/** A copy of `model` whose graph input (or output) `name` declares `dims` instead (same rank). */
export function withDims(model: Uint8Array, kind: ValueKind, name: string, dims: Dim[]): Uint8Array {
  const l = locate(model, kind, name);
  const old = decodeShape(sub(l.tensorB, l.shape));
  if (old.length !== dims.length) throw new Error(`${kind} ${name} has rank ${old.length}, not ${dims.length}`);
  const tensorB = replaceField(l.tensorB, l.shape, encodeShape(dims));
  const typeB = replaceField(l.typeB, l.tensor, tensorB);
  const inputB = replaceField(l.inputB, l.type, typeB);
  const graphB = replaceField(l.graphB, l.input, inputB);
  return replaceField(model, l.graph, graphB);
}

/**
 * A copy of `model` in which every rank-4 (NCHW) graph input and output has symbolic H and W, for a
 * fully convolutional graph exported with a fixed size. Batch and channel dims are kept; each value
 * gets its own names (a shared dim_param would tell shape inference that the sizes are equal).
 */
export function freeSpatialDims(model: Uint8Array): Uint8Array {
  let out = model;
  for (const kind of ['input', 'output'] as const) {
    for (const [name, dims] of declaredShapes(model, kind)) {
      if (dims.length === 4) out = withDims(out, kind, name, [dims[0], dims[1], `${name}_h`, `${name}_w`]);
    }
  }
  return out;
}
