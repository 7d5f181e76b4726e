/**
 * The login form: posts to /login (which sets the session cookie), then goes back where it came
 * from: `next`, which the server has already made a local path (local-path.ts) and answers again.
 * Without its script the form still posts (never a GET: the password must not be in a URL), and
 * the server answers with the redirect.
 */
import { escapeHtml, layout } from './layout.js';

export const LOGIN_JS = `
(function () {
  var form = document.getElementById('login');
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    fetch('/login', { method: 'POST', body: body, credentials: 'same-origin' }).then(function (r) {
      var error = document.getElementById('error');
      if (r.status === 429) { error.textContent = 'Too many logins at once from here: try again in ' + r.headers.get('retry-after') + ' s.'; return; }
      if (!r.ok) { error.textContent = 'Wrong username or password.'; return; }
      return r.json().then(function (answer) { location.href = answer.next; });
    });
  });
})();
`;

export function loginPage(next: string): string {
  return layout({
    title: 'Log in',
    logout: false,
    body: `<form id="login" method="post" action="/login">
<input type="hidden" name="next" value="${escapeHtml(next)}">
<p><label>Username <input name="username" autocomplete="username" required></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">Log in</button> <span id="error" class="offline"></span></p>
</form>
<p>Use a broker user (<code>broker.users</code>) and its MQTT password.</p>`,
    scripts: ['/static/login.js'],
  });
}
