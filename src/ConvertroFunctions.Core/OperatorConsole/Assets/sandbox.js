// LocalHost's Convertro sandbox (GET /sandbox/convertro/requests): the calls it recorded, newest
// first. It exists only in LocalHost's sandbox mode; anywhere else it answers 404, and the page
// says so instead of showing an error.

import { call } from './api.js';
import { byId, el, errorBox, show, table, time } from './dom.js';

const SHOWN = 50;

export async function loadSandbox() {
  const result = byId('sandbox-result');
  let answer;
  try {
    answer = await call('GET', '/sandbox/convertro/requests');
  } catch (error) {
    show(result, error.status === 404
      ? el('p', { class: 'note', 'data-sandbox': 'off' },
        'No sandbox here: this host sends to Convertro itself. The sandbox exists only in LocalHost when no Convertro__BaseUrl is set.')
      : errorBox(error));
    return;
  }
  const requests = answer.requests || [];
  show(result,
    el('p', { class: 'note', 'data-sandbox': 'on' },
      `${requests.length} request${requests.length === 1 ? '' : 's'} recorded (the last ${answer.capacity} are kept)` +
      `${requests.length > SHOWN ? `; the newest ${SHOWN} shown` : ''}.`),
    requests.length
      ? table('Newest first', ['At', 'Method', 'URL'], requests.slice(0, SHOWN).map((r) => [time(r.at), r.method, el('code', { class: 'url' }, r.url)]))
      : null);
}
