import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../shared/config-error.ts';

/** A mail ready for the outbox. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export const TEMPLATE_NAMES = ['verify-email', 'reset-password', 'password-changed', 'second-factor-locked', 'registration-attempt'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/** The values each mail may show; a template naming anything else is refused at start. */
const PLACEHOLDERS: Readonly<Record<TemplateName, readonly string[]>> = {
  'verify-email': ['firstName', 'email', 'appUrl', 'link', 'token', 'expiresIn'],
  'reset-password': ['firstName', 'email', 'appUrl', 'link', 'token', 'expiresIn'],
  'password-changed': ['firstName', 'email', 'appUrl'],
  'second-factor-locked': ['firstName', 'email', 'appUrl', 'lockedFor'],
  // To the owner of an address someone tried to register again (JANUS_REQUIRE_VERIFIED_EMAIL).
  'registration-attempt': ['firstName', 'email', 'appUrl'],
};

/** Values anyone can choose (a registration's name): in plain text they must not become a link. */
const USER_TYPED: readonly string[] = ['firstName'];

const PARTS = { subject: '.subject.txt', text: '.txt', html: '.html' } as const;
type Part = keyof typeof PARTS;

export const BUILT_IN_TEMPLATES_DIR = path.join(import.meta.dirname, 'templates');
const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);
}

export type Templates = (name: TemplateName, to: string, values: Readonly<Record<string, string>>) => Mail;

/**
 * A name as plain text shows it: letters, marks, spaces, apostrophes and hyphens only, so that no
 * mail client turns it into a link (`http://…`, `www.…`, `x.com` all need other characters).
 */
export function plainName(value: string): string {
  return value.replace(/[^\p{L}\p{M}\p{Zs}'’-]+/gu, ' ').replace(/\s+/g, ' ').trim();
}

function fill(template: string, values: Readonly<Record<string, string>>, escape: (value: string, name: string) => string): string {
  return template.replace(PLACEHOLDER, (_match, name: string) => escape(values[name] ?? '', name));
}

/** For the subject and the text part: what anyone could type is reduced to a plain name. */
const plain = (value: string, name: string): string => (USER_TYPED.includes(name) ? plainName(value) : value);

/**
 * Reads every template once, at start: from `overrideDir` where it has the file, else the
 * built-in one. A template naming an unknown placeholder stops the start with a ConfigError.
 */
export function loadTemplates(overrideDir: string | undefined): Templates {
  if (overrideDir && !existsSync(overrideDir)) throw new ConfigError(`JANUS_MAIL_TEMPLATES_DIR ${overrideDir} does not exist`);
  const read = (name: TemplateName, part: Part): string => {
    const file = `${name}${PARTS[part]}`;
    const custom = overrideDir ? path.join(overrideDir, file) : undefined;
    const source = custom && existsSync(custom) ? custom : path.join(BUILT_IN_TEMPLATES_DIR, file);
    const text = readFileSync(source, 'utf8');
    for (const [, placeholder] of text.matchAll(PLACEHOLDER)) {
      if (!PLACEHOLDERS[name].includes(placeholder!)) {
        throw new ConfigError(
          `mail template ${source} uses {{${placeholder}}}; ${name} knows only ${PLACEHOLDERS[name].map((p) => `{{${p}}}`).join(', ')}`,
        );
      }
    }
    return text;
  };
  const loaded = new Map(
    TEMPLATE_NAMES.map((name) => [name, { subject: read(name, 'subject'), text: read(name, 'text'), html: read(name, 'html') }]),
  );
  return (name, to, values) => {
    const template = loaded.get(name)!;
    return {
      to,
      // One header line whatever a value holds.
      subject: fill(template.subject, values, plain).replace(/\s+/g, ' ').trim(),
      text: fill(template.text, values, plain),
      html: fill(template.html, values, escapeHtml),
    };
  };
}

/** "1 hour", "24 hours", "15 minutes", "30 seconds": how long a link works, for the mail. */
export function describeDuration(seconds: number): string {
  const [amount, unit] =
    seconds % 3600 === 0 ? [seconds / 3600, 'hour'] : seconds % 60 === 0 ? [seconds / 60, 'minute'] : [seconds, 'second'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}
