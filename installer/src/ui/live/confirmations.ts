// The engine asks before it changes an installed cluster. While the live view
// owns the terminal, readline cannot ask, so the question goes to the view.
import type { ResourceChange } from '../../install/events.ts';

export interface Question {
  readonly changes: readonly ResourceChange[];
  readonly answer: (yes: boolean) => void;
}

export class Confirmations {
  readonly #listeners = new Set<(question: Question | undefined) => void>();
  #current: Question | undefined;

  /** Asks whoever listens; resolves with their answer. */
  ask(changes: readonly ResourceChange[]): Promise<boolean> {
    return new Promise((resolve) => {
      this.#set({
        changes,
        answer: (yes) => {
          this.#set(undefined);
          resolve(yes);
        },
      });
    });
  }

  get current(): Question | undefined {
    return this.#current;
  }

  subscribe(listener: (question: Question | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(question: Question | undefined): void {
    this.#current = question;
    for (const listener of this.#listeners) listener(question);
  }
}
