/**
 * Undo actions for everything the run creates (child processes, the bench database, temporary
 * folders). They run last-registered first, once, whichever way the run ends: normal end, an
 * error, Ctrl-C or the time limit.
 */
export class Cleanup {
  #actions: Array<{ label: string; action: () => Promise<void> | void }> = [];
  #done: Promise<void> | undefined;

  add(label: string, action: () => Promise<void> | void): void {
    this.#actions.push({ label, action });
  }

  run(): Promise<void> {
    this.#done ??= this.#runAll();
    return this.#done;
  }

  async #runAll(): Promise<void> {
    for (const { label, action } of this.#actions.reverse()) {
      try {
        await action();
      } catch (error) {
        // One failed undo must not leave the others undone (e.g. a child that refuses to die
        // still lets the database be dropped).
        process.stderr.write(`bench: cleanup "${label}" failed: ${(error as Error).message}\n`);
      }
    }
    this.#actions = [];
  }
}
