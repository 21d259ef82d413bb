#!/usr/bin/env node
// Fails when the pinned Electron (package.json devDependencies.electron) is past its support
// window. Runs offline: Electron supports the latest three stable majors and ships a new major
// every 8 weeks (docs/tutorial/electron-timelines.md), so a major's support ends when the major
// three after it is released. That date comes from the table below, or is estimated from the
// newest major in it. Usage: node scripts/electron-support.mjs [--today YYYY-MM-DD]
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** How many stable majors Electron supports at once. */
export const SUPPORTED_MAJORS = 3
/** Days between two Electron majors. */
export const CADENCE_DAYS = 56
/** Warn (still pass) when support ends within this many days. */
export const WARN_DAYS = 28

/**
 * Stable release of each major: the day (UTC) its x.0.0 was published on npm, as
 * `npm view electron time` lists it. Add a line when a new major ships.
 */
export const STABLE_RELEASES = {
  38: '2025-09-03',
  39: '2025-10-28',
  40: '2026-01-16',
  41: '2026-03-11',
  42: '2026-05-06',
  43: '2026-07-01',
  44: '2026-08-25',
  45: '2026-10-21'
}

const DAY_MS = 86_400_000

function parseDay(text) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) {
    throw new Error(`not a date (YYYY-MM-DD): ${text}`)
  }
  return Date.parse(`${text}T00:00:00Z`)
}

const formatDay = (ms) => new Date(ms).toISOString().slice(0, 10)

/**
 * When support for `major` ends: the release of major + 3, from the table when it is there,
 * otherwise estimated from the newest major in the table at one major per 8 weeks.
 */
export function supportEnd(major, releases = STABLE_RELEASES) {
  const successor = major + SUPPORTED_MAJORS
  const known = releases[successor]
  if (known) {
    return { day: parseDay(known), isEstimate: false, successor }
  }
  const newest = Math.max(...Object.keys(releases).map(Number))
  const anchor = parseDay(releases[newest])
  return {
    day: anchor + (successor - newest) * CADENCE_DAYS * DAY_MS,
    isEstimate: true,
    successor
  }
}

/**
 * The verdict for an Electron version on a day: `ok` (with a warning close to the end) or not,
 * and a message that names the date and what to do.
 */
export function checkElectronSupport(version, today, releases = STABLE_RELEASES) {
  const match = /^[~^]?(\d+)\.\d+\.\d+/.exec(String(version))
  if (!match) {
    return {
      ok: false,
      message: `package.json devDependencies.electron is "${version}", not a pinned x.y.z version: pin an exact version.`
    }
  }
  const major = Number(match[1])
  const todayMs = parseDay(today)
  if (!releases[major]) {
    const newest = Math.max(...Object.keys(releases).map(Number))
    return {
      ok: false,
      message:
        major > newest
          ? `Electron ${major} is not in the release table of scripts/electron-support.mjs: add the day its ${major}.0.0 was published (npm view electron time) so its support window can be checked.`
          : `Electron ${version} is older than every major in scripts/electron-support.mjs (${Math.min(...Object.keys(releases).map(Number))}+), long out of support: upgrade electron in package.json.`
    }
  }
  const end = supportEnd(major, releases)
  const endText = `${end.isEstimate ? 'about ' : ''}${formatDay(end.day)}`
  const daysLeft = Math.ceil((end.day - todayMs) / DAY_MS)
  if (daysLeft <= 0) {
    return {
      ok: false,
      message:
        `Electron ${version} left Electron's support window on ${endText}, when Electron ` +
        `${end.successor} was ${end.isEstimate ? 'due' : 'released'} (only the latest ${SUPPORTED_MAJORS} ` +
        `stable majors get security fixes). Upgrade: npm install --save-dev --save-exact ` +
        `electron@<newest major>, rebuild and test the desktop app, update the -e version of ` +
        `security:scan, and add the new major's release day to scripts/electron-support.mjs.`
    }
  }
  const warning =
    daysLeft <= WARN_DAYS
      ? ` Only ${daysLeft} ${daysLeft === 1 ? 'day' : 'days'} left: plan the upgrade to a newer major now.`
      : ` ${daysLeft} days left.`
  return {
    ok: true,
    message: `Electron ${version} is supported until ${endText} (when Electron ${end.successor} is ${end.isEstimate ? 'due' : 'released'}).${warning}`
  }
}

function main(argv) {
  const index = argv.indexOf('--today')
  const today = index >= 0 ? argv[index + 1] : new Date().toISOString().slice(0, 10)
  const root = join(fileURLToPath(import.meta.url), '..', '..')
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const version = pkg.devDependencies?.electron ?? pkg.dependencies?.electron ?? ''
  const verdict = checkElectronSupport(version, today)
  ;(verdict.ok ? process.stdout : process.stderr).write(`[electron-support] ${verdict.message}\n`)
  process.exitCode = verdict.ok ? 0 : 1
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2))
}
