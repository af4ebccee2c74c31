/** A bad configuration value: the server prints the message as its one line and exits with 1. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
