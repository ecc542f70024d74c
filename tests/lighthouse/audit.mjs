// Audits URLs one after another with the pinned Lighthouse in one node process, each in a fresh
// Chromium (CHROME_PATH: Debian's, set by tests/lighthouse_audit.py), and writes each result
// (Lighthouse's JSON) on a line of its own. Lighthouse's CLI does the same for a single URL; driving
// its Node API instead spares every further URL a node start and Lighthouse's module load (~4 s each).
//
//   node audit.mjs accessibility,seo "--headless=new --no-sandbox" URL [URL ...]
//
// Settings are Lighthouse's defaults, spelled out: a phone (mobile form factor and screen) on
// simulated slow 4G with a CPU four times slower, so every run measures what the issue asks for.
import * as ChromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

const [categories, chromeFlags, ...urls] = process.argv.slice(2);
for (const url of urls) {
  // A browser of its own for each page, as the CLI starts one: nothing a page leaves in it (the
  // favicon it missed, a cached file) changes the next page's result.
  const chrome = await ChromeLauncher.launch({chromeFlags: chromeFlags.split(' ').filter(Boolean)});
  try {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: categories.split(','),
      formFactor: 'mobile',
      throttlingMethod: 'simulate',
      // The full-page screenshot only illustrates the HTML report; this JSON is read, never shown.
      disableFullPageScreenshot: true,
    });
    process.stdout.write(JSON.stringify(result.lhr) + '\n');
  } finally {
    await chrome.kill();
  }
}
