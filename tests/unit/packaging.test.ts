import { describe, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import packageJson from '../../package.json'
import { CONFIG_VARIABLES, loadConfig } from '../../src/config'

// Docker has no engine on the test machines; these check what can be checked without one.
const root = new URL('../../', import.meta.url)
const read = (file: string) => Bun.file(new URL(file, root)).text()
const scripts: Record<string, string> = packageJson.scripts

type Service = {
  build?: string
  image?: string
  command?: string[]
  depends_on?: Record<string, { condition: string }>
  healthcheck?: { test: string[] }
  volumes?: string[]
  environment?: Record<string, string>
  ports?: { target: number; published: string; host_ip: string }[]
}

describe('docker-compose.yml', async () => {
  const compose = Bun.YAML.parse(await read('docker-compose.yml')) as { services: Record<string, Service> }
  const { db, redis, api, worker } = compose.services

  test('runs db, redis, api and worker', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'db', 'redis', 'worker'])
  })

  test('api and worker are built from the one Dockerfile and run package scripts that exist', () => {
    expect(api!.build).toBe('.')
    expect(worker!.build).toBe('.')
    expect(api!.command).toEqual(['bun', 'run', 'start'])
    expect(worker!.command).toEqual(['bun', 'run', 'worker'])
    expect(scripts.start).toBeDefined()
    expect(scripts.worker).toBeDefined()
  })

  test('waits for healthy services, and redis runs with noeviction, as BullMQ requires', () => {
    for (const service of [api!, worker!]) {
      expect(service.depends_on?.db?.condition).toBe('service_healthy')
      expect(service.depends_on?.redis?.condition).toBe('service_healthy')
    }
    expect(db!.healthcheck?.test.join(' ')).toContain('pg_isready')
    expect(db!.volumes?.[0]).toStartWith('pgdata:')
    expect(redis!.command?.join(' ')).toContain('--maxmemory-policy noeviction')
    expect(api!.healthcheck?.test.join(' ')).toContain('/ready')
  })

  test('ships no secret: no admin key or session secret of its own, and none of the old example values', async () => {
    const text = await read('docker-compose.yml')
    for (const service of Object.values(compose.services))
      for (const name of ['ADMIN_API_KEY', 'SESSION_SECRET']) expect(service.environment?.[name]).toBeUndefined()
    for (const published of ['dd-admin-change-me-please', 'change-me-to-32-or-more-random-characters'])
      expect(text).not.toContain(published)
  })

  test('publishes the api on the loopback interface unless API_BIND says otherwise, and never PostgreSQL or Redis', () => {
    // compose fills these in; the defaults are what `docker compose up` publishes without a .env
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's interpolation, not a template
    expect(api!.ports).toEqual([{ target: 3000, published: '${PORT:-3000}', host_ip: '${API_BIND:-127.0.0.1}' }])
    for (const service of [db!, redis!, worker!]) expect(service.ports).toBeUndefined()
  })
})

describe('Dockerfile', async () => {
  const dockerfile = await read('Dockerfile')

  test('uses the Bun version the project is tested with', () => {
    expect(dockerfile).toContain(`FROM oven/bun:${Bun.version}`)
  })

  test('copies what exists and starts a script that exists', () => {
    for (const [, path] of dockerfile.matchAll(/^COPY (\S+)/gm)) {
      for (const file of path!.split(/\s+/)) expect(existsSync(new URL(file, root))).toBe(true)
    }
    expect(dockerfile).toContain('CMD ["bun", "run", "start"]')
  })

  test('copies the patches of patched dependencies before it installs', () => {
    const install = dockerfile.indexOf('RUN bun install --frozen-lockfile')
    const patches = Object.values(packageJson.patchedDependencies)
    expect(patches.length).toBeGreaterThan(0)
    for (const patch of patches) {
      const folder = patch.slice(0, patch.lastIndexOf('/'))
      const copy = dockerfile.indexOf(`COPY ${folder} ./${folder}`)
      expect(copy).toBeGreaterThan(-1)
      expect(copy).toBeLessThan(install)
    }
  })
})

describe('configuration', () => {
  test('.env.example lists every variable and its values load, with no secret set', async () => {
    const example = await read('.env.example')
    const listed = [...example.matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=(.*)$/gm)]
    expect(CONFIG_VARIABLES.filter(name => !listed.some(m => m[1] === name))).toEqual([])
    const values = Object.fromEntries(listed.filter(m => !m[0].startsWith('#')).map(m => [m[1]!, m[2]!]))
    expect(() => loadConfig(values)).not.toThrow()
    expect(values.ADMIN_API_KEY).toBeUndefined()
    expect(values.SESSION_SECRET).toBeUndefined()
  })

  test("the README's configuration table lists every variable", async () => {
    const readme = await read('README.md')
    const documented = [...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map(m => m[1])
    expect(CONFIG_VARIABLES.filter(name => !documented.includes(name))).toEqual([])
  })

  test('defaults run locally', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/datadynamo',
      redisUrl: 'redis://127.0.0.1:6379',
      queuePrefix: 'datadynamo',
      workerConcurrency: 2,
      logLevel: 'info',
    })
  })

  test('a bad value stops start-up with a message naming it', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/)
    expect(() => loadConfig({ WORKER_CONCURRENCY: '0' })).toThrow(/WORKER_CONCURRENCY/)
    expect(() => loadConfig({ REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/)
  })

  test('the example secrets that once shipped are refused', () => {
    expect(() => loadConfig({ ADMIN_API_KEY: 'dd-admin-change-me-please' })).toThrow(
      'ADMIN_API_KEY: this value was published as an example',
    )
    expect(() => loadConfig({ SESSION_SECRET: 'change-me-to-32-or-more-random-characters' })).toThrow(
      'SESSION_SECRET: this value was published as an example',
    )
  })

  test("the server's idle timeout must outlast a quiet upload and the pause between event stream pings", () => {
    expect(loadConfig({}).serverIdleTimeoutSeconds).toBe(30)
    expect(() => loadConfig({ SERVER_IDLE_TIMEOUT_SECONDS: '20' })).toThrow(
      'SERVER_IDLE_TIMEOUT_SECONDS: must be longer than BODY_IDLE_TIMEOUT_MS',
    )
    expect(() =>
      loadConfig({ SERVER_IDLE_TIMEOUT_SECONDS: '5', BODY_IDLE_TIMEOUT_MS: '1000', SSE_HEARTBEAT_MS: '5000' }),
    ).toThrow('SERVER_IDLE_TIMEOUT_SECONDS: must be longer than SSE_HEARTBEAT_MS')
    expect(loadConfig({ SERVER_IDLE_TIMEOUT_SECONDS: '21' }).serverIdleTimeoutSeconds).toBe(21)
  })
})
