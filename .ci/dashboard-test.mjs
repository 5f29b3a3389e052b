// The dashboard in a real browser (Debian's chromium, driven by playwright-core over CDP) against
// a real `prodinsight serve` on the sample data plus one hostile review. Usage:
//   node dashboard-test.mjs BASE_URL SCREENSHOT_DIR
// Every check compares what the page shows with what the API says; any failure exits 1.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [base, shots] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};
const api = async (path) => (await fetch(base + path)).json();

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const consoleErrors = [];
async function newPage(viewport) {
  const page = await browser.newPage({ viewport });
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  page.on("dialog", (d) => {
    consoleErrors.push(`dialog opened: ${d.message()}`);
    d.dismiss();
  });
  return page;
}
const ready = (page) => page.waitForSelector("body[data-ready='1']");
async function go(page, path) {
  await page.evaluate(() => delete document.body.dataset.ready).catch(() => {});
  await page.goto(base + path);
  await ready(page);
}
async function after(page, action) {
  await page.evaluate(() => delete document.body.dataset.ready);
  await action();
  await ready(page);
}

try {
  const page = await newPage({ width: 1280, height: 900 });

  // Portfolio: the headline numbers are the API's.
  const t0 = Date.now();
  await go(page, "/");
  const loadMs = Date.now() - t0;
  const overview = (await api("/api/v1/overview")).data;
  const cards = await page.$$eval(".card .n", (els) => els.map((e) => e.textContent));
  check(cards[0] === String(overview.summary.reviews), `portfolio shows ${overview.summary.reviews} reviews (${cards[0]})`);
  check(cards[1] === String(overview.summary.products), `portfolio shows ${overview.summary.products} products (${cards[1]})`);
  check((await page.locator("main table").first().locator("tbody tr").count()) === overview.attention.length, "attention list has the API's rows");
  // The change since the previous run: the API's, or on the first run words saying there is none.
  const negDelta = await page.locator("#neg-delta .n").textContent();
  const firstRun = overview.summary.previous_run_id === null && overview.summary.run_id !== null;
  check(firstRun ? negDelta === "first run: no previous run" : negDelta !== "", `Δ % negative card says ${JSON.stringify(negDelta)} (previous run ${overview.summary.previous_run_id})`);
  // What customers like: the API's first ten aspects, in its order, with its counts, shares and quotes.
  const likedShown = await page.$$eval("#liked tbody tr", (trs) =>
    trs.map((tr) => {
      const c = tr.querySelectorAll("td");
      return { term: c[0].textContent, count: c[1].textContent, share: c[2].textContent, text: c[3].querySelector(".quote > div")?.textContent ?? "", meta: c[3].querySelector(".meta")?.textContent ?? "" };
    }),
  );
  const likedApi = overview.liked_aspects.slice(0, 10).map((a) => ({
    term: a.term,
    count: String(a.count),
    share: `${a.share.toFixed(1)} %`,
    text: a.quote?.text ?? "",
    meta: a.quote ? [a.quote.stars ? `${"★".repeat(a.quote.stars)} ${a.quote.stars}/5` : null, a.quote.language].filter(Boolean).join(" · ") : "",
  }));
  check(likedApi.length > 0 && JSON.stringify(likedShown) === JSON.stringify(likedApi), `portfolio shows what customers like as the API (${likedShown.map((a) => `${a.term} ${a.count}`).join(", ")})`);
  check(likedShown.every((a) => /★+ \d\/5 · [a-z]{2}/.test(a.meta)), "each liked aspect's quote shows its stars and language");
  // Top issues: each one's star impact as the API gives it ("–" where the API has none).
  const stars = (v) => (v === null || v === undefined ? "–" : Number(v).toFixed(2));
  const issuesShown = await page.$$eval("#top-issues tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)));
  const issuesApi = overview.issues.map((i) => [i.label, String(i.reviews), stars(i.avg_rating_with), stars(i.avg_rating_without), i.stars_gained === null || i.stars_gained === undefined ? "–" : `+${stars(i.stars_gained)}`]);
  const issuesCut = issuesShown.map((c) => [c[0], c[1], c[5], c[6], c[7]]);
  check(issuesApi.length > 0 && JSON.stringify(issuesCut) === JSON.stringify(issuesApi), `portfolio shows each top issue's star impact as the API (${issuesCut.slice(0, 3).map((c) => `${c[0]} ${c[4]}`).join(", ")})`);
  check(issuesApi.some((c) => c[4] !== "–"), "the sample data has issues with a star impact");
  // The portfolio's reviews by language and by marketplace.
  const breakdownRows = async (i) => page.$$eval(`.breakdowns section:nth-child(${i}) tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].slice(0, 3).map((td) => td.textContent)));
  const asRows = (list) => list.map((r) => [r.key, String(r.reviews), r.pct_negative === null ? "–" : `${r.pct_negative.toFixed(1)} %`]);
  const byLanguage = await breakdownRows(1);
  check(byLanguage.length > 1 && JSON.stringify(byLanguage) === JSON.stringify(asRows(overview.breakdowns.by_language)), `portfolio shows its reviews by language as the API (${byLanguage.map((r) => r[0])})`);
  const byMarketplace = await breakdownRows(2);
  check(byMarketplace.length > 1 && JSON.stringify(byMarketplace) === JSON.stringify(asRows(overview.breakdowns.by_marketplace)), `portfolio shows its reviews by marketplace as the API (${byMarketplace.map((r) => r[0])})`);
  await page.screenshot({ path: `${shots}/portfolio.png`, fullPage: true });
  console.log(`portfolio interactive in ${loadMs} ms`);

  // Products: a brand filter, then an issue filter, change the grid to the API's rows.
  const brand = (await api("/api/v1/brands?sort=reviews")).data[0].brand;
  await go(page, "/products");
  await after(page, async () => {
    await page.selectOption("select[name=brand]", [brand]);
    await page.click("form.filters button[type=submit]");
  });
  const byBrand = await api(`/api/v1/products?brand=${encodeURIComponent(brand)}`);
  const shown = await page.$$eval("main table tbody tr td:first-child a", (as) => as.map((a) => a.textContent));
  check(JSON.stringify(shown) === JSON.stringify(byBrand.data.map((p) => p.asin)), `brand filter ${brand}: ${shown.length} rows as the API's ${byBrand.data.length}`);
  check(new URL(page.url()).searchParams.get("brand") === brand, "the brand filter is in the URL");
  const issueCode = (await api("/api/v1/issues")).data[0].code;
  await after(page, async () => {
    await page.selectOption("select[name=issue]", issueCode);
    await page.click("form.filters button[type=submit]");
  });
  const byBoth = await api(`/api/v1/products?brand=${encodeURIComponent(brand)}&issue=${issueCode}`);
  const shown2 = await page.$$eval("main table tbody tr td:first-child a", (as) => as.map((a) => a.textContent));
  check(JSON.stringify(shown2) === JSON.stringify(byBoth.data.map((p) => p.asin)), `brand + issue ${issueCode}: ${shown2.length} rows as the API's`);
  const filteredUrl = page.url();
  await page.screenshot({ path: `${shots}/products-filtered.png`, fullPage: true });

  // Paging reaches the last product, one request per page.
  await go(page, "/products?limit=10&sort=asin&order=asc");
  const total = (await api("/api/v1/products?limit=1")).meta.total;
  const seen = [];
  for (let i = 0; i < 100; i++) {
    seen.push(...(await page.$$eval("main table tbody tr td:first-child a", (as) => as.map((a) => a.textContent))));
    if (!(await page.$("#next"))) break;
    await after(page, () => page.click("#next"));
  }
  check(seen.length === total && new Set(seen).size === total, `paging visits all ${total} products once (${seen.length})`);

  // A product: chart, quotes; back restores the filtered grid.
  await go(page, filteredUrl.replace(base, ""));
  const first = await page.$eval("main table tbody tr td:first-child a", (a) => a.textContent);
  await after(page, () => page.click("main table tbody tr td:first-child a"));
  check(page.url().endsWith(`/products/${first}`), `opening ${first} changes the URL`);
  check((await page.$$("svg.chart")).length >= 1, "the product shows its charts");
  check((await page.$$("blockquote.quote")).length >= 1, "the product shows quotes");
  const meta = await page.$eval("blockquote.quote .meta", (e) => e.textContent);
  check(/★+☆* \d\/5 · [a-z]{2}/.test(meta), `each quote shows its stars and language (${meta})`);
  const detail = (await api(`/api/v1/products/${encodeURIComponent(first)}`)).data;
  const langRows = await page.$$eval(".breakdowns section:first-child tbody tr td:first-child", (tds) => tds.map((t) => t.textContent));
  check(JSON.stringify(langRows) === JSON.stringify(detail.breakdowns.by_language.map((r) => r.key)), `the product shows its reviews by language (${langRows})`);
  const marketRows = await page.$$(".breakdowns section:last-child tbody tr");
  check(marketRows.length === detail.breakdowns.by_marketplace.length && marketRows.length > 0, "the product shows its reviews by marketplace");
  await page.screenshot({ path: `${shots}/product.png`, fullPage: true });
  await after(page, () => page.goBack());
  check(page.url() === filteredUrl, "back restores the filtered grid's URL");
  const back = await page.$$eval("main table tbody tr td:first-child a", (as) => as.map((a) => a.textContent));
  check(JSON.stringify(back) === JSON.stringify(shown2), "back restores the filtered rows");

  // The hostile review shows its characters, runs nothing.
  await go(page, "/products/B0XSS00001");
  const text = await page.textContent("main");
  check(text.includes("<img src=x onerror=alert(1)>"), "the XSS review renders as text");
  check((await page.$$("main img")).length === 0, "no element was made from review text");
  await page.screenshot({ path: `${shots}/xss-product.png`, fullPage: true });

  // Time windows: the header's control puts the window in the URL, links keep it, and each view
  // shows the API's figures for the window.
  const W = "from=2026-07-01&to=2026-09-30&compare=previous";
  await go(page, `/?period=custom&${W}`);
  const win = (await api(`/api/v1/overview?${W}`)).data;
  const shownWin = await page.textContent("#window-shown");
  check(shownWin.includes(`2026-07-01 … 2026-09-30: ${win.reviews} reviews`) && shownWin.includes(`against ${win.previous_from} … ${win.previous_to}`), `the portfolio says which window it shows (${shownWin})`);
  const winCards = await page.$$eval(".card .n", (els) => els.map((e) => e.textContent));
  check(winCards[0] === String(win.rows[0].reviews) && winCards[3] === `${win.rows[0].pct_negative.toFixed(1)} %`, `the window's cards are the API's (${winCards.join(", ")})`);
  const winIssues = await page.$$eval("#top-issues tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].slice(0, 2).map((c) => c.textContent)));
  check(win.issues.length > 0 && JSON.stringify(winIssues) === JSON.stringify(win.issues.map((i) => [i.label, String(i.reviews)])), `the window's issues are the API's (${winIssues.length})`);
  const winLiked = await page.$$eval("#liked tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].slice(0, 2).map((c) => c.textContent)));
  check(JSON.stringify(winLiked) === JSON.stringify(win.liked_aspects.slice(0, 10).map((a) => [a.term, String(a.reviews)])), "the window's liked aspects are the API's");
  // Each with its quote from the window, with stars and language, as all-time liked aspects.
  const winLikedQuotes = await page.$$eval("#liked tbody tr", (trs) => trs.map((tr) => [tr.querySelector(".quote > div")?.textContent ?? "", tr.querySelector(".quote .meta")?.textContent ?? ""]));
  const wantLikedQuotes = win.liked_aspects.slice(0, 10).map((a) => [a.quote?.text ?? "", a.quote ? [a.quote.stars ? `${"★".repeat(a.quote.stars)} ${a.quote.stars}/5` : null, a.quote.language].filter(Boolean).join(" · ") : ""]);
  check(win.liked_aspects.length > 0 && win.liked_aspects.every((a) => a.quote) && JSON.stringify(winLikedQuotes) === JSON.stringify(wantLikedQuotes), `the window's liked aspects quote the API's reviews with stars and language (${JSON.stringify(winLikedQuotes[0])})`);
  const winAspects = await page.$$eval("#complaint-aspects tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].slice(0, 2).map((c) => c.textContent)));
  check(win.complaint_aspects.length > 0 && JSON.stringify(winAspects) === JSON.stringify(win.complaint_aspects.slice(0, 10).map((a) => [a.term, String(a.count)])), `the window's complaint aspects are the API's (${winAspects.length})`);
  // Compared, each complaint aspect shows its share, its reviews before and the change in share.
  const signed = (v) => (v === null || v === undefined ? "–" : `${v > 0 ? "+" : ""}${v.toFixed(1)}`);
  const winAspectChanges = await page.$$eval("#complaint-aspects tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((c) => c.textContent)).map((c) => [c[2], c[6], c[7]]));
  const wantAspectChanges = win.complaint_aspects.slice(0, 10).map((a) => [`${a.share.toFixed(1)} %`, String(a.previous_count), signed(a.delta_share)]);
  check(win.complaint_aspects.some((a) => a.delta_share) && JSON.stringify(winAspectChanges) === JSON.stringify(wantAspectChanges), `the window's complaint aspects show the API's change against the period before (${JSON.stringify(winAspectChanges[0])})`);
  const winQuote = await page.$eval("#top-issues tbody tr blockquote", (b) => b.textContent).catch(() => "");
  check(win.issues[0].examples?.length > 0 && winQuote.includes(win.issues[0].examples[0].text), `the window's top issue quotes a review of the period (${winQuote.slice(0, 60)})`);
  const control = await page.$eval("#window", (f) => [f.period.value, f.from.value, f.to.value, f.compare.checked]);
  check(JSON.stringify(control) === JSON.stringify(["custom", "2026-07-01", "2026-09-30", true]), `the control shows the window (${control})`);
  // The window's reviews by language and by marketplace, summed from the brands' days.
  const winPortfolioLanguage = await breakdownRows(1);
  check(winPortfolioLanguage.length > 1 && JSON.stringify(winPortfolioLanguage) === JSON.stringify(asRows(win.breakdowns.by_language)), `the portfolio shows its window's reviews by language as the API (${winPortfolioLanguage.map((r) => r[0])})`);
  const winPortfolioMarket = await breakdownRows(2);
  check(winPortfolioMarket.length > 1 && JSON.stringify(winPortfolioMarket) === JSON.stringify(asRows(win.breakdowns.by_marketplace)), `the portfolio shows its window's reviews by marketplace as the API (${winPortfolioMarket.map((r) => r[0])})`);
  await page.screenshot({ path: `${shots}/portfolio-window.png`, fullPage: true });
  await after(page, async () => {
    await page.selectOption("#window select[name=period]", "90");
    await page.uncheck("#window input[name=compare]");
    await page.click("#window button[type=submit]");
  });
  const url90 = new URL(page.url());
  check(url90.searchParams.get("period") === "90" && !url90.searchParams.get("compare"), `the control puts the window in the URL (${url90.search})`);
  const to90 = new Date().toISOString().slice(0, 10);
  const from90 = new Date(Date.now() - 89 * 86400000).toISOString().slice(0, 10);
  const q90 = `from=${from90}&to=${to90}`;
  const win90 = (await api(`/api/v1/overview?${q90}`)).data;
  const shown90 = await page.textContent("#window-shown");
  check(win90.reviews > 0 && shown90.includes(`${from90} … ${to90}: ${win90.reviews} reviews`), `last 90 days: ${shown90}`);
  await after(page, () => page.click("nav a[data-nav=products]"));
  check(new URL(page.url()).searchParams.get("period") === "90", "the Products link keeps the window");
  const winProducts = (await api(`/api/v1/products?${q90}`)).data.rows.map((r) => r.key);
  const shownProducts = await page.$$eval("main table tbody tr td:first-child a", (as) => as.map((a) => a.textContent));
  check(winProducts.length > 0 && JSON.stringify(shownProducts) === JSON.stringify(winProducts), `the products in the window are the API's (${shownProducts.length})`);
  await after(page, () => page.click("main table tbody tr td:first-child a"));
  const asin90 = shownProducts[0];
  check(new URL(page.url()).searchParams.get("period") === "90", `a product opened in the window keeps it (${page.url()})`);
  const p90 = (await api(`/api/v1/products/${asin90}?${q90}`)).data;
  const r90 = await api(`/api/v1/products/${asin90}/reviews?${q90}&limit=1`);
  check((await page.textContent("#window-reviews")) === `Reviews in this period (${r90.meta.total})`, `the product lists its ${r90.meta.total} reviews of the window`);
  const quoted = p90.issues.filter((i) => (i.examples ?? []).length).length;
  // Its issues' quotes, and the first ten liked aspects' (each with one from the window).
  const likedQuoted = p90.liked_aspects.slice(0, 10).filter((a) => a.quote).length;
  check((await page.$$("main table blockquote.quote")).length === quoted + likedQuoted, `the product quotes each issue and liked aspect of the window (${quoted} + ${likedQuoted})`);
  const aspects = await page.$$eval("#complaint-aspects tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].slice(0, 2).map((c) => c.textContent)));
  check(JSON.stringify(aspects) === JSON.stringify((p90.complaint_aspects ?? []).slice(0, 10).map((a) => [a.term, String(a.count)])), `the product's complaint aspects are the window's (${aspects.length})`);
  // Its reviews of the window by language and by marketplace, as the API counts them.
  const winByLanguage = await breakdownRows(1);
  check(winByLanguage.length > 0 && JSON.stringify(winByLanguage) === JSON.stringify(asRows(p90.breakdowns.by_language)), `the product shows its window's reviews by language as the API (${winByLanguage.map((r) => r[0])})`);
  const winByMarketplace = await breakdownRows(2);
  check(winByMarketplace.length > 0 && JSON.stringify(winByMarketplace) === JSON.stringify(asRows(p90.breakdowns.by_marketplace)), `the product shows its window's reviews by marketplace as the API (${winByMarketplace.map((r) => r[0])})`);
  await page.screenshot({ path: `${shots}/product-window.png`, fullPage: true });
  // A product in a compared window: each complaint aspect with its share, what it costs in stars,
  // its reviews before and the change in share, as the portfolio shows them.
  await go(page, `/products/B08C0F4912?period=custom&${W}`);
  const pw = (await api(`/api/v1/products/B08C0F4912?${W}`)).data;
  const pwAspects = await page.$$eval("#complaint-aspects tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((c) => c.textContent)));
  const wantPw = pw.complaint_aspects.slice(0, 10).map((a) => [a.term, String(a.count), `${a.share.toFixed(1)} %`, a.stars_gained === null ? "–" : `+${a.stars_gained.toFixed(2)}`, String(a.previous_count), signed(a.delta_share)]);
  const shownPw = pwAspects.map((c) => [c[0], c[1], c[2], c[5], c[6], c[7]]);
  check(pw.complaint_aspects.some((a) => a.delta_share) && JSON.stringify(shownPw) === JSON.stringify(wantPw), `the compared product's complaint aspects show the API's change against the period before (${JSON.stringify(shownPw[0])})`);
  // Its liked aspects show their reviews before; more praise is good news, never coloured as a rise in complaints.
  const pwLiked = await page.$$eval("#liked tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((c) => [c.textContent, c.querySelector("span")?.className ?? ""])));
  const wantLiked = pw.liked_aspects.slice(0, 10).map((a) => [String(a.previous_reviews), signed(a.delta_share), a.delta_share > 0 ? "down" : a.delta_share < 0 ? "up" : "muted"]);
  const shownLiked = pwLiked.map((c) => [c[3][0], c[4][0], c[4][1]]);
  check(pw.liked_aspects.some((a) => a.delta_share > 0) && JSON.stringify(shownLiked) === JSON.stringify(wantLiked), `the compared product's liked aspects show reviews before, and more praise as good news (${JSON.stringify(shownLiked[0])})`);
  await page.screenshot({ path: `${shots}/product-window-compared.png`, fullPage: true });
  await go(page, `/products/${asin90}?period=90`);
  await after(page, async () => {
    await page.selectOption("#window select[name=period]", "");
    await page.click("#window button[type=submit]");
  });
  check(!new URL(page.url()).searchParams.get("period") && !(await page.$("#window-shown")), "all time again: no window in the URL or the page");

  // The issue and changes views honour the window too: an issue opened from the windowed
  // portfolio keeps it and shows the period's figures, products, brands and quotes (the API's);
  // the changes view lists the alerts of the runs that finished in the period.
  await go(page, `/?period=custom&${W}`);
  const wi = win.issues[0];
  await after(page, () => page.click("#top-issues tbody tr:first-child td:first-child a"));
  const issueUrl = new URL(page.url());
  check(issueUrl.pathname === `/issues/${wi.code}` && issueUrl.searchParams.get("period") === "custom" && issueUrl.searchParams.get("from") === "2026-07-01", `an issue opened in the window keeps it (${page.url()})`);
  const wd = (await api(`/api/v1/issues/${wi.code}?${W}`)).data;
  const issueShown = await page.textContent("#issue-window");
  check(wd.reviews === wi.reviews && issueShown.startsWith(`${wd.reviews} reviews in ${wd.products} products in this period`), `the issue's figures are the window's (${issueShown})`);
  const wProducts = await page.$$eval("#issue-products tbody tr td:first-child a", (as) => as.map((a) => a.textContent));
  check(wProducts.length > 0 && JSON.stringify(wProducts) === JSON.stringify(wd.top_products.map((x) => x.asin)), `the issue's products in the window are the API's (${wProducts.length})`);
  const wBrands = await page.$$eval("#issue-brands tbody tr td:first-child a", (as) => as.map((a) => a.textContent));
  check(wBrands.length > 0 && JSON.stringify(wBrands) === JSON.stringify(wd.brands.map((b) => b.brand)), `the issue's brands in the window are the API's (${wBrands.length})`);
  // Compared, each brand of the issue shows its share, its reviews before and the change in share.
  const wBrandChanges = await page.$$eval("#issue-brands tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].slice(3).map((c) => c.textContent)));
  const wantBrandChanges = wd.brands.map((b) => [b.share === null ? "–" : `${b.share.toFixed(1)} %`, String(b.previous_reviews), signed(b.delta_share)]);
  check(wd.previous_from && JSON.stringify(wBrandChanges) === JSON.stringify(wantBrandChanges), `the issue's brands show the API's change against the period before (${JSON.stringify(wBrandChanges[0])})`);
  const wQuotes = await page.$$eval("main blockquote.quote > div:first-child", (ds) => ds.map((d) => d.textContent));
  check(wQuotes.length > 0 && JSON.stringify(wQuotes) === JSON.stringify((wi.examples ?? []).map((x) => x.text)), `the issue quotes the window's reviews (${wQuotes.length})`);
  check(!!(await page.$("#window")) && (await page.$eval("#window", (f) => f.period.value)) === "custom", "the issue view has the window control, set to the window");
  await page.screenshot({ path: `${shots}/issue-window.png`, fullPage: true });
  await after(page, () => page.click("nav a[data-nav=changes]"));
  check(new URL(page.url()).searchParams.get("from") === "2026-07-01", `the Changes link keeps the window (${page.url()})`);
  const wc = (await api("/api/v1/changes?from=2026-07-01&to=2026-09-30")).data;
  const changesShown = await page.textContent("#window-shown");
  check(changesShown === `Runs finished 2026-07-01 … 2026-09-30: ${(wc.alerts ?? []).length} alerts`, `the changes view says which runs it lists (${changesShown})`);
  await page.screenshot({ path: `${shots}/changes-window.png`, fullPage: true });

  // A brand's page: opened from the portfolio's brand list, it shows what the API's brand detail says.
  await go(page, "/");
  const firstBrand = overview.brands[0].brand;
  await after(page, () => page.click(`main table a[href^="/brands/"]`));
  check(decodeURIComponent(new URL(page.url()).pathname) === `/brands/${firstBrand}`, `the portfolio's brand list links to the brand's page (${page.url()})`);
  const bd = (await api(`/api/v1/brands/${encodeURIComponent(firstBrand)}`)).data;
  check((await page.textContent("h1")) === bd.brand, `the brand page is headed ${bd.brand}`);
  const bCards = await page.$$eval(".card .n", (els) => els.map((e) => e.textContent));
  check(bCards[0] === String(bd.summary.products) && bCards[1] === String(bd.summary.reviews), `the brand page shows the API's products and reviews (${bCards.slice(0, 2)})`);
  const bIssues = await page.$$eval("#brand-issues tbody tr td:first-child a", (as) => as.map((a) => a.textContent));
  check(bIssues.length > 0 && JSON.stringify(bIssues) === JSON.stringify(bd.issues.map((i) => i.label)), `the brand's top issues are the API's (${bIssues.length})`);
  const bQuotes = await page.$$eval("#brand-issues blockquote.quote .meta", (ms) => ms.map((m) => m.textContent));
  check(bQuotes.length > 0 && bQuotes.every((m) => /★+ \d\/5 · [a-z]{2}/.test(m)), `each brand issue's quote shows its stars and language (${bQuotes[0]})`);
  const bProducts = await page.$$eval("#brand-products tbody tr td:first-child a", (as) => as.map((a) => a.textContent));
  check(bProducts.length > 0 && JSON.stringify(bProducts) === JSON.stringify(bd.products.map((x) => x.asin)), `the brand's products by attention are the API's (${bProducts.length})`);
  const bLiked = await page.$$eval("#liked tbody tr td:first-child", (tds) => tds.map((t) => t.textContent));
  check(bLiked.length > 0 && JSON.stringify(bLiked) === JSON.stringify(bd.liked_aspects.slice(0, 10).map((a) => a.term)), `the brand's liked aspects are the API's (${bLiked.length})`);
  const bLang = await page.$$eval(".breakdowns section:nth-child(1) tbody tr td:first-child", (tds) => tds.map((t) => t.textContent));
  check(bLang.length > 1 && JSON.stringify(bLang) === JSON.stringify(bd.breakdowns.by_language.map((r) => r.key)), `the brand's reviews by language are the API's (${bLang})`);
  check(!!(await page.$("#brand-trend svg")), "the brand page draws its trend");
  await page.screenshot({ path: `${shots}/brand.png`, fullPage: true });
  // In a window, compared: the window's figures, with the window control set.
  const BW = "from=2026-07-01&to=2026-09-30&compare=previous";
  await after(page, async () => {
    await page.selectOption("#window select[name=period]", "custom");
    await page.fill("#window input[name=from]", "2026-07-01");
    await page.fill("#window input[name=to]", "2026-09-30");
    await page.check("#window input[name=compare]");
    await page.click("#window button[type=submit]");
  });
  const bw = (await api(`/api/v1/brands/${encodeURIComponent(firstBrand)}?${BW}`)).data;
  const bwCards = await page.$$eval(".card .n", (els) => els.map((e) => e.textContent));
  check(bwCards[1] === String(bw.summary.reviews) && bw.summary.reviews < bd.summary.reviews, `the brand page in the window shows the window's reviews (${bwCards[1]} of ${bd.summary.reviews})`);
  check((await page.textContent("#window-shown")).startsWith(`Reviews dated 2026-07-01 … 2026-09-30: ${bw.summary.reviews} reviews (against`), "the brand page says which window it shows");
  const bwIssues = await page.$$eval("#brand-issues tbody tr td:first-child a", (as) => as.map((a) => a.textContent));
  check(JSON.stringify(bwIssues) === JSON.stringify(bw.issues.map((i) => i.label)), `the brand's issues in the window are the API's (${bwIssues.length})`);
  await page.screenshot({ path: `${shots}/brand-window.png`, fullPage: true });
  // A brand whose name is markup is shown as text.
  await go(page, `/brands/${encodeURIComponent("<b>Evil</b>")}`);
  check((await page.textContent("h1")) === "<b>Evil</b>" && !(await page.$("main h1 b")), "a brand named <b>Evil</b> is text on its page");
  await page.screenshot({ path: `${shots}/brand-xss.png`, fullPage: true });

  // Issue and changes views; a phone width.
  await go(page, `/issues/${issueCode}`);
  check((await page.$$("main table tbody tr")).length > 0, `issue ${issueCode} lists products`);
  // All time too: what it costs in stars and its quotes with stars and language, as the API says.
  const oneIssue = (await api(`/api/v1/issues/${issueCode}`)).data;
  const issueFigures = await page.textContent("#issue-figures");
  check(oneIssue.impact === null || issueFigures.includes(`${stars(oneIssue.avg_with)} with it against ${stars(oneIssue.avg_without)} without`), `issue ${issueCode} shows its stars with and without (${issueFigures})`);
  const allQuotes = await page.$$eval("#issue-quotes blockquote.quote", (bs) => bs.map((b) => [b.querySelector("div").textContent, b.querySelector(".meta").textContent]));
  const wantQuotes = oneIssue.examples.map((x) => [x.text, [x.rating ? `${"★".repeat(x.rating)} ${x.rating}/5` : null, x.language, x.review_id].filter(Boolean).join(" · ")]);
  check(allQuotes.length > 0 && JSON.stringify(allQuotes) === JSON.stringify(wantQuotes), `issue ${issueCode} quotes the API's examples with stars and language (${allQuotes.length})`);
  await page.screenshot({ path: `${shots}/issue.png`, fullPage: true });
  await go(page, "/changes");
  check((await page.textContent("h1")) === "What got worse", "changes view renders");
  await page.screenshot({ path: `${shots}/changes.png`, fullPage: true });
  const phone = await newPage({ width: 390, height: 844 });
  await go(phone, "/");
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `no sideways scrolling at phone width (${overflow}px)`);
  const gained = await phone.locator("#top-issues tbody tr").first().locator("td").last().boundingBox();
  check(gained !== null && gained.x + gained.width <= 390, `each top issue's stars gained is in view at phone width (right edge ${gained && Math.round(gained.x + gained.width)}px)`);
  await phone.screenshot({ path: `${shots}/portfolio-phone.png`, fullPage: true });
  const dark = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: "dark" });
  await dark.goto(`${base}/products/${first}`);
  await ready(dark);
  await dark.screenshot({ path: `${shots}/product-dark.png`, fullPage: true });

  check(consoleErrors.length === 0, `no console errors ${JSON.stringify(consoleErrors)}`);
} catch (e) {
  failures.push(String(e.stack || e));
  console.log(`FAIL ${e.stack || e}`);
} finally {
  await browser.close();
}
console.log(failures.length ? `${failures.length} dashboard checks failed` : "dashboard: all checks passed");
process.exit(failures.length ? 1 : 0);
