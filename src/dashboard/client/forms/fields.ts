import { h, replaceChildren, uniqueId } from '../dom'

/** A labelled control (or group of controls) whose value a form reads and whose errors it shows. */
export type Field<V> = {
  /** The name the API's error paths use for it, e.g. `column` for `body.params.column`. */
  key: string
  element: HTMLElement
  read(): V
  showErrors(messages: readonly string[]): void
  focus(): void
}

export type Option = { value: string; label: string }

/** The message area under a field, tied to its control by `aria-describedby`. */
function errorArea(controls: readonly HTMLElement[]) {
  const area = h('p', { class: 'field-error', id: uniqueId('error'), hidden: true })
  for (const control of controls) control.setAttribute('aria-describedby', area.id)
  return {
    area,
    show(messages: readonly string[]) {
      replaceChildren(area, messages.join(' '))
      area.hidden = messages.length === 0
      for (const control of controls) {
        if (messages.length > 0) control.setAttribute('aria-invalid', 'true')
        else control.removeAttribute('aria-invalid')
      }
    },
  }
}

function labelled<C extends HTMLElement, V>(
  key: string,
  label: string,
  control: C,
  read: () => V,
  hint?: string,
): Field<V> {
  control.id = uniqueId(key)
  const errors = errorArea([control])
  const element = h(
    'div',
    { class: 'field' },
    h('label', { for: control.id }, label),
    hint ? h('span', { class: 'hint' }, hint) : null,
    control,
    errors.area,
  )
  return { key, element, read, showErrors: errors.show, focus: () => control.focus() }
}

export function textField(options: {
  key: string
  label: string
  value?: string
  maxLength?: number
}): Field<string> & { write(value: string): void } {
  const input = h('input', { type: 'text', name: options.key, maxlength: options.maxLength, autocomplete: 'off' })
  input.value = options.value ?? ''
  return {
    ...labelled(options.key, options.label, input, () => input.value),
    write: value => {
      input.value = value
    },
  }
}

export function selectField(options: {
  key: string
  label: string
  choices: readonly Option[]
  value?: string
}): Field<string> {
  const select = h(
    'select',
    { name: options.key },
    ...options.choices.map(c => h('option', { value: c.value }, c.label)),
  )
  if (options.value !== undefined) select.value = options.value
  return labelled(options.key, options.label, select, () => select.value)
}

/** A number input whose empty value reads as undefined (the API's default then applies). */
export function numberField(options: {
  key: string
  label: string
  value?: number
  placeholder?: string
  min?: number
  step?: string
  hint?: string
}): Field<number | undefined> {
  const input = h('input', {
    type: 'number',
    name: options.key,
    min: options.min,
    step: options.step ?? 'any',
    placeholder: options.placeholder,
    inputmode: 'decimal',
  })
  if (options.value !== undefined) input.value = String(options.value)
  return labelled(
    options.key,
    options.label,
    input,
    () => (input.value === '' ? undefined : Number(input.value)),
    options.hint,
  )
}

/** Check boxes in a fieldset; reads the values that are checked, in the order shown. */
export function checkboxGroup(options: {
  key: string
  legend: string
  choices: readonly Option[]
  checked?: readonly string[]
  hint?: string
}): Field<string[]> {
  const boxes = options.choices.map(choice => {
    const box = h('input', { type: 'checkbox', name: options.key, value: choice.value, id: uniqueId(options.key) })
    box.checked = options.checked?.includes(choice.value) ?? false
    return { box, label: h('label', { class: 'check', for: box.id }, box, ' ', choice.label) }
  })
  const errors = errorArea(boxes.map(b => b.box))
  const element = h(
    'fieldset',
    { class: 'field' },
    h('legend', {}, options.legend),
    options.hint ? h('span', { class: 'hint' }, options.hint) : null,
    boxes.length > 0
      ? h('div', { class: 'checks' }, ...boxes.map(b => b.label))
      : h('p', { class: 'empty' }, 'No columns of a suitable type.'),
    errors.area,
  )
  return {
    key: options.key,
    element,
    read: () => boxes.filter(b => b.box.checked).map(b => b.box.value),
    showErrors: errors.show,
    focus: () => boxes[0]?.box.focus(),
  }
}
