import { describe, expect, test } from 'bun:test'
import { Elysia } from 'elysia'
import { ROUTER_CONFIG, requestPath } from '../../../src/http/request-context'

/** Every path a request can arrive with, under hosts from one character to a full name. */
const HOSTS = ['a', 'ab', 'abc', 'abcd', 'a:1', 'localhost', '127.0.0.1:3000', '[::1]:8080', 'api.example.com']
const PATHS = ['/', '/zz/api/datasets', '/api/datasets', '/api/a%2Fb?x=/y', '/api/session/?q=?', '/x?', '/a//b']

describe('requestPath', () => {
  test('is the path after the host, up to the query, as sent, whatever the length of the host', () => {
    const path = (url: string) => requestPath(new Request(url))
    expect(path('http://localhost/api/datasets?limit=5')).toBe('/api/datasets')
    expect(path('http://127.0.0.1:3000/api/session/')).toBe('/api/session/')
    expect(path('http://localhost/api/a%2Fb?x=/y')).toBe('/api/a%2Fb')
    expect(path('http://a/zz/api/datasets')).toBe('/zz/api/datasets')
    expect(path('http://ab/')).toBe('/')
  })

  test("is the very path Elysia's router reads, for every host and path", async () => {
    const app = new Elysia(ROUTER_CONFIG).get('/*', ({ path, request }) => ({
      router: path,
      hook: requestPath(request),
    }))
    for (const host of HOSTS)
      for (const sent of PATHS) {
        const res = await app.handle(new Request(`http://${host}${sent}`))
        const { router, hook } = await res.json()
        expect({ host, sent, hook }).toEqual({ host, sent, hook: router })
        expect(router).toBe(sent.split('?')[0]!)
      }
  })
})
