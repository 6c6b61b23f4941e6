// The workspace list (GET /api/workspaces) with each one's counts and hourly chart
// (GET /api/workspaces/{id}/stats?hours=N), and the workspace choosers of the other sections.

import { call, workspacePath } from './api.js';
import { byId, byReason, el, errorBox, show, time } from './dom.js';
import { hourlyChart, legend } from './chart.js';

const COUNTS = ['received', 'delivered', 'skipped', 'deadLettered', 'retrying'];
const STATS_AT_ONCE = 4;

/** Loads the list and every workspace's stats; returns the workspaces (empty after an error, which is shown). */
export async function loadWorkspaces() {
  const hours = byId('workspaces-hours').value;
  const result = byId('workspaces-result');
  const body = byId('workspaces-table').tBodies[0];
  show(result);
  let workspaces;
  try {
    workspaces = (await call('GET', '/api/workspaces')).workspaces;
  } catch (error) {
    show(body);
    show(result, errorBox(error));
    return [];
  }
  fillChoosers(workspaces);
  show(body, workspaces.map(row));
  if (workspaces.length === 0) {
    show(result, el('p', { class: 'note' }, 'No workspaces yet: create one with PUT /api/workspaces/{workspaceId} (README, "Setting up a workspace").'));
    return workspaces;
  }
  show(result, legend());
  const queue = [...workspaces];
  const worker = async () => {
    for (let w = queue.shift(); w; w = queue.shift()) {
      await loadStats(w.workspaceId, hours);
    }
  };
  await Promise.all(Array.from({ length: STATS_AT_ONCE }, worker));
  return workspaces;
}

function row(workspace) {
  return el('tr', { 'data-workspace': workspace.workspaceId },
    el('th', { scope: 'row' }, workspace.workspaceId, workspace.enabled ? null : el('span', { class: 'badge' }, ' disabled')),
    COUNTS.map((name) => el('td', { class: 'count', 'data-count': name }, '…')),
    el('td', { class: 'reasons' }),
    el('td', { class: 'chart-cell' }));
}

async function loadStats(workspaceId, hours) {
  const tr = byId('workspaces-table').querySelector(`tr[data-workspace="${CSS.escape(workspaceId)}"]`);
  let stats;
  try {
    stats = await call('GET', `${workspacePath(workspaceId, 'stats')}?hours=${encodeURIComponent(hours)}`);
  } catch (error) {
    tr.replaceChildren(tr.cells[0], el('td', { colspan: COUNTS.length + 2 }, errorBox(error)));
    return;
  }
  for (const name of COUNTS) {
    show(tr.querySelector(`[data-count="${name}"]`), String(stats[name]));
  }
  const skipped = byReason(stats.skippedByReason);
  const dead = byReason(stats.deadLetteredByReason);
  show(tr.querySelector('.reasons'),
    skipped ? el('div', {}, `skipped: ${skipped}`) : null,
    dead ? el('div', {}, `dead-lettered: ${dead}`) : null);
  show(tr.querySelector('.chart-cell'), hourlyChart(stats));
  show(byId('workspaces-note'),
    `From ${time(stats.from)} to ${time(stats.to)}. Counts are written every ${stats.lagSeconds} s, ` +
    `so they lag by up to ${stats.lagSeconds} s (Stats__FlushSeconds).`);
}

/** Fills every <select data-workspaces> with the workspace ids, keeping what was chosen. */
function fillChoosers(workspaces) {
  for (const select of document.querySelectorAll('select[data-workspaces]')) {
    const chosen = select.value;
    select.replaceChildren(...workspaces.map((w) => el('option', { value: w.workspaceId }, w.workspaceId)));
    if (workspaces.some((w) => w.workspaceId === chosen)) {
      select.value = chosen;
    }
  }
}
