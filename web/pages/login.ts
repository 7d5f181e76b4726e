/**
 * The login form. Its script (web/browser/login-page.ts) posts it and goes back to `next`; without
 * the script the form still posts (never a GET: the password must not be in a URL).
 */
import { escapeHtml, layout } from './layout.js';

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
