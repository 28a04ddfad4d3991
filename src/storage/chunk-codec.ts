import {
  Bool,
  type Data,
  type DataType,
  Dictionary,
  Field,
  Float64,
  Int32,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableFromIPC,
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

function decodeUtf8Dictionary(data: Data<Utf8>): string[] {
  const decoder = new TextDecoder()
  const offsets = data.valueOffsets
  const bytes = data.values
  const out = new Array<string>(data.length)
  for (let i = 0; i < data.length; i++) out[i] = decoder.decode(bytes.subarray(offsets[i]!, offsets[i + 1]!))
  return out
}

const bitAt = (bits: Uint8Array, i: number) => (bits[i >> 3]! & (1 << (i & 7))) !== 0

function isValid(bitmap: Uint8Array | null | undefined, i: number): boolean {
  return !bitmap || bitmap.length === 0 || bitAt(bitmap, i)
}

function decodeColumn(type: string, data: Data<DataType>): ChunkColumn {
  // Chunks are written as one unsliced batch, so every buffer starts at offset 0.
  const { length, nullCount } = data
  const bitmap = data.nullBitmap
  switch (type) {
    case 'integer':
    case 'number':
    case 'datetime':
      // Null slots were written as NaN, so the buffer is usable as it is (zero-copy). Buffers
      // are padded to 8 bytes, hence the subarray.
      return { type, values: (data.values as Float64Array).subarray(0, length), nullCount }
    case 'boolean': {
      const bits = data.values as Uint8Array
      const values = new Int8Array(length)
      for (let i = 0; i < length; i++) {
        values[i] = !isValid(bitmap, i) ? -1 : bitAt(bits, i) ? 1 : 0
      }
      return { type, values, nullCount }
    }
    case 'string': {
      const raw = (data.values as Int32Array).subarray(0, length)
      const codes = nullCount === 0 ? raw : raw.map((c, i) => (isValid(bitmap, i) ? c : -1))
      const dictionary = decodeUtf8Dictionary(data.dictionary!.data[0] as Data<Utf8>)
      return { type, codes, dictionary, nullCount }
    }
    default:
      throw new Error(`chunk holds a column of unknown type ${type}`)
  }
}

export function decodeChunk(bytes: Uint8Array): Chunk {
  const table = tableFromIPC(bytes)
  const columns = new Map<number, ChunkColumn>()
  const batch = table.batches[0]
  if (!batch) throw new Error('corrupt chunk: no record batch')
  table.schema.fields.forEach((field, i) => {
    const type = field.metadata.get(TYPE_KEY) ?? ''
    columns.set(Number(field.name.slice(1)), decodeColumn(type, batch.data.children[i]!))
  })
  return { rowCount: batch.numRows, columns }
}
