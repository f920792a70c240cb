"""A button that copies a text to the clipboard in the reader's browser: a citation, a link; and cards of texts,
each shown with its button and a note beside it: the press page's sentences.

Streamlit has no such button, so it is a small component (st.components.v2: no iframe, the button in
the page's own document, in a shadow root of its own). The text and the labels reach the browser as
JSON data, never as HTML or script: the component's markup and code are constants, and the code puts
the values in with `textContent` and `value` only, so no text can add markup or run script.

The browser's Clipboard API needs a secure context (https, or http on localhost); elsewhere the copy
falls back to `document.execCommand("copy")` on a hidden text field. Should both fail, the text is shown
selected in a read-only field beside the button, for the reader to copy with the keyboard.

The cards are one component for all of them, not a container, a text, a button and a caption each: the
press page has some 150 sentences, and Streamlit's elements for them took 70 ms of every run of the page.
"""

from __future__ import annotations

import streamlit as st

from slutaskjut import markdown

# A native <button>, so it is in the tab order and pressed with Enter or Space; the status line is
# a polite live region, so a screen reader says "copied" once the copy is done.
_BUTTON = """
  <button type="button">
    <svg class="icon copy-icon" aria-hidden="true" viewBox="0 0 24 24" width="18" height="18"><path fill="currentColor"
      d="M16 1H4a2 2 0 0 0-2 2v14h2V3h12V1zm3 4H8a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h11a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2z
         m0 16H8V7h11v14z"/></svg>
    <svg class="icon done-icon" aria-hidden="true" viewBox="0 0 24 24" width="18" height="18"><path fill="currentColor"
      d="M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z"/></svg>
    <span class="label"></span>
  </button>
  <input class="manual" type="text" readonly hidden>
  <span class="status" role="status"></span>
"""
_HTML = f'<span class="copy">{_BUTTON}</span>'
# A list of cards, each drawn from the template: its text, then its button and its note on one line (they
# wrap on a phone), as st.container(border=True) draws them.
_CARDS_HTML = f"""
<ul class="cards"></ul>
<template>
  <li class="card"><p class="text"></p><span class="copy">{_BUTTON}<span class="note"></span></span></li>
</template>
"""

# Streamlit's secondary button, drawn with the theme's variables (--st-*); the focus ring is the
# dashboard's own (style.css), which cannot reach into the shadow root.
_CSS = """
.copy { display: inline-flex; align-items: center; gap: 0.5rem; flex-wrap: wrap; }
button {
  display: inline-flex; align-items: center; gap: 0.5rem; min-height: 2.5rem; padding: 0.25rem 0.75rem;
  font: inherit; font-family: var(--st-font, inherit); color: var(--st-text-color, #111111);
  background: var(--st-background-color, #ffffff); cursor: pointer;
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2)); border-radius: var(--st-button-radius, 0.5rem);
}
button:hover { border-color: var(--st-primary-color, #ff4b4b); }
button:focus-visible { outline: 3px solid #1a4fd6; outline-offset: 2px; }
.done-icon, button.done .copy-icon { display: none; }
button.done .done-icon { display: inline; }
.manual { font: inherit; min-width: 16rem; padding: 0.25rem; }
.manual:focus-visible { outline: 3px solid #1a4fd6; outline-offset: 2px; }
.cards { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 1rem; }
.card {
  margin: 0; padding: 1rem; display: flex; flex-direction: column; gap: 0.5rem;
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2)); border-radius: var(--st-base-radius, 0.5rem);
}
.text { margin: 0; font-family: var(--st-font, inherit); color: var(--st-text-color, #111111); }
.note { font-size: 0.875rem; color: #595959; }
.status {
  position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap;
}
"""

_COPY_JS = """
function copiedByCommand(text) {
  const field = document.createElement("textarea");
  field.value = text;
  field.setAttribute("readonly", "");
  field.style.position = "fixed";
  field.style.opacity = "0";
  document.body.appendChild(field);
  field.select();
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch (error) {
    copied = false;
  }
  field.remove();
  return copied;
}

async function copy(text) {
  if (window.isSecureContext && navigator.clipboard) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (error) {
      // denied or not focused: try the older way
    }
  }
  return copiedByCommand(text);
}

// The button in `place` (its .copy span) copies `text`, labelled `label`, then `done` for a moment.
function wire(place, text, label, done, timers) {
  const button = place.querySelector("button");
  const shown = place.querySelector(".label");
  const status = place.querySelector(".status");
  const manual = place.querySelector(".manual");
  shown.textContent = label;
  button.classList.remove("done");
  status.textContent = "";
  manual.hidden = true;
  manual.setAttribute("aria-label", label);
  let timer;
  button.onclick = async () => {
    clearTimeout(timer);
    if (await copy(text)) {
      shown.textContent = done;
      status.textContent = done;
      button.classList.add("done");
      timer = setTimeout(() => {
        shown.textContent = label;
        status.textContent = "";
        button.classList.remove("done");
      }, 2500);
      timers.push(timer);
    } else {
      manual.value = text;
      manual.hidden = false;
      manual.focus();
      manual.select();
    }
  };
}
"""

_JS = (
    _COPY_JS
    + """
export default function ({ data, parentElement }) {
  const timers = [];
  wire(parentElement, data.text, data.label, data.done, timers);
  return () => timers.forEach(clearTimeout);
}
"""
)

_CARDS_JS = (
    _COPY_JS
    + """
export default function ({ data, parentElement }) {
  const timers = [];
  const list = parentElement.querySelector(".cards");
  const template = parentElement.querySelector("template").content.firstElementChild;
  list.replaceChildren(
    ...data.cards.map((card) => {
      const item = template.cloneNode(true);
      item.querySelector(".text").textContent = card.text;
      item.querySelector(".note").textContent = card.note;
      wire(item, card.text, data.label, data.done, timers);
      return item;
    })
  );
  return () => timers.forEach(clearTimeout);
}
"""
)

_component = st.components.v2.component("slutaskjut.copy_button", html=_HTML, css=_CSS, js=_JS)
_cards = st.components.v2.component("slutaskjut.copy_cards", html=_CARDS_HTML, css=_CSS, js=_CARDS_JS)


def payload(text: str, label: str, done_label: str) -> dict[str, str]:
    """What the browser is given: the text as it is, and the labels as plain text (catalogue texts are Markdown)."""
    return {"text": str(text), "label": markdown.plain(label), "done": markdown.plain(done_label)}


def copy_button(text: str, label: str, key: str, *, done_label: str) -> None:
    """A button labelled `label` that copies `text` to the reader's clipboard and then reads `done_label`
    for a moment. `key` tells the buttons of a page apart (the same text may be copied from two places).

    `label` and `done_label` are texts from the catalogue (i18n.t), so in the page's language.
    """
    _component(key=key, data=payload(text, label, done_label), width="content")


def copy_cards(cards: list[tuple[str, str]], label: str, key: str, *, done_label: str) -> None:
    """A card for each (text, note) of `cards`, in order: the text, and under it a button like copy_button's
    that copies the text, with the note beside it. The note is a catalogue text (Markdown), shown as it reads."""
    cards = [{"text": str(text), "note": markdown.plain(note)} for text, note in cards]
    _cards(key=key, data={"label": markdown.plain(label), "done": markdown.plain(done_label), "cards": cards})
