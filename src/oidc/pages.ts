import { createHash } from 'node:crypto';

/**
 * The provider's HTML: Janus's login, second-factor and consent pages, and the pages oidc-provider
 * renders (errors, logout). Small, server-rendered, no external asset and no script: one inline
 * style sheet, allowed by its hash in the Content-Security-Policy.
 */
const STYLE = `body{font-family:system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}label{display:block;margin:.8rem 0 .2rem}input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
button{margin-top:1rem;padding:.5rem 1rem;font-size:1rem;width:100%}.error{color:#a00}ul{padding-left:1.2rem}form+form button{background:none;border:1px solid #999}`;

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/**
 * The headers of every page: no script at all, nothing from elsewhere, never framed. `form-action`
 * is left out on purpose: after the consent form, the redirects end at the client's redirect URI,
 * which Chromium checks against form-action and would block.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; img-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
});

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>`;
}

const errorLine = (error: string | undefined): string => (error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '');
const csrfInput = (csrf: string): string => `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">`;

export interface FormPage {
  /** Where the form posts. */
  action: string;
  csrf: string;
  clientName: string;
  error?: string;
}

export function renderLoginPage(form: FormPage & { email?: string }): string {
  return page(
    'Sign in',
    `<p>to continue to ${escapeHtml(form.clientName)}</p>${errorLine(form.error)}
<form method="post" action="${escapeHtml(form.action)}">${csrfInput(form.csrf)}
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(form.email ?? '')}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form>`,
  );
}

export function renderCodePage(form: FormPage): string {
  return page(
    'Second factor',
    `<p>Enter the code from your authenticator app, or one of your recovery codes.</p>${errorLine(form.error)}
<form method="post" action="${escapeHtml(form.action)}">${csrfInput(form.csrf)}
<label for="code">Code</label><input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required>
<button type="submit">Continue</button></form>`,
  );
}

export function renderConsentPage(form: FormPage & { denyAction: string; scopes: readonly string[] }): string {
  const scopes = form.scopes.map((scope) => `<li>${escapeHtml(scope)}</li>`).join('');
  return page(
    'Allow access',
    `<p>${escapeHtml(form.clientName)} asks for:</p><ul>${scopes}</ul>${errorLine(form.error)}
<form method="post" action="${escapeHtml(form.action)}">${csrfInput(form.csrf)}<button type="submit">Allow</button></form>
<form method="post" action="${escapeHtml(form.denyAction)}">${csrfInput(form.csrf)}<button type="submit">Deny</button></form>`,
  );
}

/** oidc-provider's error page: the OAuth error and its description, never a stack. */
export function renderErrorPage(error: string, description: string | undefined): string {
  return page('Something went wrong', `<p>${escapeHtml(error)}</p>${description ? `<p>${escapeHtml(description)}</p>` : ''}`);
}

/**
 * RP-initiated logout's confirmation: `form` is oidc-provider's (a POST with its xsrf token bound to
 * the browser's session, no script). Signed out already, the one button goes on to the client.
 */
export function renderLogoutPage(form: string, state: { signedIn: boolean }): string {
  if (!state.signedIn) {
    return page('Sign out', `<p>You are signed out.</p>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Continue</button>`);
  }
  return page(
    'Sign out',
    `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<button type="submit" form="op.logoutForm">Stay signed in</button>`,
  );
}

export function renderLoggedOutPage(): string {
  return page('Signed out', '<p>You have signed out.</p>');
}
