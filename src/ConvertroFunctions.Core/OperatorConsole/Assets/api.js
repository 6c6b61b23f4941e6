// Every call the console makes goes through here: same origin only, the function key from the
// page's own ?code= sent as x-functions-key, and any answer but 2xx turned into an ApiError that
// carries what the API said (its ProblemDetails: title, detail, errors).

const KEY_STORAGE = 'convertro-functions-key';

/**
 * The key from ?code=, taken once: kept in this tab's sessionStorage (gone when the tab closes) and
 * removed from the address bar with history.replaceState, so it is left in no history entry or
 * bookmark; a reload finds it in sessionStorage.
 */
function takeKey() {
  const url = new URL(window.location.href);
  const given = url.searchParams.get('code');
  if (given) {
    url.searchParams.delete('code');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
    try {
      window.sessionStorage.setItem(KEY_STORAGE, given);
    } catch {
      // Storage refused (a private mode): the key still serves this page until it is reloaded.
    }
    return given;
  }
  try {
    return window.sessionStorage.getItem(KEY_STORAGE) || '';
  } catch {
    return '';
  }
}

const key = takeKey();

/** Whether the page has a key (needed in Azure; LocalHost ignores keys). */
export const hasKey = key !== '';

/** An answer other than 2xx, or no answer at all (status 0). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.title = problem.title || `HTTP ${status}`;
    this.detail = problem.detail || '';
    this.errors = problem.errors || null;
  }
}

/** /api/workspaces/{id}/…parts, each part escaped. */
export function workspacePath(workspaceId, ...parts) {
  return ['/api/workspaces', workspaceId, ...parts].map((p, i) => (i === 0 ? p : encodeURIComponent(p))).join('/');
}

/**
 * Calls the API and returns the parsed JSON answer (null for an empty one). `body` is sent as is
 * when it is a string (the preview box), else as JSON.
 */
export async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (hasKey) {
    headers['x-functions-key'] = key;
  }
  const init = { method, headers, cache: 'no-store', credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, { title: 'No answer', detail: `${method} ${path} could not be sent (${e.message}). Is the app running?` });
  }
  const text = await response.text();
  const json = parse(text);
  if (!response.ok) {
    throw new ApiError(response.status, problemOf(response, json, text));
  }
  return json;
}

function parse(text) {
  if (text === '') {
    return null;
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function problemOf(response, json, text) {
  if (json && typeof json === 'object' && (json.title || json.detail)) {
    return json;
  }
  const title = `${response.status} ${response.statusText}`.trim();
  if (response.status === 401 || response.status === 403) {
    return {
      title,
      detail: hasKey
        ? 'The key in ?code= does not open this function. Use a host key (it opens every function), or check the key.'
        : 'This API needs a function key: open the console as /api/console?code=<key> (a host key opens every function).',
    };
  }
  return { title, detail: text.slice(0, 500) };
}
