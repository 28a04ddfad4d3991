/** The screens of the dashboard, addressed by the URL's hash so the api serves a single page. */
export type Route =
  | { name: 'datasets' }
  | { name: 'dataset'; id: string }
  | { name: 'task'; id: string }
  | { name: 'not-found'; hash: string }

/** Reads a route from a location hash such as `#/datasets/<id>`. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/'
  if (path === '/' || path === '/datasets') return { name: 'datasets' }
  const match = /^\/(datasets|tasks)\/([^/]+)$/.exec(path)
  if (match) {
    const id = decodeURIComponent(match[2]!)
    return match[1] === 'datasets' ? { name: 'dataset', id } : { name: 'task', id }
  }
  return { name: 'not-found', hash }
}

export const datasetHref = (id: string) => `#/datasets/${encodeURIComponent(id)}`
export const taskHref = (id: string) => `#/tasks/${encodeURIComponent(id)}`
export const DATASETS_HREF = '#/'

export function navigate(href: string): void {
  if (location.hash === href) window.dispatchEvent(new HashChangeEvent('hashchange'))
  else location.hash = href
}
