// The top of the page (GET /api/overview): a banner when something needs attention now (the poison
// queue not empty, dead letters within the window, the oldest waiting message past its threshold:
// the alert rules' own settings), and each queue's length and oldest waiting message. Loaded with
// the page and every minute after.

import { call } from './api.js';
import { byId, el, errorBox, show, time } from './dom.js';

export const OVERVIEW_EVERY_MS = 60_000;

/** Loads the overview into the banner and the backlog line; an error is shown in the backlog line. */
export async function loadOverview() {
  const banner = byId('attention-banner');
  const backlog = byId('backlog');
  let overview;
  try {
    overview = await call('GET', '/api/overview');
  } catch (error) {
    banner.hidden = true;
    show(backlog, errorBox(error));
    return;
  }
  const items = overview.attention;
  banner.hidden = items.length === 0;
  show(banner, items.length === 0 ? [] : [
    el('h2', {}, 'Needs attention'),
    el('ul', {}, items.map((item) => el('li', { 'data-attention': item.code }, el('strong', {}, item.title), ' ', item.detail))),
  ]);
  show(backlog,
    el('span', {}, `Queues (${time(overview.queues[0]?.measuredAt)}): `),
    overview.queues.map((q, i) => [i > 0 ? ' · ' : '', queue(q, overview.thresholds)]),
    el('span', {}, ` · Dead letters: ${overview.deadLetters.stored} stored, `),
    el('span', { 'data-dead-letters-recent': overview.deadLetters.recent },
      `${overview.deadLetters.recent} in the last ${overview.deadLetters.windowMinutes} minutes`),
    el('span', {}, ` (counted ${time(overview.deadLetters.countedAt)}).`));
}

function queue(q, thresholds) {
  const waiting = q.oldestWaitingSince ? `, oldest waiting ${duration(q.oldestWaitingSeconds)}` : ', none waiting';
  const late = q.oldestWaitingSeconds > thresholds.oldestMessageMinutes * 60;
  return el('span', { 'data-queue': q.queue, 'data-length': q.length, 'data-oldest-seconds': q.oldestWaitingSeconds, class: late ? 'late' : null },
    el('code', {}, q.queue), ` ${q.length} message${q.length === 1 ? '' : 's'}${waiting}`);
}

/** 42 s, 12 min, 3 h 5 min. */
function duration(seconds) {
  if (seconds < 60) {
    return `${Math.round(seconds)} s`;
  }
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
