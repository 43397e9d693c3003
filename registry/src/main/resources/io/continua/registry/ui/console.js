// The registry's console: plain DOM over the registry's own JSON API (same origin), no build step.
// Every value shown comes from the API and is inserted as text, never as markup.
'use strict';

const TOKEN_KEY = 'continua.token';
const view = document.getElementById('view');
const statusLine = document.getElementById('status');

// ---- small helpers ---------------------------------------------------------------------------------

/** An element with attributes (on* keys become listeners) and children (strings become text). */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** An SVG element (namespaced) with attributes and children. */
function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  for (const child of children.flat()) {
    if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** A call to the registry's API; a refusal becomes an Error carrying the API's own detail. */
async function api(path, options = {}) {
  const headers = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.method && options.method !== 'GET' && token()) headers.Authorization = 'Bearer ' + token();
  const response = await fetch(path, { method: options.method || 'GET', headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error(body && body.detail ? body.detail : 'HTTP ' + response.status);
    error.status = response.status;
    throw error;
  }
  return body;
}

/** The answer, or the fallback when the API says there is none (404). */
async function optional(path, fallback) {
  try {
    return await api(path);
  } catch (error) {
    if (error.status === 404) return fallback;
    throw error;
  }
}

function say(message, isError = false) {
  statusLine.textContent = message;
  statusLine.classList.toggle('error', isError);
}

function percent(value) {
  return value === undefined || value === null || Number.isNaN(value) ? '–' : (100 * value).toFixed(1) + ' %';
}

function liveText(live) {
  if (!live) return el('span', { class: 'muted' }, 'no live labels yet');
  return el('span', {}, percent(live.accuracy), ' ',
    el('span', { class: 'muted' }, `[${percent(live.low)}, ${percent(live.high)}] on ${live.count} labels`));
}

function ago(iso) {
  if (!iso) return '–';
  const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (seconds < 90) return Math.round(seconds) + ' s ago';
  if (seconds < 5400) return Math.round(seconds / 60) + ' min ago';
  if (seconds < 172800) return Math.round(seconds / 3600) + ' h ago';
  return Math.round(seconds / 86400) + ' days ago';
}

function holdout(version) {
  return version && version.metrics ? version.metrics.holdout_accuracy : undefined;
}

const enc = encodeURIComponent;

// ---- the domain list ---------------------------------------------------------------------------------

async function renderDomains() {
  const { domains } = await api('/v1/domains');
  const rows = await Promise.all(domains.map(async (summary) => {
    const d = summary.domain;
    const production = summary.aliases.production;
    const [live, served, latest] = await Promise.all([
      api(`/v1/domains/${enc(d)}/live`),
      production ? api(`/v1/domains/${enc(d)}/versions/${production}`) : null,
      summary.latestVersion ? api(`/v1/domains/${enc(d)}/versions/${summary.latestVersion}`) : null,
    ]);
    const candidate = summary.aliases.candidate;
    return el('tr', { 'data-domain': d },
      el('th', { scope: 'row' }, el('a', { href: `#/domains/${enc(d)}` }, d)),
      el('td', { class: 'num', 'data-field': 'served' }, production ? 'v' + production : '–',
        summary.held.production ? el('span', { class: 'tag' }, 'held') : null),
      el('td', { class: 'num' }, production ? liveText(live.versions[production]) : '–'),
      el('td', { class: 'num' }, percent(holdout(served))),
      el('td', { class: 'num' }, candidate && candidate !== production ? 'v' + candidate : '–'),
      el('td', {}, latest ? `v${latest.version}, ${ago(latest.createdAt)}` : '–'),
      el('td', { class: 'num' }, summary.versions));
  }));
  view.replaceChildren(
    el('h2', {}, 'Domains'),
    rows.length === 0 ? el('p', {}, 'No domain yet: publish labeled examples and the trainer registers versions.')
      : el('table', { id: 'domains' },
        el('caption', {}, 'Each domain, the version production serves, its accuracy on live labels and on its holdout, '
          + 'a candidate being tried, and how fresh the latest version is.'),
        el('thead', {}, el('tr', {}, ['Domain', 'Serving', 'Live accuracy', 'Holdout accuracy', 'Candidate',
          'Latest version', 'Versions'].map((name) => el('th', { scope: 'col' }, name)))),
        el('tbody', {}, rows)));
}

// ---- one domain ------------------------------------------------------------------------------------

async function renderDomain(domain) {
  const base = `/v1/domains/${enc(domain)}`;
  const [info, versions, live, productionHistory, candidateHistory] = await Promise.all([
    api(base), allVersions(base), api(`${base}/live`),
    optional(`${base}/aliases/production/history`, { history: [] }),
    optional(`${base}/aliases/candidate/history`, { history: [] }),
  ]);
  const production = info.aliases.production;
  const candidate = info.aliases.candidate;
  const productionPointer = productionHistory.history[productionHistory.history.length - 1];
  const rollout = info.config.rollout || {};

  const actions = el('div', { class: 'actions', role: 'group', 'aria-label': 'Production' });
  if (productionPointer && productionPointer.previousVersion) {
    actions.append(el('button', { type: 'button', id: 'rollback',
      onclick: () => move(domain, productionPointer.previousVersion, 'rolled back from the console') },
    `Roll back to v${productionPointer.previousVersion}`));
  }
  if (production) {
    const held = info.held.production !== undefined;
    actions.append(el('button', { type: 'button', id: held ? 'release' : 'hold',
      onclick: () => move(domain, production, held ? 'released from the console' : 'held from the console', !held) },
    held ? `Release v${production}` : `Hold v${production}`));
  }

  view.replaceChildren(
    el('p', {}, el('a', { href: '#/' }, '← All domains')),
    el('h2', {}, domain),
    el('dl', { class: 'summary' },
      el('dt', {}, 'Production'), el('dd', { id: 'production' }, production ? 'v' + production : 'none',
        info.held.production !== undefined ? el('span', { class: 'tag' }, 'held') : null),
      el('dt', {}, 'Candidate'), el('dd', {}, candidate ? 'v' + candidate : 'none'),
      el('dt', {}, 'Rollout'), el('dd', {}, `${rollout.mode || 'none'}, policy ${rollout.policy || 'manual'}`
        + (rollout.mode === 'canary' ? `, ${percent(rollout.canaryShare)} of requests` : '')),
      el('dt', {}, 'Promotion'), el('dd', {}, `${info.config.promotion.policy} on ${info.config.promotion.metric}`),
      el('dt', {}, 'Kind'), el('dd', {}, info.config.kind)),
    actions,
    comparison(production, candidate, live),
    el('h2', {}, 'Learning curve'),
    curve(versions, live),
    el('h2', {}, 'Versions'),
    versionTable(domain, versions, live, production, candidate),
    el('h2', {}, 'Alias history'),
    historyTable([...productionHistory.history, ...candidateHistory.history]));
}

/** Every version of the domain, page by page (the API answers at most 1000 at a time, oldest first). */
async function allVersions(base) {
  const versions = [];
  let after = 0;
  do {
    const page = await api(`${base}/versions?limit=1000&after=${after}`);
    versions.push(...page.versions);
    after = page.next;
  } while (after);
  return versions;
}

/** Production against the candidate on live labels, when one is being tried. */
function comparison(production, candidate, live) {
  if (!candidate || candidate === production) return el('p', { class: 'muted' }, 'No candidate is being tried.');
  const rows = [[`v${production} (production)`, live.versions[production]],
    [`v${candidate} (candidate)`, live.versions[candidate]]];
  return el('section', { 'aria-labelledby': 'comparison-title' },
    el('h2', { id: 'comparison-title' }, 'Candidate against production'),
    el('table', { id: 'comparison' },
      el('caption', {}, `Live accuracy over all their live labels, with its ${percent(live.confidence)} `
        + 'confidence interval. The rollout policy compares them on the labels since the candidate moved; its '
        + 'decisions, with their figures, are in the alias history.'),
      el('thead', {}, el('tr', {}, ['Version', 'Live accuracy', 'Interval'].map((name) =>
        el('th', { scope: 'col' }, name)))),
      el('tbody', {}, rows.map(([name, score]) => el('tr', {},
        el('th', { scope: 'row' }, name), el('td', { class: 'num' }, liveText(score)),
        el('td', {}, interval(score)))))));
}

/** A bar from the interval's low to its high end, the accuracy marked. */
function interval(score) {
  if (!score) return '–';
  const width = 200;
  return svg('svg', { width, height: 14, role: 'img',
    'aria-label': `from ${percent(score.low)} to ${percent(score.high)}` },
  svg('rect', { x: 0, y: 6, width, height: 2, fill: '#d8dde5' }),
  svg('rect', { x: score.low * width, y: 3, width: Math.max(1, (score.high - score.low) * width), height: 8,
    fill: '#9bb8dc' }),
  svg('rect', { x: score.accuracy * width - 1, y: 0, width: 2, height: 14, fill: '#0b5cad' }));
}

/** Holdout accuracy of each version (line) and its live accuracy with interval (dots and whiskers). */
function curve(versions, live) {
  const points = versions.filter((v) => !v.deleted && holdout(v) !== undefined);
  if (points.length === 0) return el('p', { class: 'muted' }, 'No version with a holdout score yet.');
  const width = 640;
  const height = 220;
  const pad = 56;
  const first = points[0].version;
  const last = points[points.length - 1].version;
  const x = (version) => pad + (last === first ? (width - 2 * pad) / 2 : (version - first) / (last - first) * (width - 2 * pad));
  const y = (value) => height - pad - value * (height - 2 * pad);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img',
    'aria-label': `Holdout accuracy of ${points.length} versions, from ${percent(holdout(points[0]))} at v${first} `
      + `to ${percent(holdout(points[points.length - 1]))} at v${last}` });
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    chart.append(svg('line', { x1: pad, x2: width - pad, y1: y(tick), y2: y(tick), stroke: '#eef1f5' }),
      svg('text', { x: pad - 8, y: y(tick) + 4, 'text-anchor': 'end' }, percent(tick)));
  }
  chart.append(svg('polyline', { fill: 'none', stroke: '#0b5cad', 'stroke-width': 2,
    points: points.map((v) => `${x(v.version)},${y(holdout(v))}`).join(' ') }));
  for (const v of points) {
    chart.append(svg('circle', { cx: x(v.version), cy: y(holdout(v)), r: 3, fill: '#0b5cad' },
      svg('title', {}, `v${v.version}: holdout ${percent(holdout(v))}`)),
    svg('text', { x: x(v.version) - 6, y: height - pad + 16 }, 'v' + v.version));
    const score = live.versions[v.version];
    if (score) {
      chart.append(svg('line', { x1: x(v.version), x2: x(v.version), y1: y(score.low), y2: y(score.high),
        stroke: '#1f7a3a' }), svg('circle', { cx: x(v.version), cy: y(score.accuracy), r: 4, fill: '#1f7a3a' },
        svg('title', {}, `v${v.version}: live ${percent(score.accuracy)} on ${score.count} labels`)));
    }
  }
  return el('figure', {}, chart, el('figcaption', { class: 'muted' },
    'Line (blue): holdout accuracy when the version was trained. Larger dots with whiskers (green): live accuracy '
      + 'with its interval.'));
}

function versionTable(domain, versions, live, production, candidate) {
  return el('table', { id: 'versions' },
    el('caption', {}, 'Every version, newest first, with its lineage and scores.'),
    el('thead', {}, el('tr', {}, ['Version', 'Parent', 'Kind', 'Holdout accuracy', 'Live accuracy', 'Created',
      'Aliases', 'Action'].map((name) => el('th', { scope: 'col' }, name)))),
    el('tbody', {}, [...versions].reverse().map((v) => el('tr', { 'data-version': v.version },
      el('th', { scope: 'row' }, 'v' + v.version, v.deleted ? el('span', { class: 'tag' }, 'deleted') : null),
      el('td', {}, v.parentVersion ? 'v' + v.parentVersion : '–'),
      el('td', {}, v.kind),
      el('td', { class: 'num' }, percent(holdout(v))),
      el('td', { class: 'num' }, liveText(live.versions[v.version])),
      el('td', {}, `${ago(v.createdAt)} by ${v.createdBy}`),
      el('td', {}, (v.aliases || []).map((alias) => el('span', { class: 'tag ' + alias }, alias))),
      el('td', {}, v.deleted || v.version === production ? null : el('button', { type: 'button',
        class: 'promote', 'aria-label': `Promote v${v.version} to production`,
        onclick: () => move(domain, v.version, 'promoted from the console') }, 'Promote'))))));
}

function historyTable(moves) {
  moves.sort((a, b) => Date.parse(b.movedAt) - Date.parse(a.movedAt));
  return el('table', { id: 'history' },
    el('caption', {}, 'Every move of production and candidate, newest first: who, why, from which version.'),
    el('thead', {}, el('tr', {}, ['When', 'Alias', 'Move', 'By', 'Reason'].map((name) =>
      el('th', { scope: 'col' }, name)))),
    el('tbody', {}, moves.map((m) => el('tr', {},
      el('td', {}, ago(m.movedAt)),
      el('td', {}, el('span', { class: 'tag ' + m.alias }, m.alias), m.held ? el('span', { class: 'tag' }, 'held') : null),
      el('td', { class: 'num' }, `${m.previousVersion ? 'v' + m.previousVersion : '–'} → v${m.version}`),
      el('td', {}, m.actor),
      el('td', { class: 'reason' }, m.reason)))));
}

/** Moves production (and holds or releases it when asked), then shows the result. */
async function move(domain, version, reason, hold) {
  if (!token()) {
    say('Paste an admin or write token above first: moving an alias is a change.', true);
    document.getElementById('token').focus();
    return;
  }
  const body = { version, reason };
  if (hold !== undefined) body.hold = hold;
  try {
    await api(`/v1/domains/${enc(domain)}/aliases/production`, { method: 'PUT', body });
    say(`Production of ${domain} is v${version} (${reason}).`);
  } catch (error) {
    say(`Not moved: ${error.message}`, true);
  }
  await route();
  // The button pressed is gone with the page it was on: keep the keyboard where the outcome is told.
  statusLine.focus();
}

// ---- wiring ----------------------------------------------------------------------------------------

async function route() {
  const match = location.hash.match(/^#\/domains\/([^/]+)$/);
  try {
    if (match) await renderDomain(decodeURIComponent(match[1]));
    else await renderDomains();
  } catch (error) {
    view.replaceChildren(el('p', { class: 'error' }, 'Cannot load: ' + error.message));
  }
}

document.getElementById('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = document.getElementById('token');
  if (input.value.trim()) {
    sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    input.value = '';
    say('Token kept for this tab.');
  }
});
document.getElementById('forget-token').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  say('Token forgotten.');
});
window.addEventListener('hashchange', () => {
  say('');
  route().then(() => view.focus());
});
route();
