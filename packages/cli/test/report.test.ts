
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/index';
import { capture } from './capture';


const dir = mkdtempSync(join(tmpdir(), 'k-report-'));
const html = join(dir, 'report.html');
const saved = join(dir, 'cx');

describe('the HTML report and replay', () => {
  it('k check --report writes one self-contained file with a timeline per counterexample', async () => {
    const io = capture();
    expect(await main(['check', 'core-sync', '--scenario', 'abba-deadlock', '--budget', '50', '--report', html, '--save', saved], io)).toBe(0);
    const text = readFileSync(html, 'utf8');
    expect(text).toMatch(/^<!doctype html>/);
    expect(text).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\//);
    expect(text.match(/<svg /g)).toHaveLength(1);
    expect(text).toContain('class="step failing"');
    expect(text).toMatch(/href="#cx-0-step-\d+"/);
    expect(text).toMatch(/id="cx-0-step-\d+"/);
    expect(text).toMatch(/class="src" href="file:\/\/[^"]+scenarios\.ts#L\d+"/);
    expect(text).toMatch(/holds (cfg_lock|dev-&gt;lock)/);
  });

  it('k replay FILE replays a saved counterexample and prints its timeline', async () => {
    const files = readdirSync(saved);
    expect(files).toEqual(['core-sync--abba-deadlock--bug.json']);
    const io = capture();
    expect(await main(['replay', join(saved, files[0]!)], io)).toBe(1);
    const out = io.lines.join('\n');
    expect(out).toContain('cpu0');
    expect(out).toMatch(/lock-order|deadlock/);
  });

  it('k replay with an explicit schedule, and clear errors for bad input', async () => {
    const j = JSON.parse(readFileSync(join(saved, readdirSync(saved)[0]!), 'utf8')) as { schedule: string };
    const io = capture();
    expect(await main(['replay', '--package', 'core-sync', '--scenario', 'abba-deadlock', '--variant', 'bug', j.schedule], io)).toBe(1);
    const bad = capture();
    expect(await main(['replay', join(dir, 'nope.json')], bad)).toBe(2);
    expect(bad.errors.join('\n')).toContain('cannot read');
    expect(await main(['replay', '--package', 'core-sync', '--scenario', 'nope', '--variant', 'bug', 'k1:'], bad)).toBe(2);
    expect(bad.errors.join('\n')).toContain("has no scenario 'nope'");
    expect(await main(['replay', '--package', 'core-sync', '--scenario', 'lost-wakeup', '--variant', 'bug', 'garbage'], bad)).toBe(2);
  });
});

// The browser test: Debian's chromium driven by playwright-core (never a browser download).
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const required = process.env.K_REQUIRE_ORACLES === '1';
if (!CHROMIUM) {
  if (required) throw new Error('K_REQUIRE_ORACLES=1 but no chromium found (apt-get install chromium)');
  console.warn('skipping the browser test of the HTML report: chromium is not installed');
}

describe.skipIf(!CHROMIUM)('the HTML report in a real browser', () => {
  it('draws the timeline, and clicking a step jumps to its row with its source link', async () => {
    const { chromium } = await import('playwright-core');
    const profile = mkdtempSync(join(tmpdir(), 'k-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM!,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`file://${html}`);
      const svg = page.locator('svg.timeline');
      await expect(svg.count()).resolves.toBe(1);
      const box = await svg.boundingBox();
      expect(box!.width).toBeGreaterThan(200);
      const steps = page.locator('svg.timeline rect.step');
      expect(await steps.count()).toBeGreaterThan(3);
      const link = page.locator('svg.timeline a.step-link').last();
      const target = await link.getAttribute('href');
      await link.click();
      expect(new URL(page.url()).hash).toBe(target);
      const row = page.locator(`tr${target}`);
      await expect(row.isVisible()).resolves.toBe(true);
      const shot = join(dir, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(readFileSync(shot).length).toBeGreaterThan(1000);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

