// infra/docs-check.cjs (`make docs-check`, via infra/docs.sh check): opens the
// local API reference in headless Chromium, waits for the operations to
// render, screenshots the page and fails if none rendered or the browser
// reported an error (a console error, an uncaught exception, a failed
// request). Then it checks the events page the same way.
//
//   node infra/docs-check.cjs BASE_URL SCREENSHOT.png
// Environment: CHROMIUM (the browser), NODE_PATH (where puppeteer-core is).
'use strict';
const puppeteer = require('puppeteer-core');

const [base, shot] = process.argv.slice(2);
const deadline = 60000;

async function waitUp(url) {
  const until = Date.now() + deadline;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch (e) { /* not up yet */ }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${deadline / 1000}s`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

function watch(page, problems) {
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure() && r.failure().errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
}

(async () => {
  await waitUp(`${base}/docs/openapi.yaml`);
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  const problems = [];
  let failed = false;
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 2000 });
    watch(page, problems);
    await page.goto(`${base}/docs`, { waitUntil: 'networkidle0', timeout: deadline });
    await page.waitForSelector('.opblock', { timeout: deadline }).catch(() => {});
    const ops = await page.$$eval('.opblock', (els) => els.length);
    const title = await page.$eval('.info .title', (e) => e.textContent).catch(() => '');
    await page.screenshot({ path: shot });
    console.log(`docs-check: /docs renders ${ops} operations of "${title.trim()}"; screenshot ${shot}`);
    if (ops === 0) { console.error('docs-check: FAIL: no operation rendered'); failed = true; }

    const events = await browser.newPage();
    watch(events, problems);
    await events.goto(`${base}/docs/events`, { waitUntil: 'networkidle0', timeout: deadline });
    const messages = await events.$$eval('section.message', (els) => els.length);
    console.log(`docs-check: /docs/events renders ${messages} messages`);
    if (messages === 0) { console.error('docs-check: FAIL: no event message rendered'); failed = true; }
  } finally {
    await browser.close();
  }
  for (const p of problems) console.error(`docs-check: FAIL: ${p}`);
  if (failed || problems.length > 0) process.exit(1);
  console.log('docs-check: ok');
})().catch((e) => { console.error(`docs-check: FAIL: ${e.stack || e}`); process.exit(1); });
