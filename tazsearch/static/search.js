// tazsearch: results while the reader types, from the JSON API.
// No framework, nothing from elsewhere; without this script the page is the same
// form, submitted with Enter. Text from the index only ever becomes text nodes.
(() => {
  "use strict";
  const form = document.querySelector("form.search[data-live]");
  const box = form && form.querySelector("input[name=q]");
  const results = document.getElementById("results");
  if (!form || !box || !results || !window.fetch) return;

  const WAIT_MS = 200;
  const MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
    "September", "Oktober", "November", "Dezember"];
  let timer = 0;
  let asked = 0;
  let controller = null;

  // The last word, while it is being typed, is read as a prefix too: "Klimawan"
  // finds Klimawandel, and a whole word still finds all its forms
  // ("Bundesregierung" OR "Bundesregierung*"). Only a plain word of three letters
  // or more: not inside quotes, not an operator, a field or a hyphenated word.
  function asTyped(q) {
    const word = q.match(/(?:^|[\s(])([\p{L}\p{N}]{3,})$/u);
    const quotes = (q.match(/"/g) || []).length;
    if (!word || quotes % 2 || ["AND", "OR", "NOT"].includes(word[1])) return q;
    return `${q.slice(0, q.length - word[1].length)}(${word[1]} OR ${word[1]}*)`;
  }

  function params(q) {
    const found = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (name === "q") continue;
      if (value && !(name === "sort" && value === "relevance")) found.append(name, value);
    }
    if (q) found.set("q", q);
    return found;
  }

  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  // A text with the (start, end) spans marked; offsets count code points, as in Python.
  function marked(text, spans) {
    const chars = Array.from(text);
    const parts = [];
    let last = 0;
    for (const [start, end] of spans) {
      if (start > last) parts.push(chars.slice(last, start).join(""));
      parts.push(element("mark", null, chars.slice(start, end).join("")));
      last = end;
    }
    if (last < chars.length) parts.push(chars.slice(last).join(""));
    return parts;
  }

  function germanDate(iso) {
    const [year, month, day] = iso.split("-").map(Number);
    return `${day}. ${MONTHS[month - 1]} ${year}`;
  }

  // The search with one more filter, unless it has it already.
  function searchUrl(name, value) {
    const state = params(box.value.trim());
    if (!state.getAll(name).includes(value)) state.append(name, value);
    return "/?" + state.toString();
  }

  // An article's link carries the search, for its way back, and the query its
  // words are marked for when that is not the one typed (a prefix, a correction).
  function hitItem(hit, marks) {
    const state = params(box.value.trim());
    if (marks) state.set("hl", marks);
    const link = "/articles/" + encodeURIComponent(hit.id) + "?" + state;
    const title = Array.from(hit.title);
    const kicker = Array.from(hit.kicker || "");
    const cut = kicker.length && hit.title.startsWith(hit.kicker + ": ") ? kicker.length + 2 : 0;
    const spans = hit.title_highlights;
    const heading = element("a", { href: link });
    if (cut) {
      const inKicker = spans.filter(([s]) => s < cut - 2).map(([s, e]) => [s, Math.min(e, cut - 2)]);
      heading.append(element("span", { class: "kicker" }, ...marked(hit.kicker, inKicker)), " ");
    }
    const rest = spans.filter(([s]) => s >= cut).map(([s, e]) => [s - cut, e - cut]);
    heading.append(...marked(title.slice(cut).join(""), rest));
    const meta = element("p", { class: "meta" });
    if (hit.date) meta.append(element("time", { datetime: hit.date }, germanDate(hit.date)));
    hit.authors.forEach((author, n) => {
      meta.append(n ? ", " : hit.date ? " · " : "");
      meta.append(element("a", { href: searchUrl("author", author) }, author));
    });
    if (hit.tags.length) {
      const tags = element("span", { class: "tags" });
      for (const tag of hit.tags) {
        tags.append(element("a", { class: "tag", href: searchUrl("tag", tag) }, tag));
      }
      meta.append(" ", tags);
    }
    const snippet = hit.snippets[0];
    return element("li", { class: "hit" }, element("h2", null, heading), meta,
      snippet ? element("p", { class: "snippet" }, ...marked(snippet.text, snippet.highlights)) : null);
  }

  function show(answer, typed, sent) {
    const count = answer.total === 1 ? "1 Artikel"
      : answer.total ? `1–${answer.hits.length} von ${answer.total.toLocaleString("de-DE")} Artikeln`
      : "Keine Artikel";
    const marks = answer.searched !== typed ? answer.searched : "";
    const list = element("ol", { class: "hits" }, ...answer.hits.map((hit) => hitItem(hit, marks)));
    const shown = [element("p", { class: "count" }, `${count} für „${typed}“`)];
    if (answer.searched !== sent) {
      shown.push(element("p", { class: "note" },
        `Kein Artikel enthält alle Wörter von „${typed}“; gezeigt werden die Treffer für „${answer.searched}“.`));
    }
    results.replaceChildren(...shown, list);
  }

  async function search() {
    const typed = box.value.trim();
    const number = ++asked;
    if (controller) controller.abort();
    controller = new AbortController();
    history.replaceState(null, "", "/?" + params(typed).toString());
    document.body.classList.add("live");
    if (!typed) {
      results.replaceChildren();
      return;
    }
    const sent = asTyped(typed);
    const query = params(sent);
    query.set("limit", "10");
    try {
      const answer = await fetch("/api/search?" + query, { signal: controller.signal });
      if (number !== asked) return;
      if (!answer.ok) {
        results.replaceChildren(element("p", { class: "note", role: "status" },
          "Die Suche ist so noch nicht lesbar – weitertippen oder mit Enter suchen."));
        return;
      }
      show(await answer.json(), typed, sent);
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    }
  }

  box.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, WAIT_MS);
  });
})();
