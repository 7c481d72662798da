// Suggestions under the search box of every page, as one types: an ARIA combobox
// (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/) over /search's JSON. Without
// JavaScript the box is a plain form that opens the search page.
"use strict";

(function () {
  const input = document.getElementById("site-search");
  const list = document.getElementById("site-search-suggestions");
  if (!input || !list) return;
  const endpoint = new URL(input.form.getAttribute("action"), window.location.href);
  let hits = [];
  let active = -1;
  let timer = null;
  let asked = 0; // answers to older keystrokes are dropped

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function show(found) {
    hits = found;
    list.replaceChildren();
    found.forEach((hit, index) => {
      const option = document.createElement("li");
      option.id = `site-search-option-${index}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      const name = document.createElement("span");
      const pieces = hit.kind === "sentence" ? [{ text: hit.label, mark: false }] : hit.snippet;
      for (const piece of pieces) {
        const part = document.createElement(piece.mark ? "mark" : "span");
        part.textContent = piece.text;
        name.append(part);
      }
      const about = document.createElement("span");
      about.className = "note";
      const sources = hit.sources === 1 ? "1 source" : `${hit.sources} sources`;
      about.textContent = ` ${hit.type.label || hit.kind} · ${sources}`;
      option.append(name, about);
      option.addEventListener("mousedown", (event) => {
        event.preventDefault(); // keep the focus in the box until the page changes
        window.location.href = hit.page;
      });
      list.append(option);
    });
    list.hidden = found.length === 0;
    input.setAttribute("aria-expanded", String(found.length > 0));
  }

  function select(index) {
    const options = list.querySelectorAll("[role=option]");
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (index >= 0) input.setAttribute("aria-activedescendant", options[index].id);
    else input.removeAttribute("aria-activedescendant");
  }

  async function suggest() {
    const text = input.value;
    const ticket = ++asked;
    if (!text.trim()) return close();
    const url = new URL(endpoint);
    url.searchParams.set("q", text);
    url.searchParams.set("limit", "8");
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok || ticket !== asked) return;
      show((await response.json()).hits);
    } catch (error) {
      close(); // the page's search still works: Enter submits the form
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 120);
  });
  input.addEventListener("keydown", (event) => {
    const open = !list.hidden && hits.length > 0;
    if (event.key === "ArrowDown" && open) {
      event.preventDefault();
      select((active + 1) % hits.length);
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      select(active <= 0 ? hits.length - 1 : active - 1);
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      window.location.href = hits[active].page;
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
})();
