// The query editor at /sparql: YASGUI on this endpoint, offline (no CDN, no prefix.cc, no LOV).
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("editor-config").textContent);
  const Yasgui = window.Yasgui;
  const Yasqe = Yasgui.Yasqe;
  // Absolute, because YASGUI builds GET requests with new URL(endpoint); resolved from the page,
  // so the editor works on any host, port and path prefix.
  const endpoint = new URL(config.endpoint, window.location.href).href;

  // Prefix completion offers the project's prefixes first, then YASGUI's bundled list; YASGUI's
  // own property and class completers are left out, because they ask a remote service (LOV).
  const bundled = Yasqe.Autocompleters.prefixes;
  const ours = Object.entries(config.prefixes).map(([name, iri]) => `${name}: <${iri}>`);
  Yasqe.forkAutocompleter("prefixes", {
    name: "project-prefixes",
    get: (yasqe, token) => bundled.get(yasqe, token).then((names) => [
      ...ours,
      ...names.filter((entry) => !(entry.split(":")[0] in config.prefixes)),
    ]),
  }, false);
  // Classes and properties of the ontology, and the data's resources by label, from this
  // server only. Each suggestion shows its label beside its name.
  const iriCompleter = Yasqe.Autocompleters.class;
  const labels = new Map(); // the text a suggestion inserts -> its label
  function labelled(yasqe, token, iri, label) {
    const text = iriCompleter.postProcessSuggestion(yasqe, token, iri);
    labels.set(text, label);
    return text;
  }
  const withLabels = (yasqe, hints) => hints.map((hint) => ({
    ...hint,
    displayText: labels.get(hint.text) ? `${hint.text}  (${labels.get(hint.text)})` : hint.text,
  }));
  for (const kind of ["class", "property"]) {
    const terms = config.terms[kind];
    const labelOf = new Map(terms.map((term) => [term.iri, term.label]));
    Yasqe.forkAutocompleter(kind, {
      name: `project-${kind}`,
      autoShow: true,
      get: (yasqe, token) => {
        const typed = (token.autocompletionString || "").toLowerCase();
        const local = typed.split(/[#/:]/).pop();
        return terms.filter((term) => term.iri.toLowerCase().startsWith(typed)
          || (local && term.label.toLowerCase().includes(local))).map((term) => term.iri);
      },
      postProcessSuggestion: (yasqe, token, iri) => labelled(yasqe, token, iri, labelOf.get(iri)),
      postprocessHints: withLabels,
    }, false);
  }
  // A resource is completed where a name of the data set's namespace is typed (dkg:s4...):
  // the text after the prefix is searched for in names, as the search box does.
  const dataSpace = `${config.base}id/`;
  const search = new URL(config.search, window.location.href);
  function typedInDataSpace(yasqe) {
    const typed = yasqe.getCompleteToken().string;
    if (typed.startsWith(`<${dataSpace}`)) return true;
    const prefix = typed.split(":")[0];
    return typed.includes(":") && yasqe.getPrefixesFromQuery()[prefix] === dataSpace;
  }
  Yasqe.forkAutocompleter("class", {
    name: "project-resources",
    autoShow: true,
    isValidCompletionPosition: (yasqe) => {
      const typed = yasqe.getCompleteToken().string;
      return !typed.startsWith("?") && !typed.startsWith("$") && typedInDataSpace(yasqe);
    },
    get: async (yasqe, token) => {
      const text = (token.autocompletionString || "").slice(dataSpace.length);
      if (!text.trim()) return [];
      const url = new URL(search);
      url.searchParams.set("q", text);
      url.searchParams.set("limit", "20");
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) return [];
      const hits = (await response.json()).hits.filter((hit) => hit.iri.startsWith(dataSpace));
      for (const hit of hits) labels.set(hit.iri, hit.label);
      return hits.map((hit) => hit.iri);
    },
    postProcessSuggestion: (yasqe, token, iri) => labelled(yasqe, token, iri, labels.get(iri)),
    postprocessHints: withLabels,
  }, false);
  // Assigned, not passed in the config: YASGUI merges arrays index by index.
  Yasqe.defaults.autocompleters = ["project-prefixes", "variables", "project-class",
    "project-property", "project-resources"];

  // YASGUI's URL parser splits parameters at ";" as well as "&": a shared link whose query
  // holds a bare ";" (which URLs allow) would open cut short, so it is encoded before YASGUI
  // reads the address.
  if (window.location.search.includes(";")) {
    const { pathname, search, hash } = window.location;
    window.history.replaceState(null, "", pathname + search.replaceAll(";", "%3B") + hash);
  }

  // A first visit opens one tab, prefilled with the project's prefixes; later visits restore
  // the tabs kept in the browser's storage; ?query= (a shared link) opens and runs that query.
  const yasgui = new Yasgui(document.getElementById("editor"), {
    requestConfig: { endpoint: endpoint },
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    yasqe: { value: config.query },
    copyEndpointOnNewTab: false,
  });

  // Tab names are the examples' questions: cut short on screen, whole in the tooltip.
  function showTabTitles() {
    for (const name of document.querySelectorAll(".yasgui .tabsList .tab a span")) {
      name.title = name.textContent;
    }
  }

  // Examples open on demand, a tab each (one per saved query would crowd the tab bar), and run.
  // Their links also work without JavaScript: they open this page with ?query=.
  for (const link of document.querySelectorAll("#examples a[data-example]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const example = config.examples[Number(link.dataset.example)];
      yasgui.addTab(true, {
        name: example.name,
        yasqe: { value: example.query },
        requestConfig: { endpoint: endpoint },
      }, { avoidDuplicateTabs: true });
      showTabTitles();
      yasgui.rootEl.scrollIntoView();
      yasgui.getTab().query().catch(() => {}); // YASR shows the error
    });
  }
  showTabTitles();

  // Result tables link each IRI to itself; those under the data set's base open on this server
  // (which serves {base}x at /x), so they work before the base's redirects exist, and locally.
  const site = new URL(config.site, window.location.href);
  function openHere(event) {
    const link = event.target.closest(".yasr a[href]");
    const href = link && link.getAttribute("href");
    if (href && href.startsWith(config.base)) {
      link.href = new URL(href.slice(config.base.length), site).href;
    }
  }
  document.addEventListener("click", openHere, true);
  document.addEventListener("auxclick", openHere, true);

  window.yasgui = yasgui; // for the console, and for tests that drive the editor
})();
