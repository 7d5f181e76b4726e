/** The login form: posts to /login (which sets the session cookie), then goes back where it came from. */
import { layout } from './layout.js';

export const LOGIN_JS = `
(function () {
  var form = document.getElementById('login');
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    fetch('/login', { method: 'POST', body: body, credentials: 'same-origin' }).then(function (r) {
      var error = document.getElementById('error');
      if (r.status === 429) { error.textContent = 'Too many failed logins: try again in ' + r.headers.get('retry-after') + ' s.'; return; }
      if (!r.ok) { error.textContent = 'Wrong username or password.'; return; }
      var next = new URLSearchParams(location.search).get('next') || '/';
      location.href = next.charAt(0) === '/' && next.charAt(1) !== '/' ? next : '/';
    });
  });
})();
`;

export function loginPage(): string {
  return layout({
    title: 'Log in',
    body: `<form id="login">
<p><label>Username <input name="username" autocomplete="username" required></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">Log in</button> <span id="error" class="offline"></span></p>
</form>
<p>Use a broker user (<code>broker.users</code>) and its MQTT password.</p>`,
    scripts: ['/static/login.js'],
  });
}
