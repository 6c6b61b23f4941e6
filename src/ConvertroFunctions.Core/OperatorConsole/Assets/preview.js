// The preview box (POST /api/workspaces/{id}/preview): the pasted text is sent exactly as typed,
// and each event shows the Convertro requests it would make (method, full URL, parameters), or
// why it is skipped, or why ingest would reject it. Nothing is sent to Convertro.

import { call, workspacePath } from './api.js';
import { byId, el, show, table, time } from './dom.js';

export async function runPreview() {
  const workspaceId = byId('preview-workspace').value;
  const result = byId('preview-result');
  show(result, el('p', { class: 'note' }, 'Previewing…'));
  const answer = await call('POST', workspacePath(workspaceId, 'preview'), byId('preview-body').value);
  show(result,
    answer.enabled ? null : el('p', { class: 'error' }, `Workspace ${answer.workspaceId} is disabled: ingest would answer 403 and nothing would be sent.`),
    answer.events.map(item));
}

function item(e) {
  const title = `Event ${e.index}${e.messageId ? ` (messageId ${e.messageId})` : ''}`;
  return el('article', { class: 'preview-event', 'aria-label': title },
    el('h3', {}, title),
    e.errors ? [el('p', {}, el('strong', {}, 'Rejected'), ': ingest would refuse it:'), el('ul', {}, e.errors.map((m) => el('li', {}, m)))] : null,
    e.skipped ? el('p', {}, el('strong', {}, 'Skipped'), `: ${e.skipped.code} — ${e.skipped.message}`) : null,
    e.calls && e.calls.length === 0 ? el('p', {}, 'No calls.') : null,
    (e.calls || []).map(callView),
    e.repeat ? el('p', { class: 'note' }, `Seen before: ${e.repeat.state} at ${time(e.repeat.updatedAt)}. ${e.repeat.note}`) : null);
}

function callView(c) {
  return el('div', { class: 'call' },
    el('p', {}, el('strong', {}, c.method), ' ', el('code', { class: 'url' }, c.url)),
    el('p', { class: 'note' }, `Call key: ${c.key}`),
    table(null, ['Parameter', 'Value'], Object.entries(c.parameters)));
}
