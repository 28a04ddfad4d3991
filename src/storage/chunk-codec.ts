import {
  Bool,
  type Data,
  Dictionary,
  Field,
  Float64,
  Int32,
  type Message,
  type MessageHeader,
  MessageReader,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Utf8,
} from 'apache-arrow'

/**
 * One column of one chunk in the form every kernel works on. Nulls are in-band so that loops
 * need no bitmap lookups: NaN for floats, -1 for booleans and dictionary codes.
 * `integer`, `number` and `datetime` (epoch milliseconds) all travel as Float64.
 */
export type FloatColumn = { type: 'integer' | 'number' | 'datetime'; values: Float64Array; nullCount: number }
export type BoolColumn = { type: 'boolean'; values: Int8Array; nullCount: number }
export type DictColumn = { type: 'string'; codes: Int32Array; dictionary: string[]; nullCount: number }
export type ChunkColumn = FloatColumn | BoolColumn | DictColumn

/** A decoded chunk: columns keyed by the dataset column index; a missing index is all null. */
export type Chunk = { rowCount: number; columns: Map<number, ChunkColumn> }

const TYPE_KEY = 'datadynamo.type'
const fieldName = (index: number) => `c${index}`

/** Arrow's LSB-first bit packing: bit i is set where `isSet(i)`. */
function packBits(length: number, isSet: (i: number) => boolean): Uint8Array {
  const bits = new Uint8Array((length + 7) >> 3)
  for (let i = 0; i < length; i++) if (isSet(i)) bits[i >> 3]! |= 1 << (i & 7)
  return bits
}

function encodeUtf8Dictionary(dictionary: string[]): Data<Utf8> {
  const encoder = new TextEncoder()
  const parts = dictionary.map(s => encoder.encode(s))
  const offsets = new Int32Array(parts.length + 1)
  let total = 0
  parts.forEach((p, i) => {
    total += p.length
    offsets[i + 1] = total
  })
  const bytes = new Uint8Array(total)
  parts.forEach((p, i) => {
    bytes.set(p, offsets[i]!)
  })
  return makeData({ type: new Utf8(), length: parts.length, nullCount: 0, valueOffsets: offsets, data: bytes })
}

function encodeColumn(index: number, column: ChunkColumn, length: number): { field: Field; data: Data } {
  const metadata = new Map([[TYPE_KEY, column.type]])
  const name = fieldName(index)
  switch (column.type) {
    case 'integer':
    case 'number':
    case 'datetime': {
      const { values, nullCount } = column
      const nullBitmap = nullCount > 0 ? packBits(length, i => !Number.isNaN(values[i])) : undefined
      const type = new Float64()
      return {
        field: new Field(name, type, nullCount > 0, metadata),
        data: makeData({ type, length, nullCount, nullBitmap, data: values }),
      }
    }
    case 'boolean': {
      const { values, nullCount } = column
      const bits = packBits(length, i => values[i] === 1)
      const nullBitmap = nullCount > 0 ? packBits(length, i => values[i] !== -1) : undefined
      const type = new Bool()
      return {
        field: new Field(name, type, nullCount > 0, metadata),
        data: makeData({ type, length, nullCount, nullBitmap, data: bits }),
      }
    }
    case 'string': {
      const { codes, dictionary, nullCount } = column
      const type = new Dictionary(new Utf8(), new Int32(), index)
      let stored = codes
      let nullBitmap: Uint8Array | undefined
      if (nullCount > 0) {
        nullBitmap = packBits(length, i => codes[i] !== -1)
        // Arrow readers may look up a null slot's index, so it must stay in range.
        stored = codes.map(c => (c === -1 ? 0 : c))
      }
      return {
        field: new Field(name, type, nullCount > 0, metadata),
        data: makeData({
          type,
          length,
          nullCount,
          nullBitmap,
          data: stored,
          dictionary: makeVector(encodeUtf8Dictionary(dictionary)),
        }),
      }
    }
  }
}

/** Serialises one chunk as an Arrow IPC stream holding a single record batch. */
export function encodeChunk(rowCount: number, columns: ReadonlyMap<number, ChunkColumn>): Uint8Array {
  const encoded = [...columns].map(([index, column]) => encodeColumn(index, column, rowCount))
  const fields = encoded.map(e => e.field)
  const schema = new Schema(fields)
  const struct = makeData({
    type: new Struct(fields),
    length: rowCount,
    nullCount: 0,
    children: encoded.map(e => e.data),
  })
  return tableToIPC(new Table([new RecordBatch(schema, struct)]), 'stream')
}

type Region = { offset: number; length: number }
type BatchHeader = ReturnType<Message<MessageHeader.RecordBatch>['header']>

/** A buffer of the message body; never reaches past it, since the body may be a view into more. */
function bytesOf(body: Uint8Array, region: Region): Uint8Array {
  if (region.offset < 0 || region.offset + region.length > body.length)
    throw new Error('corrupt chunk: a buffer lies outside its message')
  return body.subarray(region.offset, region.offset + region.length)
}

/** A buffer of the message body as a typed array: a view where aligned, a copy where not. */
function view<T extends Float64Array | Int32Array>(
  Type: { new (buffer: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number },
  body: Uint8Array,
  region: Region,
  length: number,
): T {
  const at = bytesOf(body, region).byteOffset
  if (region.length < length * Type.BYTES_PER_ELEMENT) throw new Error('corrupt chunk: a buffer is too short')
  if (at % Type.BYTES_PER_ELEMENT === 0) return new Type(body.buffer as ArrayBuffer, at, length)
  const copy = body.slice(region.offset, region.offset + length * Type.BYTES_PER_ELEMENT)
  return new Type(copy.buffer, 0, length)
}

const bitAt = (bits: Uint8Array, i: number) => (bits[i >> 3]! & (1 << (i & 7))) !== 0

function decodeUtf8Dictionary(body: Uint8Array, batch: BatchHeader): string[] {
  const [, offsetsRegion, bytesRegion] = batch.buffers
  const n = batch.length
  const offsets = view(Int32Array, body, offsetsRegion!, n + 1)
  const bytes = bytesOf(body, bytesRegion!)
  const decoder = new TextDecoder()
  const out = new Array<string>(n)
  for (let i = 0; i < n; i++) out[i] = decoder.decode(bytes.subarray(offsets[i]!, offsets[i + 1]!))
  return out
}

function decodeColumn(
  field: Field,
  node: { length: number; nullCount: number },
  validity: Region,
  values: Region,
  body: Uint8Array,
  dictionaries: ReadonlyMap<number, string[]>,
): ChunkColumn {
  const type = field.metadata.get(TYPE_KEY) ?? ''
  const { length, nullCount } = node
  const bitmap = nullCount > 0 ? bytesOf(body, validity) : null
  switch (type) {
    case 'integer':
    case 'number':
    case 'datetime':
      // Null slots were written as NaN, so the buffer is usable as it is, without a copy.
      return { type, values: view(Float64Array, body, values, length), nullCount }
    case 'boolean': {
      const bits = bytesOf(body, values)
      const out = new Int8Array(length)
      for (let i = 0; i < length; i++) out[i] = bitmap && !bitAt(bitmap, i) ? -1 : bitAt(bits, i) ? 1 : 0
      return { type, values: out, nullCount }
    }
    case 'string': {
      const dictionary = dictionaries.get((field.type as Dictionary).id)
      if (!dictionary) throw new Error(`corrupt chunk: no dictionary for ${field.name}`)
      const raw = view(Int32Array, body, values, length)
      const codes = bitmap ? raw.map((c, i) => (bitAt(bitmap, i) ? c : -1)) : raw
      return { type, codes, dictionary, nullCount }
    }
    default:
      throw new Error(`chunk holds a column of unknown type ${type}`)
  }
}

/**
 * Reads a chunk written by `encodeChunk` straight from its IPC messages: Arrow's own reader
 * builds vectors and a table first, which cost a small analysis more than its computing did.
 */
export function decodeChunk(bytes: Uint8Array): Chunk {
  const reader = new MessageReader(bytes)
  const schema = reader.readSchema(true)!
  const dictionaries = new Map<number, string[]>()
  for (let message = reader.readMessage(); message; message = reader.readMessage()) {
    const body = reader.readMessageBody(message.bodyLength)
    if (message.isDictionaryBatch()) {
      const batch = message.header()
      dictionaries.set(batch.id, decodeUtf8Dictionary(body, batch.data))
    } else if (message.isRecordBatch()) {
      const batch = message.header()
      const columns = new Map<number, ChunkColumn>()
      schema.fields.forEach((field, i) => {
        const node = batch.nodes[i]
        const [validity, values] = batch.buffers.slice(2 * i, 2 * i + 2)
        if (!node || !validity || !values) throw new Error('corrupt chunk: a column lacks its buffers')
        columns.set(
          Number(field.name.slice(1)),
          decodeColumn(
            field,
            { length: Number(node.length), nullCount: Number(node.nullCount) },
            validity,
            values,
            body,
            dictionaries,
          ),
        )
      })
      return { rowCount: Number(batch.length), columns }
    }
  }
  throw new Error('corrupt chunk: no record batch')
}
