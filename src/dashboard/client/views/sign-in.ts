import { ApiError } from '../api'
import { h, replaceChildren } from '../dom'
import { signIn } from '../session'
import type { Session } from '../types'
import { messageOf } from './states'

/**
 * Asks for an API key and trades it for the API's session cookie. The key lives only in the
 * input while the form is shown: it is never stored, nor put in a URL.
 */
export function signInView(main: HTMLElement, onSignedIn: (session: Session) => void, reason?: string): void {
  const key = h('input', {
    id: 'api-key',
    name: 'key',
    type: 'password',
    autocomplete: 'off',
    spellcheck: false,
    required: true,
    'aria-describedby': 'sign-in-error',
  })
  const error = h('p', { class: 'field-error', id: 'sign-in-error', role: 'alert', hidden: true })
  const submit = h('button', { type: 'submit' }, 'Sign in')
  const form = h(
    'form',
    { class: 'sign-in card', novalidate: true },
    h('h1', { tabindex: -1 }, 'Sign in'),
    reason ? h('p', { class: 'notice-inline' }, reason) : null,
    h(
      'p',
      {},
      'Use an API key of this DataDynamo. An administrator makes one with ',
      h('code', {}, 'bun run cli keys create'),
      '.',
    ),
    h('div', { class: 'field' }, h('label', { for: 'api-key' }, 'API key'), key, error),
    submit,
  )
  form.addEventListener('submit', async event => {
    event.preventDefault()
    const show = (message: string) => {
      replaceChildren(error, message)
      error.hidden = false
      key.setAttribute('aria-invalid', 'true')
      key.focus()
    }
    if (key.value.trim() === '') return show('Enter your API key.')
    submit.disabled = true
    try {
      const session = await signIn(key.value.trim())
      key.value = ''
      onSignedIn(session)
    } catch (failure) {
      show(failure instanceof ApiError && failure.status === 401 ? 'That key was not accepted.' : messageOf(failure))
    } finally {
      submit.disabled = false
    }
  })
  replaceChildren(main, form)
  document.title = 'Sign in · DataDynamo'
  key.focus()
}
