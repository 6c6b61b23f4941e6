// The console's entry point: wires each section's form to its module and loads the workspace
// list and the sandbox once. Every figure comes from the JSON API (api.js); errors the API
// answers are shown where they happened.

import { hasKey } from './api.js';
import { busy, byId, show } from './dom.js';
import { loadWorkspaces } from './workspaces.js';
import { lookUpEvent } from './events.js';
import { showDeadLetters, wireDeadLetters } from './deadletters.js';
import { runPreview } from './preview.js';
import { loadSandbox } from './sandbox.js';
import { loadOverview, OVERVIEW_EVERY_MS } from './overview.js';
import { loadAudit, wireAudit } from './audit.js';

/** Sends a form's submit to `work` (with its submit button busy and errors shown in `target`). */
function onSubmit(formId, targetId, work) {
  const form = byId(formId);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(form.querySelector('button[type=submit]'), byId(targetId), work);
  });
}

show(byId('key-note'), hasKey
  ? 'The function key from ?code= is kept for this tab only (not in the address bar, history or bookmarks) and sent with every call.'
  : 'No ?code= in this page\'s URL: fine on LocalHost; in Azure, open the console as /api/console?code=<key>.');

onSubmit('workspaces-form', 'workspaces-result', loadWorkspaces);
onSubmit('event-form', 'event-result', lookUpEvent);
onSubmit('dead-letters-form', 'dead-letters-answer', showDeadLetters);
onSubmit('preview-form', 'preview-result', runPreview);
onSubmit('audit-form', 'audit-result', () => loadAudit(true));
wireDeadLetters();
wireAudit();
byId('sandbox-refresh').addEventListener('click', (e) => busy(e.target, byId('sandbox-result'), loadSandbox));

document.body.dataset.ready = 'loading';
setInterval(loadOverview, OVERVIEW_EVERY_MS);
Promise.all([loadWorkspaces(), loadSandbox(), loadOverview()]).finally(() => {
  document.body.dataset.ready = 'yes';
});
