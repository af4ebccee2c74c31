import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeDuration, escapeHtml, loadTemplates } from '../../src/mail/templates.ts';
import { MAX_ATTEMPTS, retryDelayMs } from '../../src/mail/sender.ts';
import { ConfigError } from '../../src/shared/config-error.ts';

const values = {
  firstName: 'Ada',
  email: 'ada@example.com',
  appUrl: 'https://app.example.com',
  link: 'https://app.example.com/verify-email?token=abc',
  token: 'abc',
  expiresIn: '1 hour',
};

describe('mail templates', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  const templateDir = async (files: Record<string, string>) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'janus-templates-'));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
    return dir;
  };

  it('fills the built-in verification mail: link and token in text and HTML', () => {
    const mail = loadTemplates(undefined)('verify-email', 'ada@example.com', values);
    expect(mail.to).toBe('ada@example.com');
    expect(mail.subject).toBe('Confirm your email address');
    expect(mail.text).toContain('\nhttps://app.example.com/verify-email?token=abc\n');
    expect(mail.text).toMatch(/^abc$/m);
    expect(mail.html).toContain('href="https://app.example.com/verify-email?token=abc"');
  });

  it('HTML-escapes every value in the HTML part only', () => {
    const mail = loadTemplates(undefined)('password-changed', 'x@example.com', { ...values, firstName: `<script>"&'` });
    expect(mail.html).toContain('&lt;script&gt;&quot;&amp;&#39;');
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain('Hello,');
  });

  it('keeps the subject on one line whatever a value holds', async () => {
    const dir = await templateDir({ 'password-changed.subject.txt': 'Hi {{firstName}}\n' });
    const mail = loadTemplates(dir)('password-changed', 'x@example.com', { ...values, firstName: 'A\r\nBcc: evil@example.com' });
    expect(mail.subject).toBe('Hi A Bcc evil example com');
  });

  it('takes a file from JANUS_MAIL_TEMPLATES_DIR over the built-in one, file by file', async () => {
    const dir = await templateDir({ 'reset-password.txt': 'Custom {{link}} for {{firstName}}' });
    const templates = loadTemplates(dir);
    const mail = templates('reset-password', 'ada@example.com', values);
    expect(mail.text).toBe('Custom https://app.example.com/verify-email?token=abc for Ada');
    expect(mail.subject).toBe('Reset your password');
  });

  it('refuses at start a template that names an unknown placeholder, or a missing folder', async () => {
    const dir = await templateDir({ 'password-changed.html': '<p>{{token}}</p>' });
    expect(() => loadTemplates(dir)).toThrow(ConfigError);
    expect(() => loadTemplates(dir)).toThrow(/password-changed knows only/);
    expect(() => loadTemplates(path.join(dir, 'missing'))).toThrow(/JANUS_MAIL_TEMPLATES_DIR/);
  });

  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it.each([
    [3600, '1 hour'],
    [86_400, '24 hours'],
    [900, '15 minutes'],
    [60, '1 minute'],
    [1, '1 second'],
    [90, '90 seconds'],
  ])('describes %i s as "%s"', (seconds, text) => {
    expect(describeDuration(seconds)).toBe(text);
  });
});

describe('mail retries', () => {
  it('back off exponentially from 1 s, doubling, capped at 15 min', () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(retryDelayMs(11)).toBe(15 * 60_000);
    expect(retryDelayMs(MAX_ATTEMPTS)).toBe(15 * 60_000);
  });
});
