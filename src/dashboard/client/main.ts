import { ApiError, onUnauthorized } from './api'
import { h, replaceChildren } from './dom'
import { createNotice } from './notice'
import { DATASETS_HREF, parseRoute } from './router'
import { currentSession, signOut } from './session'
import type { Session } from './types'
import { datasetListView } from './views/dataset-list'
import { datasetPageView } from './views/dataset-page'
import { signInView } from './views/sign-in'
import { emptyState, errorState } from './views/states'
import { taskPageView } from './views/task-page'
import type { View } from './views/view'

const main = document.getElementById('main')!
const account = document.getElementById('account')!
const notice = createNotice(document.getElementById('notice')!)

let session: Session | null = null
let leaving: AbortController | null = null

const notFoundView: View = container =>
  replaceChildren(
    container,
    h('h1', { tabindex: -1 }, 'Page not found'),
    emptyState(h('p', {}, 'Nothing lives at this address. '), h('a', { href: DATASETS_HREF }, 'Go to the datasets.')),
  )

function viewFor(hash: string): View {
  const route = parseRoute(hash)
  switch (route.name) {
    case 'datasets':
      return datasetListView
    case 'dataset':
      return datasetPageView(route.id)
    case 'task':
      return taskPageView(route.id)
    case 'not-found':
      return notFoundView
  }
}

/** Ends the screen shown (its requests and streams stop) and returns the signal of the next. */
function leaveScreen(): AbortSignal {
  leaving?.abort()
  leaving = new AbortController()
  return leaving.signal
}

async function show(): Promise<void> {
  const signal = leaveScreen()
  notice.screenChanged()
  await viewFor(location.hash)(main, { signal, notify: notice.notify })
  if (!signal.aborted) main.querySelector<HTMLElement>('h1')?.focus()
}

function showAccount(): void {
  if (!session) {
    account.replaceChildren()
    return
  }
  const button = h('button', { type: 'button', class: 'quiet' }, 'Sign out')
  button.addEventListener('click', async () => {
    try {
      await signOut()
    } finally {
      session = null
      showAccount()
      askToSignIn('You are signed out.')
    }
  })
  replaceChildren(account, h('span', { class: 'who' }, session.name), button)
}

function askToSignIn(reason?: string): void {
  leaveScreen()
  session = null
  showAccount()
  signInView(
    main,
    signedIn => {
      session = signedIn
      showAccount()
      void show()
    },
    reason,
  )
}

async function start(): Promise<void> {
  window.addEventListener('hashchange', () => {
    if (session) void show()
  })
  onUnauthorized(() => {
    if (session) askToSignIn('Your session has ended. Sign in again to go on.')
  })
  try {
    session = await currentSession()
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return askToSignIn()
    return replaceChildren(
      main,
      h('h1', {}, 'DataDynamo'),
      errorState('The server could not be reached', error, () => location.reload()),
    )
  }
  showAccount()
  await show()
}

void start()
