// Dashboard speed in headless chromium against a running `serve`: time to interactive of the
// portfolio (navigation start to the view rendered) and the time from a filter, sort or page change
// to its rows. Usage: node dashboard-timing.mjs BASE_URL RUNS
import { chromium } from "playwright-core";

const [base, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 5);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const ready = () => page.waitForSelector("body[data-ready='1']");
const unready = () => page.evaluate(() => delete document.body.dataset.ready);
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const brand = (await (await fetch(`${base}/api/v1/brands?limit=1`)).json()).data[0].brand;
const issue = (await (await fetch(`${base}/api/v1/issues`)).json()).data[0].code;
const t = { portfolio: [], products: [], brand: [], issue: [], sort: [], next: [], product: [] };
for (let i = 0; i < runs; i++) {
  await page.goto("about:blank");
  let s = Date.now();
  await page.goto(`${base}/`);
  await ready();
  t.portfolio.push(await page.evaluate(() => performance.now()));
  await unready();
  s = Date.now();
  await page.goto(`${base}/products`);
  await ready();
  t.products.push(Date.now() - s);
  const step = async (name, action) => {
    await unready();
    const s = Date.now();
    await action();
    await ready();
    t[name].push(Date.now() - s);
  };
  await step("brand", async () => {
    await page.selectOption("select[name=brand]", [brand]);
    await page.click("form.filters button[type=submit]");
  });
  await step("issue", async () => {
    await page.selectOption("select[name=issue]", issue);
    await page.click("form.filters button[type=submit]");
  });
  await step("sort", () => page.click("th button >> text=% negative"));
  await page.goto(`${base}/products?sort=reviews`);
  await ready();
  await step("next", () => page.click("#next"));
  await step("product", () => page.click("main table tbody tr td:first-child a"));
}
for (const [k, v] of Object.entries(t)) console.log(`${k.padEnd(10)} median ${median(v).toFixed(0)} ms  (${v.map((x) => x.toFixed(0)).join(", ")})`);
await browser.close();
