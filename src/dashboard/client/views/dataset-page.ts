import { ApiError, api } from '../api'
import { h, replaceChildren } from '../dom'
import { formatBytes, formatCount, formatTime } from '../format'
import { DATASETS_HREF, datasetHref, navigate } from '../router'
import type { Dataset } from '../types'
import { analysisForm } from './analysis-form'
import { datasetSettings } from './dataset-settings'
import { replaceDataPanel } from './replace-data'
import { rowsPreview } from './rows-preview'
import { schemaTable } from './schema-table'
import { emptyState, errorState, loadingState } from './states'
import { taskList } from './task-list'
import type { View } from './view'

const backLink = () => h('a', { href: DATASETS_HREF, class: 'back' }, '← All datasets')

function summary(dataset: Dataset): HTMLElement {
  const figure = (term: string, value: Node | string) => h('div', {}, h('dt', {}, term), h('dd', {}, value))
  return h(
    'dl',
    { class: 'figures' },
    figure('Status', h('span', { class: `badge ${dataset.status}` }, dataset.status)),
    figure('Rows', formatCount(dataset.row_count)),
    figure('Columns', formatCount(dataset.columns.length)),
    figure('Stored size', formatBytes(dataset.size_bytes)),
    figure('Updated', formatTime(dataset.updated_at)),
  )
}

/** One dataset: what it holds, its rows, its analyses and a form to start one, rename and delete. */
export const datasetPageView =
  (id: string): View =>
  async (main, context) => {
    replaceChildren(main, backLink(), loadingState('the dataset'))
    let dataset: Dataset
    try {
      dataset = await api<Dataset>(`/api/datasets/${encodeURIComponent(id)}`, { signal: context.signal })
    } catch (error) {
      if (context.signal.aborted) return
      const missing = error instanceof ApiError && error.status === 404
      replaceChildren(
        main,
        backLink(),
        h('h1', { tabindex: -1 }, missing ? 'Dataset not found' : 'Dataset'),
        missing
          ? emptyState(h('p', {}, 'There is no such dataset, or it is not yours to see. It may have been deleted.'))
          : errorState('The dataset could not be loaded', error, () => datasetPageView(id)(main, context)),
      )
      return
    }

    const title = h('h1', { tabindex: -1 }, dataset.name)
    const description = h('p', { class: 'description' }, dataset.description)
    const download = h(
      'a',
      { class: 'button secondary', href: `/api/datasets/${dataset.id}/data`, download: '' },
      'Download CSV',
    )
    const rename = (updated: Dataset) => {
      title.textContent = updated.name
      description.textContent = updated.description
      document.title = `${updated.name} · DataDynamo`
    }
    const ready = dataset.status === 'ready'
    // new data changes the schema and the rows: the page is drawn again from the API
    const replace = replaceDataPanel(dataset, context, () => navigate(datasetHref(dataset.id)))
    replaceChildren(
      main,
      backLink(),
      h('div', { class: 'page-head' }, title, ready ? download : null),
      description,
      summary(dataset),
      ready ? analysisForm(dataset, context) : replace,
      taskList(dataset.id, context),
      schemaTable(dataset),
      rowsPreview(dataset, context.signal),
      ready ? replace : null,
      datasetSettings(dataset, context, rename),
    )
    document.title = `${dataset.name} · DataDynamo`
  }
