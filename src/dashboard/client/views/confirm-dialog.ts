import { h } from '../dom'

/**
 * Asks a yes-or-no question in a modal dialog; resolves true only for the confirming button.
 * The native dialog keeps focus inside it and closes on Escape.
 */
export function confirmDialog(options: { title: string; message: string; confirm: string }): Promise<boolean> {
  const yes = h('button', { type: 'submit', value: 'yes', class: 'danger' }, options.confirm)
  const no = h('button', { type: 'submit', value: 'no', class: 'secondary' }, 'Cancel')
  const dialog = h(
    'dialog',
    { 'aria-labelledby': 'confirm-title', class: 'confirm' },
    h(
      'form',
      { method: 'dialog' },
      h('h2', { id: 'confirm-title' }, options.title),
      h('p', {}, options.message),
      h('div', { class: 'actions' }, no, yes),
    ),
  )
  document.body.append(dialog)
  dialog.showModal()
  no.focus()
  return new Promise(resolve => {
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'yes')
      dialog.remove()
    })
  })
}
