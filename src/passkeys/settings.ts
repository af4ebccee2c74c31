/** Where passkeys are valid (JANUS_WEBAUTHN_*): what registration and login check a browser's answer against. */
export interface WebAuthnSettings {
  /** The relying party id: the domain passkeys are bound to, for good (changing it orphans every passkey). */
  rpId: string;
  /** The name an authenticator shows beside the account. */
  rpName: string;
  /** The exact origins (scheme://host[:port]) of the web apps that may create and use passkeys. */
  origins: string[];
}
