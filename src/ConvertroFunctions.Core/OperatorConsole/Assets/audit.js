// The audit trail (GET /api/audit): every admin change, newest first — what, which workspace,
// when, which key (a fingerprint in Azure, "local" on LocalHost) — a page at a time ("Next
// changes" follows the continuation). Never a secret or an event's content.

import { call } from './api.js';
import { busy, byId, el, show, time } from './dom.js';

let continuation = null;

export function wireAudit() {
  byId('audit-more').addEventListener('click', (e) => busy(e.target, byId('audit-result'), () => loadAudit(false)));
}

/** Shows the newest changes (first) or the next page. */
export async function loadAudit(first = true) {
  const query = new URLSearchParams({ limit: byId('audit-limit').value });
  if (!first && continuation) {
    query.set('continuation', continuation);
  }
  const page = await call('GET', `/api/audit?${query}`);
  const body = byId('audit-table').tBodies[0];
  if (first) {
    body.replaceChildren();
    show(byId('audit-result'));
  }
  body.append(...page.items.map((r) => el('tr', { 'data-workspace': r.workspaceId, 'data-action': r.action },
    el('td', {}, time(r.at)),
    el('td', {}, r.action),
    el('td', {}, r.workspaceId),
    el('td', {}, el('code', {}, r.key)),
    el('td', {}, r.detail || ''))));
  continuation = page.continuation;
  const empty = body.rows.length === 0;
  byId('audit-table').hidden = empty;
  byId('audit-empty').hidden = !empty;
  byId('audit-more').hidden = !continuation;
}
