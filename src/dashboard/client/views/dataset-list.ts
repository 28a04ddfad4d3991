import { api, query } from '../api'
import { h, replaceChildren } from '../dom'
import { formatBytes, formatCount, formatTime } from '../format'
import { dataTable } from '../results/table'
import { datasetHref, navigate } from '../router'
import type { Dataset, Page } from '../types'
import { emptyState, errorState, loadingState } from './states'
import { uploadPanel } from './upload-panel'
import type { View } from './view'

const PAGE_SIZE = 20
const SEARCH_DELAY_MS = 250

/** The datasets, newest first, with a name search, forward and back paging, and the upload panel. */
export const datasetListView: View = (main, context) => {
  const search = h('input', { type: 'search', id: 'dataset-search', name: 'q', autocomplete: 'off', maxlength: 200 })
  const results = h('div', { class: 'dataset-results', 'aria-live': 'polite' })
  const previous = h('button', { type: 'button', class: 'secondary' }, 'Previous')
  const next = h('button', { type: 'button', class: 'secondary' }, 'Next')
  const pageLabel = h('span', { class: 'page-label' })
  const pager = h('nav', { class: 'pager', 'aria-label': 'Dataset pages' }, previous, pageLabel, next)

  // the cursor of each page seen so far: the API pages forward only, so going back replays them
  let cursors: (string | null)[] = [null]
  let page = 0
  let nextCursor: string | null = null
  let loading: AbortController | null = null

  async function load() {
    loading?.abort()
    loading = new AbortController()
    const signal = AbortSignal.any([context.signal, loading.signal])
    replaceChildren(results, loadingState('datasets'))
    pager.hidden = true
    const q = search.value.trim()
    try {
      const list = await api<Page<Dataset>>(
        `/api/datasets${query({ limit: PAGE_SIZE, q: q || undefined, cursor: cursors[page] })}`,
        { signal },
      )
      nextCursor = list.next_cursor
      show(list.data, q)
    } catch (error) {
      if (!signal.aborted) replaceChildren(results, errorState('The datasets could not be loaded', error, load))
    }
  }

  function show(datasets: Dataset[], q: string) {
    if (datasets.length === 0) {
      replaceChildren(
        results,
        q
          ? emptyState(h('p', {}, `No dataset’s name contains “${q}”.`))
          : emptyState(h('p', {}, 'No datasets yet. Upload a CSV, NDJSON or JSON file above to start.')),
      )
    } else {
      replaceChildren(
        results,
        dataTable({
          caption: q ? `Datasets whose name contains “${q}”` : 'Datasets',
          headers: ['Name', 'Rows', 'Columns', 'Size', 'Status', 'Updated'],
          numeric: [1, 2, 3],
          className: 'datasets',
          rows: datasets.map(d => [
            h('a', { href: datasetHref(d.id) }, d.name),
            formatCount(d.row_count),
            formatCount(d.columns.length),
            formatBytes(d.size_bytes),
            h('span', { class: `badge ${d.status}` }, d.status),
            formatTime(d.updated_at),
          ]),
        }),
      )
    }
    previous.disabled = page === 0
    next.disabled = nextCursor === null
    pageLabel.textContent = `Page ${page + 1}`
    pager.hidden = page === 0 && nextCursor === null
  }

  let searchTimer: ReturnType<typeof setTimeout> | undefined
  const searchNow = () => {
    clearTimeout(searchTimer)
    cursors = [null]
    page = 0
    void load()
  }
  search.addEventListener('input', () => {
    clearTimeout(searchTimer)
    searchTimer = setTimeout(searchNow, SEARCH_DELAY_MS)
  })
  const searchForm = h(
    'form',
    { class: 'search', role: 'search' },
    h('label', { for: 'dataset-search' }, 'Search by name'),
    search,
  )
  searchForm.addEventListener('submit', event => {
    event.preventDefault()
    searchNow()
  })
  previous.addEventListener('click', () => {
    page = Math.max(0, page - 1)
    void load()
  })
  next.addEventListener('click', () => {
    if (nextCursor === null) return
    cursors[page + 1] = nextCursor
    page++
    void load()
  })
  context.signal.addEventListener('abort', () => clearTimeout(searchTimer))

  replaceChildren(
    main,
    h('h1', { tabindex: -1 }, 'Datasets'),
    uploadPanel(dataset => {
      context.notify(`Dataset “${dataset.name}” created with ${formatCount(dataset.row_count)} rows.`)
      navigate(datasetHref(dataset.id))
    }),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'list-title' },
      h('h2', { id: 'list-title' }, 'Your datasets'),
      searchForm,
      results,
      pager,
    ),
  )
  document.title = 'Datasets · DataDynamo'
  void load()
}
