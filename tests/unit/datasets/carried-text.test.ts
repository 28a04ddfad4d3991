import { describe, expect, test } from 'bun:test'
import { CarriedText, utf8Bytes } from '../../../src/datasets/ingest/carried-text'

describe('utf8Bytes', () => {
  test('counts what Buffer.byteLength counts, surrogate pairs and lone surrogates included', () => {
    const samples = ['', 'plain', 'é', '€uro', '😀', 'a😀b', '\ud83d', '\ude00x', 'x\ud83d', '\u07ff\u0800\uffff']
    for (const s of samples) expect(utf8Bytes(s), JSON.stringify(s)).toBe(Buffer.byteLength(s))
    const text = 'ab€😀c'
    for (let from = 0; from <= text.length; from++)
      for (let to = from; to <= text.length; to++)
        if ((text.charCodeAt(from) & 0xfc00) !== 0xdc00 && (text.charCodeAt(to - 1) & 0xfc00) !== 0xd800)
          expect(utf8Bytes(text, from, to)).toBe(Buffer.byteLength(text.slice(from, to)))
  })
})

describe('CarriedText', () => {
  test('gives back what was carried, measured, whatever the parts', () => {
    const carried = new CarriedText()
    let expected = ''
    for (let i = 0; i < 5000; i++) {
      const part = 'é😀x'.slice(0, (i % 3) + 1).replace(/\ud83d$/, '')
      carried.add(`--${part}--`, 2, 2 + part.length)
      expected += part
    }
    expect(carried.chars).toBe(expected.length)
    expect(carried.bytes).toBe(Buffer.byteLength(expected))
    expect(carried.lastCode()).toBe(expected.charCodeAt(expected.length - 1))
    expect(carried.take('!')).toBe(`${expected}!`)
    expect([carried.chars, carried.bytes, carried.take()]).toEqual([0, 0, ''])
  })
})
