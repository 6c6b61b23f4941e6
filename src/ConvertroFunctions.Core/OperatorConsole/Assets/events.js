// Event lookup by messageId (GET /api/workspaces/{id}/events/{messageId}): its state, the calls
// made with Convertro's status, why it was skipped or dead-lettered, and when it is tried next.

import { call, workspacePath } from './api.js';
import { byId, el, facts, show, table, time } from './dom.js';

export async function lookUpEvent() {
  const workspaceId = byId('event-workspace').value;
  const messageId = byId('event-message-id').value.trim();
  const result = byId('event-result');
  show(result, el('p', { class: 'note' }, 'Looking up…'));
  const e = await call('GET', workspacePath(workspaceId, 'events', messageId));
  show(result, render(e));
}

function render(e) {
  const calls = e.calls || [];
  return el('article', { class: 'event', 'aria-label': `Event ${e.messageId}` },
    el('p', {}, 'State: ', el('strong', { class: `state state-${e.state}`, 'data-state': e.state }, e.state)),
    facts([
      ['Workspace', e.workspaceId],
      ['messageId', e.messageId],
      ['Event', [e.eventType, e.eventName].filter(Boolean).join(' ')],
      ['Attempts', String(e.attempts)],
      ['Next attempt', time(e.nextAttemptAt)],
      ['Reason', e.reason],
      ['Reason code', e.reasonCode],
      ['Detail', e.detail],
      ['Convertro\'s last status', e.lastStatus === null || e.lastStatus === undefined ? '' : String(e.lastStatus)],
      ['Dead letter id', e.deadLetterId],
      ['Received', time(e.receivedAt)],
      ['Last change', time(e.updatedAt)],
    ]),
    calls.length
      ? table('Calls made', ['Call', 'Convertro\'s status', 'At'],
        calls.map((c) => [c.key, c.status === null ? 'not answered yet' : String(c.status), time(c.at)]))
      : el('p', { class: 'note' }, 'No calls delivered yet.'));
}
