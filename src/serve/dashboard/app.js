// prodinsight dashboard: a small client of the JSON API (the same one scripts use).
// Review text, titles, brands and ASINs come from strangers: they only ever become text nodes
// (h() below sets textContent); nothing is ever parsed as HTML.

const main = document.getElementById("main");
const SVG = "http://www.w3.org/2000/svg";

/** An element with attributes and children; strings and numbers become text nodes. */
function h(tag, attrs = {}, ...children) {
  const el = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces the main view; arrays are spread and empty parts left out. */
function show(...nodes) {
  main.replaceChildren(...nodes.flat().filter((n) => n !== null && n !== undefined && n !== false));
}

const fmt = (v, digits = 1) => (v === null || v === undefined ? "–" : Number(v).toFixed(digits));
const pct = (v) => (v === null || v === undefined ? "–" : `${fmt(v)} %`);
/** A signed change, red when it is bad news: a rise, or with `riseIsGood` (praise) a fall. */
function delta(v, riseIsGood = false) {
  if (v === null || v === undefined) return h("span", { class: "muted" }, "–");
  const bad = riseIsGood ? v < 0 : v > 0;
  const cls = v === 0 ? "muted" : bad ? "up" : "down";
  return h("span", { class: cls }, `${v > 0 ? "+" : ""}${fmt(v)}`);
}

// The change since the previous run; on the first run there is none to show, so say why.
function negDelta(summary) {
  if (summary.neg_delta !== null && summary.neg_delta !== undefined) return delta(summary.neg_delta);
  const why = summary.previous_run_id ? "not comparable" : summary.run_id ? "first run: no previous run" : "no analysis yet";
  return h("span", { class: "muted first-run" }, why);
}

async function api(path) {
  const r = await fetch(path, { headers: { Accept: "application/json" } });
  let body;
  try {
    body = await r.json();
  } catch {
    throw new Error(`${path}: HTTP ${r.status}`);
  }
  if (!r.ok) throw new Error(body?.error?.message || `${path}: HTTP ${r.status}`);
  return body;
}

function link(href, ...children) {
  return h("a", { href, "data-link": true }, ...children);
}

function productLink(asin, label) {
  return link(`/products/${encodeURIComponent(asin)}${windowSuffix(new URLSearchParams(location.search))}`, label ?? asin);
}

function brandLink(brand, label) {
  return link(`/brands/${encodeURIComponent(brand)}${windowSuffix(new URLSearchParams(location.search))}`, label ?? brand);
}

function issueLink(code, label) {
  return link(`/issues/${encodeURIComponent(code)}${windowSuffix(new URLSearchParams(location.search))}`, label ?? code);
}

function table(headers, rows, caption) {
  const head = h("tr", {}, headers.map((c) => (c instanceof Node ? c : h("th", { class: c.endsWith?.("#") ? "n" : null }, c.replace?.(/#$/, "") ?? c))));
  return h(
    "div",
    { class: "table-wrap" },
    h("table", {}, caption ? h("caption", { class: "muted" }, caption) : null, h("thead", {}, head), h("tbody", {}, rows)),
  );
}

const td = (v, numeric = false) => h("td", { class: numeric ? "n" : null }, v);

/** Bars of values with labels; a text alternative in <title> and aria-label. */
function barChart(points, { label, bad = false, width = 520, height = 160 }) {
  const max = Math.max(1, ...points.map((p) => p.value));
  const bw = width / Math.max(points.length, 1);
  const alt = `${label}: ${points.map((p) => `${p.label} ${p.value}`).join(", ")}`;
  const svg = h("svg:svg", { class: "chart", viewBox: `0 0 ${width} ${height + 20}`, role: "img", "aria-label": alt }, h("svg:title", {}, alt));
  points.forEach((p, i) => {
    const bh = (p.value / max) * (height - 14);
    svg.append(
      h("svg:rect", { class: bad ? "bar bad" : "bar", x: i * bw + 3, y: height - bh, width: Math.max(bw - 6, 1), height: bh }),
      h("svg:text", { x: i * bw + bw / 2, y: height + 14, "text-anchor": "middle" }, p.label),
      h("svg:text", { x: i * bw + bw / 2, y: height - bh - 3, "text-anchor": "middle" }, p.value),
    );
  });
  return svg;
}

/** One or two lines over labelled points (values may be null). */
function lineChart(points, series, { label, width = 520, height = 160 }) {
  const alt = `${label}: ${points.map((p) => `${p.label} ${series.map((s) => `${s.name} ${fmt(p[s.key], 2)}`).join(" ")}`).join("; ")}`;
  const svg = h("svg:svg", { class: "chart", viewBox: `0 0 ${width} ${height + 20}`, role: "img", "aria-label": alt }, h("svg:title", {}, alt));
  const step = points.length > 1 ? (width - 40) / (points.length - 1) : 0;
  svg.append(h("svg:line", { class: "axis", x1: 20, y1: height, x2: width - 20, y2: height }));
  series.forEach((s, si) => {
    const vals = points.map((p) => p[s.key]).filter((v) => v !== null && v !== undefined);
    const max = Math.max(s.max ?? 0, ...vals, 1e-9);
    let d = "";
    points.forEach((p, i) => {
      const v = p[s.key];
      if (v === null || v === undefined) return;
      const x = 20 + i * step;
      const y = height - (v / max) * (height - 14);
      d += `${d ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`;
      if (points.length === 1) svg.append(h("svg:circle", { cx: x, cy: y, r: 3, class: si ? "line2" : "line" }));
    });
    if (d) svg.append(h("svg:path", { class: si ? "line2" : "line", d }));
  });
  const every = Math.ceil(points.length / 8);
  points.forEach((p, i) => {
    if (i % every === 0) svg.append(h("svg:text", { x: 20 + i * step, y: height + 14, "text-anchor": "middle" }, p.label));
  });
  return svg;
}

function quote(q) {
  const meta = [q.rating ? `${"★".repeat(q.rating)} ${q.rating}/5` : null, q.language, q.review_id].filter(Boolean).join(" · ");
  return h("blockquote", { class: "quote" }, h("div", {}, q.text ?? ""), h("div", { class: "meta" }, meta));
}

function setTitle(text) {
  document.title = `${text} · prodinsight`;
}

// ---- views ----------------------------------------------------------------------------------

async function portfolio(params) {
  setTitle("Portfolio");
  const w = windowOf(params);
  if (w) return windowPortfolio(w);
  const { data } = await api("/api/v1/overview");
  const s = data.summary;
  const cards = h(
    "div",
    { class: "cards" },
    [
      ["Reviews", s.reviews],
      ["Products", s.products],
      ["Brands", s.brands],
      ["% negative", pct(s.pct_negative)],
    ].map(([l, n]) => h("div", { class: "card" }, h("div", { class: "n" }, n), h("div", { class: "l" }, l))),
    h("div", { class: "card", id: "neg-delta" }, h("div", { class: "n" }, negDelta(s)), h("div", { class: "l" }, "Δ % negative since the previous run")),
  );
  const attention = table(
    ["Product", "Brand", "Reviews#", "% negative#", "Δ#", "Impact#", "Top issues"],
    data.attention.map((p) =>
      h(
        "tr",
        {},
        h("td", {}, productLink(p.asin), p.title ? h("div", { class: "muted" }, p.title) : null),
        td(p.brand ?? ""),
        td(p.review_count, true),
        td(pct(p.pct_negative), true),
        h("td", { class: "n" }, delta(p.neg_delta)),
        td(fmt(p.impact), true),
        h("td", {}, (p.top_issues ?? []).map((i) => h("span", { class: "tag" }, issueLink(i.code, i.label), ` ${i.count}`))),
      ),
    ),
  );
  const change = (n) => (n === undefined ? h("span", { class: "muted" }, "–") : h("span", { class: n > 0 ? "up" : n < 0 ? "down" : "muted" }, n > 0 ? `+${n}` : String(n)));
  // Ranked by the negative and neutral reviews reporting each; praise-only issues apart.
  // Each issue's star impact: the average rating of the reviews reporting it against the others,
  // and the stars the portfolio's average would gain if it were fixed ("–" below the API's minimum).
  const issues = table(
    // At phone width the star impact stays in view; the counts behind "Reviews" step aside.
    [
      "Issue",
      "Reviews#",
      h("th", { class: "n hide-narrow" }, "Negative or neutral"),
      h("th", { class: "n hide-narrow" }, "Since last run"),
      h("th", { class: "n hide-narrow" }, "Products"),
      "Avg ★ with#",
      "Avg ★ without#",
      "★ gained if fixed#",
    ],
    data.issues.map((i) =>
      h(
        "tr",
        {},
        h("td", {}, issueLink(i.code, i.label)),
        td(i.reviews, true),
        h("td", { class: "n hide-narrow" }, i.reviews_negative_neutral ?? "–"),
        h("td", { class: "n hide-narrow" }, change(i.change)),
        h("td", { class: "n hide-narrow" }, i.products),
        td(fmt(i.avg_rating_with, 2), true),
        td(fmt(i.avg_rating_without, 2), true),
        td(i.stars_gained === null || i.stars_gained === undefined ? "–" : `+${fmt(i.stars_gained, 2)}`, true),
      ),
    ),
  );
  const praise = (data.mentioned_in_praise ?? []).length
    ? h("p", { class: "muted" }, "Mentioned in praise only: ", data.mentioned_in_praise.map((i) => `${i.label} (${i.reviews})`).join(", "))
    : null;
  const brands = table(
    ["Brand", "Products#", "Reviews#", "Avg rating#", "% negative#", "Δ#"],
    data.brands.map((b) =>
      h(
        "tr",
        {},
        h("td", {}, brandLink(b.brand)),
        h("td", { class: "n" }, link(`/products?brand=${encodeURIComponent(b.brand)}`, String(b.products))),
        td(b.review_count, true),
        td(fmt(b.avg_rating, 2), true),
        td(pct(b.pct_negative), true),
        h("td", { class: "n" }, delta(b.neg_delta)),
      ),
    ),
  );
  show(
    h("h1", {}, "Portfolio"),
    cards,
    h("h2", {}, "Products that need attention"),
    attention,
    h("section", { id: "top-issues" }, h("h2", {}, "Top issues and what each costs in stars"), issues, praise),
    h("div", { class: "grid2" }, h("section", { id: "liked" }, h("h2", {}, "What customers like"), likedTable(data.liked_aspects)), h("section", {}, h("h2", {}, "Brands"), brands)),
    breakdowns(data.breakdowns),
  );
}

/** Liked aspects shown on the portfolio page: the first ones, as the API ranks them. */
const LIKED_SHOWN = 10;

/** What customers like: reviews praising each aspect, their share, and one quote. */
function likedTable(liked) {
  const list = liked ?? [];
  const rows = list.slice(0, LIKED_SHOWN).map((a) =>
    h(
      "tr",
      {},
      td(a.term),
      td(a.count, true),
      td(pct(a.share), true),
      h("td", {}, a.quote ? quote({ text: a.quote.text, rating: a.quote.stars, language: a.quote.language }) : "–"),
    ),
  );
  const caption = list.length > LIKED_SHOWN ? `the ${LIKED_SHOWN} most praised of ${list.length}` : null;
  return table(["Liked", "Reviews#", "% of reviews#", "Quote"], rows, caption);
}

const PRODUCT_FILTERS = ["q", "brand", "issue", "marketplace", "min_reviews", "min_rating", "max_rating", "sentiment", "sort", "order", "limit", "cursor"];
const SORTS = [
  ["asin", "Product"],
  ["reviews", "Reviews"],
  ["rating", "Avg rating"],
  ["negative", "% negative"],
  ["trend", "Δ negative"],
];

let choices = null; // brands and issues for the filter form, loaded once

async function products(params) {
  setTitle("Products");
  const w = windowOf(params);
  if (w) return windowProducts(w, params);
  if (!choices) {
    const [brands, issues] = await Promise.all([api("/api/v1/brands?limit=500&sort=brand&order=asc"), api("/api/v1/issues?limit=500")]);
    choices = { brands: brands.data.map((b) => b.brand), issues: issues.data };
  }
  const query = new URLSearchParams();
  for (const k of PRODUCT_FILTERS) for (const v of params.getAll(k)) if (v !== "") query.append(k, v);
  const page = await api(`/api/v1/products?${query}`);
  const sort = params.get("sort") || page.meta.sort;
  const order = params.get("order") || page.meta.order;

  const form = h("form", { class: "filters", role: "search", onsubmit: (e) => submitFilters(e) });
  const field = (label, input) => h("label", {}, label, input);
  const sel = (name, opts, value, multiple = false) =>
    h(
      "select",
      { name, multiple },
      multiple ? null : h("option", { value: "" }, "any"),
      opts.map(([v, l]) => h("option", { value: v, selected: multiple ? params.getAll(name).includes(v) : v === value }, l)),
    );
  form.append(
    field("Search (ASIN, brand, title)", h("input", { name: "q", type: "search", value: params.get("q") ?? "" })),
    field("Brands", sel("brand", choices.brands.map((b) => [b, b]), null, true)),
    field("Issue", sel("issue", choices.issues.map((i) => [i.code, i.label]), params.get("issue"))),
    field("% negative at least", h("input", { name: "neg", type: "number", min: 0, max: 100, step: "any", value: sentimentBound(params, "negative") })),
    field("% positive at least", h("input", { name: "pos", type: "number", min: 0, max: 100, step: "any", value: sentimentBound(params, "positive") })),
    field("Minimum reviews", h("input", { name: "min_reviews", type: "number", min: 0, value: params.get("min_reviews") ?? "" })),
    field("Rating from", h("input", { name: "min_rating", type: "number", min: 1, max: 5, step: "any", value: params.get("min_rating") ?? "" })),
    field("Rating to", h("input", { name: "max_rating", type: "number", min: 1, max: 5, step: "any", value: params.get("max_rating") ?? "" })),
    field("Marketplace", h("input", { name: "marketplace", value: params.get("marketplace") ?? "", placeholder: "amazon.de" })),
    h("div", {}, h("button", { class: "primary", type: "submit" }, "Apply"), " ", link("/products", "Reset")),
  );

  const sortHeader = ([key, label], numeric) => {
    const active = key === sort;
    const next = active && order === "desc" ? "asc" : "desc";
    return h(
      "th",
      { class: numeric ? "n" : null },
      h(
        "button",
        {
          type: "button",
          "aria-sort": active ? (order === "asc" ? "ascending" : "descending") : "none",
          onclick: () => navigate(withParams(params, { sort: key, order: next, cursor: null })),
        },
        label,
      ),
    );
  };
  const headers = [sortHeader(SORTS[0]), h("th", {}, "Brand"), sortHeader(SORTS[1], true), sortHeader(SORTS[2], true), sortHeader(SORTS[3], true), sortHeader(SORTS[4], true), h("th", { class: "hide-narrow" }, "Top issues")];
  const rows = page.data.map((p) =>
    h(
      "tr",
      {},
      h("td", {}, productLink(p.asin), p.title ? h("div", { class: "muted" }, p.title) : null),
      td(p.brand ?? ""),
      td(p.review_count, true),
      td(fmt(p.avg_rating, 2), true),
      td(pct(p.pct_negative), true),
      h("td", { class: "n" }, delta(p.neg_delta)),
      h("td", { class: "hide-narrow" }, (p.top_issues ?? []).map((i) => h("span", { class: "tag" }, `${i.label} ${i.count}`))),
    ),
  );
  const pager = h(
    "div",
    { class: "pager" },
    h("span", { id: "total" }, `${page.meta.total} products`),
    params.get("cursor") ? h("button", { type: "button", onclick: () => history.back() }, "← Previous") : null,
    page.meta.next_cursor ? h("button", { type: "button", id: "next", onclick: () => navigate(withParams(params, { cursor: page.meta.next_cursor })) }, "Next →") : null,
  );
  show(h("h1", {}, "Products"), form, pager, table(headers, rows), page.data.length ? null : h("p", { class: "muted" }, "No product matches these filters."));
}

function sentimentBound(params, side) {
  const s = params.get("sentiment") ?? "";
  return s.startsWith(`${side}:`) ? s.slice(side.length + 1) : "";
}

function submitFilters(e) {
  e.preventDefault();
  const fd = new FormData(e.target);
  const p = new URLSearchParams();
  for (const [k, v] of fd.entries()) {
    if (v === "" || k === "neg" || k === "pos") continue;
    p.append(k, v);
  }
  const neg = fd.get("neg");
  const pos = fd.get("pos");
  if (neg) p.set("sentiment", `negative:${neg}`);
  else if (pos) p.set("sentiment", `positive:${pos}`);
  const current = new URLSearchParams(location.search);
  for (const k of ["sort", "order"]) if (current.get(k)) p.set(k, current.get(k));
  navigate(`/products?${p}`);
}

function withParams(params, changes) {
  const p = new URLSearchParams(params);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) p.delete(k);
    else p.set(k, v);
  }
  return `${location.pathname}?${p}`;
}

/** Reviews by language and by marketplace: reviews, % negative, average rating, top issues. */
function breakdowns(b) {
  const rows = (list) =>
    (list ?? []).map((r) =>
      h(
        "tr",
        {},
        td(r.key),
        td(r.reviews, true),
        td(pct(r.pct_negative), true),
        td(fmt(r.avg_rating, 2), true),
        td((r.top_issues ?? []).map((i) => `${i.label} (${i.count})`).join(", ")),
      ),
    );
  const headers = (first) => [first, "Reviews#", "% negative#", "Avg rating#", "Top issues"];
  return h(
    "div",
    { class: "grid2 breakdowns" },
    h("section", {}, h("h2", {}, "By language"), table(headers("Language"), rows(b?.by_language))),
    h("section", {}, h("h2", {}, "By marketplace"), table(headers("Marketplace"), rows(b?.by_marketplace))),
  );
}

async function product(asin, params) {
  const w = windowOf(params);
  if (w) return windowProduct(asin, w, params);
  const { data: p } = await api(`/api/v1/products/${encodeURIComponent(asin)}`);
  setTitle(p.asin);
  const rq = new URLSearchParams({ limit: "20" });
  for (const k of ["sentiment", "issue", "cursor"]) if (params.get(k)) rq.set(k, params.get(k));
  const reviews = await api(`/api/v1/products/${encodeURIComponent(asin)}/reviews?${rq}`);
  const hist = [1, 2, 3, 4, 5].map((n) => ({ label: `${n}★`, value: p.rating_histogram?.[n] ?? 0 }));
  const byMonth = (p.trend ?? []).map((m) => ({ label: m.month, neg: m.pct_negative, avg: m.avg_rating }));
  const byRun = (p.history ?? []).map((r) => ({ label: `run ${r.run_id}`, neg: r.pct_negative, avg: r.avg_rating }));
  const trendCharts = [];
  if (byMonth.length)
    trendCharts.push(
      h("section", {}, h("h2", {}, "By month"), lineChart(byMonth, [{ key: "neg", name: "% negative", max: 100 }, { key: "avg", name: "avg rating", max: 5 }], { label: "% negative (red) and average rating (blue) by month" })),
    );
  if (byRun.length)
    trendCharts.push(
      h("section", {}, h("h2", {}, "By analysis run"), lineChart(byRun, [{ key: "neg", name: "% negative", max: 100 }, { key: "avg", name: "avg rating", max: 5 }], { label: "% negative (red) and average rating (blue) per analysis run" })),
    );
  const issues = (p.issues ?? []).map((i) =>
    h("section", {}, h("h3", {}, issueLink(i.code, i.label), h("span", { class: "muted" }, ` · ${i.count} reviews, ${pct(i.share)}`)), (i.examples ?? []).map(quote)),
  );
  const langs = Object.entries(p.languages ?? {}).sort((a, b) => b[1] - a[1]);
  const reviewFilter = h(
    "form",
    { class: "filters", onsubmit: (e) => { e.preventDefault(); const fd = new FormData(e.target); const q = new URLSearchParams(); for (const [k, v] of fd.entries()) if (v) q.set(k, v); navigate(`/products/${encodeURIComponent(asin)}?${q}`); } },
    h("label", {}, "Sentiment", h("select", { name: "sentiment" }, ["", "positive", "neutral", "negative"].map((s) => h("option", { value: s, selected: s === (params.get("sentiment") ?? "") }, s || "any")))),
    h("label", {}, "Issue", h("select", { name: "issue" }, h("option", { value: "" }, "any"), (p.issues ?? []).map((i) => h("option", { value: i.code, selected: i.code === params.get("issue") }, i.label)))),
    h("div", {}, h("button", { class: "primary", type: "submit" }, "Show")),
  );
  const reviewRows = reviews.data.map((r) =>
    h(
      "tr",
      {},
      td(r.rating ?? "–", true),
      td(r.sentiment ?? ""),
      td(r.language ?? ""),
      h("td", {}, r.title ? h("strong", {}, r.title) : null, h("div", {}, r.text ?? "")),
      h("td", {}, (r.issues ?? []).map((i) => h("span", { class: "tag" }, i.code ?? i))),
    ),
  );
  show(
    h("p", {}, link("/products", "← Products")),
    h("h1", {}, p.title ? `${p.title} (${p.asin})` : p.asin),
    h(
      "div",
      { class: "cards" },
      [
        ["Brand", p.brand ?? "–"],
        ["Reviews", p.review_count],
        ["Avg rating", fmt(p.avg_rating, 2)],
        ["% positive", pct(p.pct_positive)],
        ["% negative", pct(p.pct_negative)],
      ].map(([l, n]) => h("div", { class: "card" }, h("div", { class: "n" }, n), h("div", { class: "l" }, l))),
    ),
    h("div", { class: "grid2" }, h("section", {}, h("h2", {}, "Ratings"), barChart(hist, { label: "Reviews by star rating" })), ...trendCharts),
    h("h2", {}, "Issues"),
    ...(issues.length ? issues : [h("p", { class: "muted" }, "No issues reported.")]),
    h(
      "div",
      { class: "grid2" },
      h("section", {}, h("h2", {}, "What customers like"), (p.liked_aspects ?? []).map((a) => h("span", { class: "tag", title: a.quote ? a.quote.text : "" }, `${a.term} ${a.count} (${pct(a.share)})`))),
      h("section", {}, h("h2", {}, "Complaint aspects"), (p.complaint_aspects ?? []).map((a) => h("span", { class: "tag" }, `${a.term} ${a.count}`))),
    ),
    h("section", {}, h("h2", {}, "Languages"), langs.map(([l, n]) => h("span", { class: "tag" }, `${l} ${n}`))),
    breakdowns(p.breakdowns),
    h("h2", {}, `Reviews (${reviews.meta.total})`),
    reviewFilter,
    table(["Stars#", "Sentiment", "Lang", "Review", "Issues"], reviewRows),
    h(
      "div",
      { class: "pager" },
      params.get("cursor") ? h("button", { type: "button", onclick: () => history.back() }, "← Previous") : null,
      reviews.meta.next_cursor ? h("button", { type: "button", onclick: () => navigate(withParams(params, { cursor: reviews.meta.next_cursor })) }, "Next →") : null,
    ),
  );
}

async function issue(code, params) {
  const w = windowOf(params);
  if (w) return windowIssue(code, w);
  const [page, { data: meta }] = await Promise.all([
    api(`/api/v1/products?issue=${encodeURIComponent(code)}&sort=reviews&limit=50`),
    api(`/api/v1/issues/${encodeURIComponent(code)}`),
  ]);
  setTitle(meta.label);
  // What it costs in stars and its quotes (stars, language): the API's, as in a period.
  const figures = meta.impact === null || meta.impact === undefined ? "" : `: ★ ${stars2(meta.avg_with)} with it against ${stars2(meta.avg_without)} without, ${gained(meta.impact)} ★ if fixed`;
  const quotes = meta.examples ?? [];
  show(
    h("h1", {}, meta.label),
    h("p", { id: "issue-figures", class: "muted" }, `${meta.reviews} reviews in ${meta.products} products${figures}`),
    h("div", { class: "grid2" },
      h("section", {}, h("h2", {}, "Products"), table(["Product", "Brand", "Reviews#", "% negative#"], page.data.map((p) => h("tr", {}, h("td", {}, productLink(p.asin)), td(p.brand ?? ""), td(p.review_count, true), td(pct(p.pct_negative), true))))),
      h("section", {}, h("h2", {}, "Brands"), table(["Brand", "Reviews reporting it#", "Products#"], meta.brands.map((b) => h("tr", {}, h("td", {}, link(`/products?brand=${encodeURIComponent(b.brand ?? "")}&issue=${encodeURIComponent(code)}`, b.brand ?? "–")), td(b.reviews, true), td(b.products, true)))))),
    h("h2", {}, "What customers say"),
    h("div", { id: "issue-quotes" }, quotes.map(quote)),
  );
}

async function changes(params) {
  setTitle("Changes");
  // In a period: the alerts of the runs that finished in it (a comparison does not apply).
  const w = windowOf(params);
  const days = new URLSearchParams(windowQuery(w));
  days.delete("compare");
  const { data } = await api(`/api/v1/changes${w ? `?${days}` : ""}`);
  const subject = (a) => (a.asin ? productLink(a.asin) : a.issue ? issueLink(a.issue, a.subject ?? a.issue) : h("span", {}, a.subject ?? a.brand ?? ""));
  const rows = (data.alerts ?? []).map((a) =>
    h(
      "tr",
      {},
      td(a.level ?? "product"),
      h("td", {}, subject(a)),
      td(a.brand ?? ""),
      td(a.kind ?? ""),
      td(a.before_n === undefined ? fmt(a.before) : `${fmt(a.before)} (${a.before_k}/${a.before_n})`, true),
      td(a.after_n === undefined ? fmt(a.after) : `${fmt(a.after)} (${a.after_k}/${a.after_n})`, true),
      h("td", { class: "n" }, delta(a.change)),
      td(a.evidence ?? ""),
    ),
  );
  const quotes = (data.alerts ?? []).flatMap((a) => (a.quotes ?? []).slice(0, 1).map((q) => h("div", {}, h("div", { class: "muted" }, a.subject ?? ""), quote({ text: q.text, rating: q.stars, language: q.language, review_id: q.asin }))));
  const rule = data.rule ? ` (${data.rule.min_change_points} points or more, at ${data.rule.confidence_pct} % confidence)` : "";
  const span = (from, to) => `${from ?? "the first run"} … ${to ?? "the last run"}`;
  show(
    h("h1", {}, "What got worse"),
    w ? h("p", { id: "window-shown", class: "window-shown" }, `Runs finished ${span(w.from, w.to)}: ${rows.length} alerts`) : null,
    w ? h("p", { class: "muted" }, `The alerts of every analysis run that finished in this period${w.compare ? "; the comparison with the period before does not apply here" : ""}.`) : null,
    w ? null : h("p", { class: "muted" }, data.base_run ? `Run ${data.current_run?.id} against run ${data.base_run.id}: the alerts analyze raised${rule}.` : data.current_run?.status === "unchanged" ? `Run ${data.current_run.id} found nothing new: no alerts.` : "Nothing to compare with yet."),
    rows.length ? table(["Level", "Subject", "Brand", "Kind", "Before#", "After#", "Change#", "Evidence"], rows) : h("p", {}, "No alerts."),
    quotes.length ? h("h2", {}, "New reviews behind them") : null,
    ...quotes,
  );
}

// ---- time windows: in the URL as period (30, 90, or custom with from/to) and compare ----------

const PERIODS = [
  ["", "All time"],
  ["30", "Last 30 days"],
  ["90", "Last 90 days"],
  ["custom", "From … to"],
];
const WINDOW_KEYS = ["period", "from", "to", "compare"];
const DAY_MS = 86400000;
const isDay = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s ?? "");

/** The window the URL asks for, as the API takes it ({from, to, compare}), or null: all time. */
function windowOf(params) {
  const period = params.get("period") ?? "";
  const compare = params.get("compare") === "previous";
  if (period === "30" || period === "90") {
    const to = new Date();
    const from = new Date(to.getTime() - (Number(period) - 1) * DAY_MS);
    return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10), compare };
  }
  const from = isDay(params.get("from")) ? params.get("from") : null;
  const to = isDay(params.get("to")) ? params.get("to") : null;
  if (period === "custom" && (from || to)) return { from, to, compare: compare && !!from };
  return null;
}

/** A window's API parameters ("" for all time). */
function windowQuery(w) {
  const q = new URLSearchParams();
  if (w?.from) q.set("from", w.from);
  if (w?.to) q.set("to", w.to);
  if (w?.compare) q.set("compare", "previous");
  return q.toString();
}

/** The window's part of a dashboard URL ("?period=…"), carried by links. */
function windowSuffix(params) {
  const q = new URLSearchParams();
  for (const k of WINDOW_KEYS) if (params.get(k)) q.set(k, params.get(k));
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** The window control in the header: period, custom days, comparison (every view takes one). */
function windowControl(params, enabled) {
  const slot = document.getElementById("window-slot");
  if (!enabled) return slot.replaceChildren();
  const period = params.get("period") ?? "";
  const custom = h("span", { class: "custom", hidden: period !== "custom" },
    h("input", { type: "date", name: "from", "aria-label": "From", value: params.get("from") ?? "" }), " … ",
    h("input", { type: "date", name: "to", "aria-label": "To", value: params.get("to") ?? "" }));
  const select = h("select", { name: "period", onchange: (e) => (custom.hidden = e.target.value !== "custom") },
    PERIODS.map(([v, l]) => h("option", { value: v, selected: v === period }, l)));
  const onsubmit = (e) => {
    e.preventDefault();
    const fd = new FormData(e.target);
    const p = new URLSearchParams(location.search);
    for (const k of [...WINDOW_KEYS, "cursor"]) p.delete(k);
    const chosen = fd.get("period");
    if (chosen) p.set("period", chosen);
    if (chosen === "custom") for (const k of ["from", "to"]) if (fd.get(k)) p.set(k, fd.get(k));
    if (chosen && fd.get("compare")) p.set("compare", "previous");
    const s = p.toString();
    navigate(`${location.pathname}${s ? `?${s}` : ""}`);
  };
  slot.replaceChildren(
    h("form", { id: "window", class: "window", "aria-label": "Time window", onsubmit },
      h("label", {}, "Reviews dated", select), custom,
      h("label", {}, h("input", { type: "checkbox", name: "compare", value: "previous", checked: params.get("compare") === "previous" }), "against the period before"),
      h("button", { type: "submit" }, "Apply")),
  );
}

/** "Reviews dated 2026-09-06 … 2026-12-04: 495 reviews (against …)": what a windowed view shows. */
function windowShown(r) {
  const span = (from, to) => `${from ?? "the first review"} … ${to ?? "the last review"}`;
  const against = r.previous_from ? ` (against ${span(r.previous_from, r.previous_to)})` : "";
  const empty = r.message ? ` — ${r.message}` : "";
  return h("p", { id: "window-shown", class: "window-shown" }, `Reviews dated ${span(r.from, r.to)}: ${r.reviews} reviews${against}${empty}`);
}

const stars2 = (v) => fmt(v, 2);
const gained = (v) => (v === null || v === undefined ? "–" : `+${fmt(v, 2)}`);

/** A window's headline figures (its first row) as cards. */
function windowCards(row, compared) {
  const f = row ?? {};
  const cards = [
    ["Reviews", f.reviews ?? 0],
    ["Avg rating", stars2(f.avg_rating)],
    ["% positive", pct(f.pct_positive)],
    ["% negative", pct(f.pct_negative)],
  ].map(([l, n]) => h("div", { class: "card" }, h("div", { class: "n" }, n), h("div", { class: "l" }, l)));
  if (compared) cards.push(h("div", { class: "card" }, h("div", { class: "n" }, delta(f.delta_pct_negative)), h("div", { class: "l" }, "Δ % negative against the period before")));
  return h("div", { class: "cards" }, cards);
}

/** A window's issues with their star impact (and, for one product, a quote each). */
function windowIssues(r, quotes) {
  const compared = !!r.previous_from;
  const headers = ["Issue", "Reviews#", "% of reviews#", "Avg ★ with#", "Avg ★ without#", "★ gained if fixed#"];
  if (compared) headers.push("Δ % of reviews#");
  if (quotes) headers.push("Quote");
  const rows = r.issues.map((i) =>
    h("tr", {}, h("td", {}, issueLink(i.code, i.label)), td(i.reviews, true), td(pct(i.share), true), td(stars2(i.avg_with), true), td(stars2(i.avg_without), true), td(gained(i.impact), true),
      compared ? h("td", { class: "n" }, delta(i.delta_share)) : null,
      quotes ? h("td", {}, (i.examples ?? []).slice(0, 1).map(quote)) : null),
  );
  return rows.length ? table(headers, rows) : h("p", { class: "muted" }, "No issues reported in this period.");
}

/** What customers liked in a window: reviews praising each aspect and their share. */
function windowLiked(r) {
  const compared = !!r.previous_from;
  const headers = ["Liked", "Reviews#", "% of reviews#"];
  if (compared) headers.push("Reviews before#", "Δ % of reviews#");
  headers.push("Quote");
  const rows = r.liked_aspects.slice(0, LIKED_SHOWN).map((a) =>
    h("tr", {}, td(a.term), td(a.reviews, true), td(pct(a.share), true),
      compared ? td(a.previous_reviews ?? 0, true) : null, compared ? h("td", { class: "n" }, delta(a.delta_share, true)) : null,
      h("td", {}, a.quote ? quote({ text: a.quote.text, rating: a.quote.stars, language: a.quote.language }) : "–")));
  return rows.length ? table(headers, rows) : h("p", { class: "muted" }, "No praise in this period.");
}

/** What customers complain about in a window: reviews naming each part, their share, what it costs
 * in stars, and when compared the reviews before and the change in share. */
function windowAspects(r) {
  const compared = !!r.previous_from;
  const headers = ["Complaint aspect", "Reviews#", "% of reviews#", "Avg ★ with#", "Avg ★ without#", "★ gained if fixed#"];
  if (compared) headers.push("Reviews before#", "Δ % of reviews#");
  const rows = (r.complaint_aspects ?? []).slice(0, LIKED_SHOWN).map((a) =>
    h("tr", {}, td(a.term), td(a.count, true), td(pct(a.share), true), td(stars2(a.avg_rating_with), true), td(stars2(a.avg_rating_without), true), td(gained(a.stars_gained), true),
      compared ? td(a.previous_count ?? 0, true) : null, compared ? h("td", { class: "n" }, delta(a.delta_share)) : null));
  return rows.length ? table(headers, rows) : h("p", { class: "muted" }, "No complaint aspects in this period.");
}

/** A window's liked and complaint aspects side by side; compared, one under the other: the
 * complaint aspects then have eight columns, too wide for half the page. */
function windowPraiseAndComplaints(r) {
  const liked = h("section", { id: "liked" }, h("h2", {}, "What customers liked in this period"), windowLiked(r));
  const complaints = h("section", { id: "complaint-aspects" }, h("h2", {}, "What customers complain about in this period"), windowAspects(r));
  return r.previous_from ? [liked, complaints] : h("div", { class: "grid2" }, liked, complaints);
}

/** Products or brands in a window: reviews, rating and shares, with changes when compared. */
function windowRows(r, keyCell) {
  const compared = !!r.previous_from;
  const headers = [r.view === "brands" ? "Brand" : "Product", "Reviews#", "Avg rating#", "% positive#", "% negative#"];
  if (compared) headers.push("Reviews before#", "Δ % negative#");
  return table(headers, r.rows.map((x) =>
    h("tr", {}, h("td", {}, keyCell(x.key)), td(x.reviews, true), td(stars2(x.avg_rating), true), td(pct(x.pct_positive), true), td(pct(x.pct_negative), true),
      compared ? td(x.previous?.reviews ?? 0, true) : null, compared ? h("td", { class: "n" }, delta(x.delta_pct_negative)) : null)));
}

async function windowPortfolio(w) {
  const q = windowQuery(w);
  const [{ data: r }, { data: brands }] = await Promise.all([api(`/api/v1/overview?${q}`), api(`/api/v1/brands?${q}&limit=500`)]);
  show(
    h("h1", {}, "Portfolio"),
    windowShown(r),
    windowCards(r.rows[0], !!r.previous_from),
    h("section", { id: "top-issues" }, h("h2", {}, "Top issues in this period and what each costs in stars"), windowIssues(r, true)),
    windowPraiseAndComplaints(r),
    r.breakdowns ? breakdowns(r.breakdowns) : null,
    h("section", { id: "brands" }, h("h2", {}, "Brands"), windowRows(brands, brandLink)),
  );
}

/** One issue in a window: its figures in the period, its products and brands, and quotes. */
async function windowIssue(code, w) {
  const q = windowQuery(w);
  const [{ data: d }, { data: r }] = await Promise.all([api(`/api/v1/issues/${encodeURIComponent(code)}?${q}`), api(`/api/v1/issues?${q}&limit=500`)]);
  setTitle(d.label);
  const i = r.issues.find((x) => x.code === code);
  const suffix = windowSuffix(new URLSearchParams(location.search)).slice(1);
  const figures = i ? `: ${pct(i.share)} of reviews, ★ ${stars2(i.avg_with)} with it against ${stars2(i.avg_without)} without, ${gained(i.impact)} ★ if fixed` : "";
  const change = i && r.previous_from && i.delta_share !== null ? `, ${i.delta_share > 0 ? "+" : ""}${fmt(i.delta_share, 1)} points against the period before` : "";
  // Compared: each brand's and product's reviews before and the change in its share.
  const shareChange = d.previous_from ? ["Reviews before#", "Δ % of its reviews#"] : [];
  const changeCells = (x) => (d.previous_from ? [td(x.previous_reviews ?? 0, true), h("td", { class: "n" }, delta(x.delta_share))] : []);
  show(
    h("h1", {}, d.label),
    windowShown(r),
    h("p", { id: "issue-window", class: "muted" }, `${d.reviews} reviews in ${d.products} products in this period${figures}${change}`),
    h("div", { class: "grid2" },
      h("section", { id: "issue-products" }, h("h2", {}, "Products"), table(["Product", "Brand", "Reviews reporting it#", "% of its reviews#", ...shareChange], d.top_products.map((p) => h("tr", {}, h("td", {}, productLink(p.asin)), td(p.brand ?? ""), td(p.reviews, true), td(pct(p.share), true), ...changeCells(p))))),
      h("section", { id: "issue-brands" }, h("h2", {}, "Brands"), table(["Brand", "Reviews reporting it#", "Products#", "% of its reviews#", ...shareChange], d.brands.map((b) => h("tr", {}, h("td", {}, link(`/products?brand=${encodeURIComponent(b.brand)}&${suffix}`, b.brand)), td(b.reviews, true), td(b.products, true), td(pct(b.share), true), ...changeCells(b)))))),
    h("h2", {}, "What customers say in this period"),
    ...(i?.examples ?? []).map((x) => quote(x)),
    i?.examples?.length ? null : h("p", { class: "muted" }, "No quote in this period."),
  );
}

async function windowProducts(w, params) {
  const query = new URLSearchParams(windowQuery(w));
  // With a window the API filters products by brand and minimum reviews only.
  for (const k of ["brand", "min_reviews", "sort", "order", "limit", "cursor"]) for (const v of params.getAll(k)) if (v !== "") query.append(k, v);
  const page = await api(`/api/v1/products?${query}`);
  const r = page.data;
  const ignored = ["q", "issue", "marketplace", "min_rating", "max_rating", "sentiment"].filter((k) => params.get(k));
  const pager = h(
    "div",
    { class: "pager" },
    h("span", { id: "total" }, `${page.meta.total} products with reviews in this period`),
    params.get("cursor") ? h("button", { type: "button", onclick: () => history.back() }, "← Previous") : null,
    page.meta.next_cursor ? h("button", { type: "button", id: "next", onclick: () => navigate(withParams(params, { cursor: page.meta.next_cursor })) }, "Next →") : null,
  );
  show(
    h("h1", {}, "Products"),
    windowShown(r),
    ignored.length ? h("p", { class: "muted" }, `In a period the list is filtered by brand and minimum reviews only (not by ${ignored.join(", ")}).`) : null,
    pager,
    windowRows(r, (asin) => productLink(asin)),
  );
}

async function windowProduct(asin, w, params) {
  const q = windowQuery(w);
  const id = encodeURIComponent(asin);
  const rq = new URLSearchParams(q);
  rq.delete("compare");
  rq.set("limit", "20");
  if (params.get("cursor")) rq.set("cursor", params.get("cursor"));
  const [{ data: r }, reviews] = await Promise.all([api(`/api/v1/products/${id}?${q}`), api(`/api/v1/products/${id}/reviews?${rq}`)]);
  const key = r.rows[0]?.key ?? asin;
  setTitle(key);
  const reviewRows = reviews.data.map((x) =>
    h("tr", {}, td(x.review_date ?? "–"), td(x.rating ?? "–", true), td(x.sentiment ?? ""), td(x.language ?? ""), h("td", {}, x.title ? h("strong", {}, x.title) : null, h("div", {}, x.text ?? "")), h("td", {}, (x.issues ?? []).map((i) => h("span", { class: "tag" }, i.code ?? i)))));
  show(
    h("p", {}, link(`/products${windowSuffix(params)}`, "← Products")),
    h("h1", {}, key),
    windowShown(r),
    windowCards(r.rows[0], !!r.previous_from),
    h("h2", {}, "Issues in this period"),
    windowIssues(r, true),
    windowPraiseAndComplaints(r),
    r.breakdowns ? breakdowns(r.breakdowns) : null,
    h("h2", { id: "window-reviews" }, `Reviews in this period (${reviews.meta.total})`),
    table(["Date", "Stars#", "Sentiment", "Lang", "Review", "Issues"], reviewRows),
    h("div", { class: "pager" },
      params.get("cursor") ? h("button", { type: "button", onclick: () => history.back() }, "← Previous") : null,
      reviews.meta.next_cursor ? h("button", { type: "button", onclick: () => navigate(withParams(params, { cursor: reviews.meta.next_cursor })) }, "Next →") : null),
  );
}

/** One brand: the same view all time and in a window (the API gives one shape for both). */
async function brandPage(name, params) {
  const w = windowOf(params);
  const q = windowQuery(w);
  const { data: d } = await api(`/api/v1/brands/${encodeURIComponent(name)}${q ? `?${q}` : ""}`);
  setTitle(d.brand);
  const s = d.summary;
  const compared = !!d.previous_from;
  const cards = [
    ["Products", s.products],
    ["Reviews", s.reviews],
    ["Avg rating", stars2(s.avg_rating)],
    ["% positive", pct(s.pct_positive)],
    ["% negative", pct(s.pct_negative)],
  ].map(([l, n]) => h("div", { class: "card" }, h("div", { class: "n" }, n), h("div", { class: "l" }, l)));
  const since = w ? (compared ? "against the period before" : null) : "since the previous run";
  if (since) cards.push(h("div", { class: "card", id: "brand-neg-delta" }, h("div", { class: "n" }, delta(s.neg_delta)), h("div", { class: "l" }, `Δ % negative ${since}`)));
  const r = { ...d, reviews: s.reviews };
  const points = d.trend.length
    ? d.trend.map((m) => ({ label: m.month, neg: m.pct_negative, avg: m.avg_rating }))
    : d.history.map((x) => ({ label: `run ${x.run_id}`, neg: x.pct_negative, avg: x.avg_rating }));
  const trend = points.length
    ? h("section", { id: "brand-trend" }, h("h2", {}, d.trend.length ? "By month" : "By analysis run"), lineChart(points, [{ key: "neg", name: "% negative", max: 100 }, { key: "avg", name: "avg rating", max: 5 }], { label: "% negative (red) and average rating (blue)" }))
    : null;
  // A window's products have no top issue: no column of dashes.
  const topIssue = d.products.some((p) => p.top_issue);
  const products = table(
    ["Product", "Reviews#", "Avg rating#", "% negative#", "Attention#", topIssue ? "Top issue" : null].filter(Boolean),
    d.products.map((p) =>
      h("tr", {}, h("td", {}, productLink(p.asin), p.title ? h("div", { class: "muted" }, p.title) : null), td(p.reviews, true), td(stars2(p.avg_rating), true), td(pct(p.pct_negative), true), td(fmt(p.attention), true), topIssue ? td(p.top_issue) : null),
    ),
  );
  const praise = d.mentioned_in_praise.length
    ? h("p", { class: "muted" }, "Mentioned in praise only: ", d.mentioned_in_praise.map((i) => `${i.label} (${i.reviews})`).join(", "))
    : null;
  // All time, an empty list is not "in this period".
  const none = (text) => h("p", { class: "muted" }, text);
  const liked = h("section", { id: "liked" }, h("h2", {}, "What customers like"), w || d.liked_aspects.length ? windowLiked(r) : none("No praise."));
  const complaints = h("section", { id: "complaint-aspects" }, h("h2", {}, "What customers complain about"), w || d.complaint_aspects.length ? windowAspects(r) : none("No complaint aspects."));
  show(
    h("p", {}, link(`/${windowSuffix(params)}`, "← Portfolio")),
    h("h1", {}, d.brand),
    w ? windowShown(r) : null,
    h("div", { class: "cards" }, cards),
    h("section", { id: "brand-issues" }, h("h2", {}, "Top issues and what each costs in stars"), w || d.issues.length ? windowIssues(r, true) : none("No issues reported."), praise),
    compared ? [liked, complaints] : h("div", { class: "grid2" }, liked, complaints),
    breakdowns(d.breakdowns),
    h("div", { class: "grid2" }, trend, h("section", { id: "brand-products" }, h("h2", {}, "Products that need attention first"), products)),
  );
}

// ---- routing: the state lives in the URL ------------------------------------------------------

async function render() {
  const path = location.pathname.replace(/\/+$/, "") || "/";
  const params = new URLSearchParams(location.search);
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const view = parts[0] ?? "portfolio";
  for (const a of document.querySelectorAll("[data-nav]")) {
    if (a.dataset.nav === (view === "issues" || view === "brands" ? "portfolio" : view)) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
    // The window goes with every view.
    if (!a.dataset.base) a.dataset.base = a.getAttribute("href");
    a.setAttribute("href", a.dataset.base + windowSuffix(params));
  }
  windowControl(params, true);
  try {
    if (view === "portfolio") await portfolio(params);
    else if (view === "products" && parts[1]) await product(parts[1], params);
    else if (view === "products") await products(params);
    else if (view === "issues" && parts[1]) await issue(parts[1], params);
    else if (view === "brands" && parts[1]) await brandPage(parts[1], params);
    else if (view === "changes") await changes(params);
    else show(h("h1", {}, "Not found"), h("p", {}, link("/", "Back to the portfolio")));
  } catch (e) {
    show(h("h1", {}, "Something went wrong"), h("p", { class: "error" }, String(e.message ?? e)));
  }
  document.body.dataset.ready = "1";
}

function navigate(url) {
  history.pushState(null, "", url);
  render().then(() => main.focus({ preventScroll: false }));
}

document.addEventListener("click", (e) => {
  const a = e.target.closest?.("a[data-link]");
  if (!a || e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  navigate(a.getAttribute("href"));
});
for (const a of document.querySelectorAll("[data-nav]")) a.dataset.link = "";
window.addEventListener("popstate", render);
render();
