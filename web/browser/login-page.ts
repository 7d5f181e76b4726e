/**
 * The login form's script: posts to /login (which sets the session cookie), then goes back where
 * it came from: `next`, which the server has already made a local path (web/local-path.ts). Without
 * this script the form still posts (never a GET: the password must not be in a URL), and the server
 * answers with the redirect.
 */
import { byId } from './dom.js';

const form = byId<HTMLFormElement>('login');
const error = byId('error');

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const body = new URLSearchParams();
  for (const [name, value] of new FormData(form)) if (typeof value === 'string') body.append(name, value);
  void fetch('/login', { method: 'POST', body, credentials: 'same-origin' })
    .then(async (response) => {
      if (response.status === 429) {
        error.textContent = `Too many logins at once from here: try again in ${response.headers.get('retry-after')} s.`;
        return;
      }
      if (!response.ok) {
        error.textContent = 'Wrong username or password.';
        return;
      }
      const answer = (await response.json()) as { next: string };
      location.href = answer.next;
    })
    .catch(() => {
      error.textContent = 'busbar did not answer: try again.';
    });
});
