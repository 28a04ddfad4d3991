import { t } from 'elysia'
import { PageQuery, text } from '../http/schemas'

export const KeySchema = t.Object({
  id: t.String({ format: 'uuid' }),
  name: t.String(),
  admin: t.Boolean(),
  created_at: t.String({ format: 'date-time' }),
  revoked_at: t.Union([t.String({ format: 'date-time' }), t.Null()]),
})

export const CreatedKeySchema = t.Object({
  ...KeySchema.properties,
  key: t.String({ description: 'the secret; shown this once and never again' }),
})

export const CreateKeyBody = t.Object(
  {
    name: text({ minLength: 1, maxLength: 200 }),
    admin: t.Optional(t.Boolean({ default: false })),
  },
  { additionalProperties: false },
)

export const ListKeysQuery = t.Object(PageQuery, { additionalProperties: false })

export const SessionBody = t.Object(
  { key: t.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
)

export const PrincipalSchema = t.Object({
  id: t.String({ description: 'the key id, or `admin` for the ADMIN_API_KEY of the environment' }),
  name: t.String(),
  admin: t.Boolean(),
})
