// Dead letters of one workspace, optionally of one reason code, newest first, a page at a time
// ("More" follows the continuation); replay and delete, each confirmed first, showing the API's
// answer ({"replayed":N,"notFound":[…],"alreadyDelivered":[…],"alreadyQueued":[…]} or {"deleted":N,"notFound":[…]}).

import { call, workspacePath } from './api.js';
import { busy, byId, el, errorBox, show, time } from './dom.js';

const PAGE = 50;
let shown = null; // { workspaceId, reason, continuation }

export function wireDeadLetters() {
  const answer = byId('dead-letters-answer');
  byId('dead-letters-more').addEventListener('click', (e) => busy(e.target, answer, () => loadPage(false)));
  byId('dead-letters-replay-selected').addEventListener('click', (e) => busy(e.target, answer, () => act('replay', selectedIds())));
  byId('dead-letters-delete-selected').addEventListener('click', (e) => busy(e.target, answer, () => act('delete', selectedIds())));
  byId('dead-letters-replay-all').addEventListener('click', (e) => busy(e.target, answer, () => act('replay', null)));
  byId('dead-letters-delete-all').addEventListener('click', (e) => busy(e.target, answer, () => act('delete', null)));
}

/** Shows the first page for the chosen workspace and reason. */
export async function showDeadLetters() {
  shown = { workspaceId: byId('dead-letters-workspace').value, reason: byId('dead-letters-reason').value, continuation: null };
  const scope = shown.reason ? `all ${shown.reason}` : 'all (any reason)';
  byId('dead-letters-replay-all').textContent = `Replay ${scope}`;
  byId('dead-letters-delete-all').textContent = `Delete ${scope}`;
  show(byId('dead-letters-answer'));
  await loadPage(true);
}

async function loadPage(first) {
  const query = new URLSearchParams({ limit: String(PAGE) });
  if (shown.reason) {
    query.set('reason', shown.reason);
  }
  if (!first && shown.continuation) {
    query.set('continuation', shown.continuation);
  }
  const page = await call('GET', `${workspacePath(shown.workspaceId, 'dead-letters')}?${query}`);
  const body = byId('dead-letters-table').tBodies[0];
  if (first) {
    body.replaceChildren();
  }
  body.append(...page.items.map(row));
  shown.continuation = page.continuation;
  byId('dead-letters-actions').hidden = false;
  byId('dead-letters-more').hidden = !page.continuation;
  showWhetherEmpty();
}

function showWhetherEmpty() {
  const empty = byId('dead-letters-table').tBodies[0].rows.length === 0;
  byId('dead-letters-table').hidden = empty;
  byId('dead-letters-empty').hidden = !empty;
  byId('dead-letters-empty').textContent = `No dead letters in ${shown.workspaceId}${shown.reason ? ` with reason ${shown.reason}` : ''}` +
    `${shown.continuation ? ' on this page' : ''}.`;
}

function row(d) {
  const label = d.messageId || d.id;
  const answer = byId('dead-letters-answer');
  return el('tr', { 'data-id': d.id, 'data-message-id': d.messageId || '' },
    el('td', {}, el('input', { type: 'checkbox', value: d.id, 'aria-label': `Select ${label}` })),
    el('td', {}, d.messageId || '(none)'),
    el('td', {}, [d.eventType, d.eventName].filter(Boolean).join(' ')),
    el('td', {}, d.reasonCode),
    el('td', {}, d.reason,
      el('details', {}, el('summary', {}, 'Event and answer'),
        d.responseExcerpt ? el('p', {}, 'Convertro answered: ', el('code', {}, d.responseExcerpt)) : null,
        d.deliveredCalls && d.deliveredCalls.length ? el('p', {}, `Already delivered: ${d.deliveredCalls.join(', ')}`) : null,
        el('pre', {}, JSON.stringify(d.event, null, 2)))),
    el('td', {}, d.lastStatus === null || d.lastStatus === undefined ? '' : String(d.lastStatus)),
    el('td', {}, String(d.attempts)),
    el('td', {}, time(d.lastFailureAt)),
    el('td', { class: 'actions' },
      el('button', { type: 'button', 'aria-label': `Replay ${label}`, click: (e) => busy(e.target, answer, () => act('replay', [d.id])) }, 'Replay'),
      el('button', { type: 'button', 'aria-label': `Delete ${label}`, click: (e) => busy(e.target, answer, () => act('delete', [d.id])) }, 'Delete')));
}

function selectedIds() {
  return [...byId('dead-letters-table').querySelectorAll('tbody input[type=checkbox]:checked')].map((box) => box.value);
}

/** Replays or deletes `ids`, or (ids null) every dead letter of the shown reason; asks first. */
async function act(action, ids) {
  const answer = byId('dead-letters-answer');
  if (!shown) {
    return;
  }
  if (ids && ids.length === 0) {
    show(answer, el('p', { class: 'note' }, 'Select one or more dead letters first.'));
    return;
  }
  const what = ids
    ? `${ids.length} dead letter${ids.length === 1 ? '' : 's'}`
    : `every dead letter${shown.reason ? ` with reason ${shown.reason}` : ''}`;
  const consequence = action === 'replay'
    ? 'They are queued again with the workspace\'s current settings.'
    : 'They are removed for good.';
  if (!window.confirm(`${action === 'replay' ? 'Replay' : 'Delete'} ${what} of workspace ${shown.workspaceId}? ${consequence}`)) {
    show(answer, el('p', { class: 'note' }, 'Cancelled.'));
    return;
  }
  const body = ids ? { ids } : shown.reason ? { reason: shown.reason } : {};
  if (action === 'delete' && !ids) {
    body.all = true;
  }
  const path = workspacePath(shown.workspaceId, 'dead-letters') + (action === 'replay' ? '/replay' : '');
  const result = await call(action === 'replay' ? 'POST' : 'DELETE', path, body);
  const count = action === 'replay' ? result.replayed : result.deleted;
  const notFound = result.notFound || [];
  show(answer, el('div', { class: 'answer', role: 'status' },
    el('p', {}, `${action === 'replay' ? 'Replayed' : 'Deleted'} ${count}. Not found: ${notFound.length ? notFound.join(', ') : 'none'}.`),
    el('p', {}, 'The API answered ', el('code', {}, JSON.stringify(result)))));
  if (ids) {
    for (const id of ids.filter((i) => !notFound.includes(i))) {
      byId('dead-letters-table').querySelector(`tr[data-id="${CSS.escape(id)}"]`)?.remove();
    }
    showWhetherEmpty();
  } else {
    await loadPage(true).catch((error) => answer.append(errorBox(error)));
  }
}
