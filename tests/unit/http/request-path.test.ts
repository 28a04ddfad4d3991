import { describe, expect, test } from 'bun:test'
import { requestPath } from '../../../src/http/request-context'

describe('requestPath', () => {
  test('is the path the router sees: from the host to the query, as sent', () => {
    const path = (url: string) => requestPath(new Request(url))
    expect(path('http://localhost/api/datasets?limit=5')).toBe('/api/datasets')
    expect(path('http://127.0.0.1:3000/api/session/')).toBe('/api/session/')
    expect(path('https://example.com:8443/')).toBe('/')
    expect(path('http://localhost/api/a%2Fb?x=/y')).toBe('/api/a%2Fb')
  })
})
