import { Elysia, ElysiaCustomStatusResponse } from 'elysia'
import { isDataException, pgErrorCode } from '../db/errors'
import type { Logger } from '../logger'
import { unavailableDependency } from '../unavailable-dependency'
import { ProblemError, problemBody, problemResponse } from './problem'
import { requestIdOf } from './request-context'
import { detailWithCount, elysiaValidationErrors, INVALID_REQUEST } from './validation'

/**
 * The one place where failures become HTTP answers: typed problems keep their status, framework
 * errors get theirs, dependency outages are 503, and anything else is logged and answered 500
 * without internals.
 */
export const errorHandler = (log: Logger) =>
  new Elysia({ name: 'error-handler' }).onError({ as: 'global' }, ({ code, error, request, path }) => {
    const requestId = requestIdOf(request)
    // A problem thrown by a body parser reaches here wrapped in Elysia's ParseError.
    const problem =
      error instanceof ProblemError
        ? error
        : error instanceof Error && error.cause instanceof ProblemError
          ? error.cause
          : null
    if (problem) return problemResponse(problem.toBody(requestId), problem.headers)
    if (error instanceof ElysiaCustomStatusResponse) return
    switch (code) {
      case 'VALIDATION': {
        const list = elysiaValidationErrors(error)
        return problemResponse(
          problemBody(422, 'VALIDATION_FAILED', detailWithCount(INVALID_REQUEST, list), list.errors, requestId),
        )
      }
      case 'PARSE':
        return problemResponse(
          problemBody(400, 'MALFORMED_BODY', 'The request body could not be parsed', undefined, requestId),
        )
      case 'NOT_FOUND':
        return problemResponse(
          problemBody(404, 'NOT_FOUND', `No route for ${request.method} ${path}`, undefined, requestId),
        )
      case 'INVALID_COOKIE_SIGNATURE':
        return problemResponse(problemBody(401, 'UNAUTHORIZED', 'Invalid session cookie', undefined, requestId))
    }
    if (error instanceof Error && error.message.includes('maxRequestBodySize'))
      return problemResponse(
        problemBody(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large', undefined, requestId),
      )
    const dependency = unavailableDependency(error)
    if (dependency) {
      log.warn('dependency unavailable', { dependency, path, method: request.method, requestId, error })
      return problemResponse(
        problemBody(
          503,
          'DEPENDENCY_UNAVAILABLE',
          `${dependency} is unavailable; try again shortly`,
          undefined,
          requestId,
        ),
        { 'retry-after': '5' },
      )
    }
    if (isDataException(error)) {
      // Only a value from the request gets this far: the schemas and services check the rest.
      log.warn('value refused by PostgreSQL', {
        path,
        method: request.method,
        requestId,
        sqlstate: pgErrorCode(error),
        error,
      })
      return problemResponse(
        problemBody(422, 'INVALID_VALUE', 'A value in the request cannot be stored or compared', undefined, requestId),
      )
    }
    log.error('unhandled error', { path, method: request.method, requestId, error })
    return problemResponse(problemBody(500, 'INTERNAL', 'An unexpected error occurred', undefined, requestId))
  })
