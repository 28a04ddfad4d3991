/** One invalid field; `line`/`column` (1-based) locate a bad value in uploaded text. */
export type FieldError = { path: string; message: string; line?: number; row?: number; column?: number }

export type ProblemBody = {
  type: string
  title: string
  status: number
  detail: string
  code: string
  errors?: FieldError[]
  request_id?: string
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

/**
 * The one error type of the API: anything the service layer knows how to answer. The `code` is
 * a stable machine string; `detail` is for people.
 */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail)
    this.name = 'ProblemError'
  }

  toBody(requestId?: string): ProblemBody {
    return problemBody(this.status, this.code, this.message, this.errors, requestId)
  }
}

export function problemBody(
  status: number,
  code: string,
  detail: string,
  errors?: FieldError[],
  requestId?: string,
): ProblemBody {
  return {
    type: `https://datadynamo.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(errors && errors.length > 0 ? { errors } : {}),
    ...(requestId ? { request_id: requestId } : {}),
  }
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

export function problemResponse(body: ProblemBody, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
  })
}

export const notFound = (what: string) => new ProblemError(404, 'NOT_FOUND', `${what} not found`)
export const conflict = (code: string, detail: string) => new ProblemError(409, code, detail)
export const invalid = (detail: string, errors?: FieldError[], code = 'VALIDATION_FAILED') =>
  new ProblemError(422, code, detail, errors)
export const unsupportedMediaType = (detail: string) => new ProblemError(415, 'UNSUPPORTED_MEDIA_TYPE', detail)
/** 429 for a limit that frees up by itself: the client may try again after `retryAfter` seconds. */
export const tooMany = (code: string, detail: string, retryAfter = 5) =>
  new ProblemError(429, code, detail, undefined, { 'retry-after': String(retryAfter) })
