import { randomBytes } from 'node:crypto';

/** One note of the memory tool. */
export interface MemoryNote {
  id: string;
  note: string;
  /** ISO 8601. */
  created_at: string;
}

/**
 * Where the memory tool keeps notes, per scope (an API key's name). Notes beyond the store's
 * limit push out the oldest ones.
 */
export interface MemoryStore {
  add(scope: string, note: string): Promise<MemoryNote>;
  /** Every note of the scope, newest first. */
  list(scope: string): Promise<MemoryNote[]>;
  /** Whether a note with that id was there. */
  remove(scope: string, id: string): Promise<boolean>;
}

export function newNote(note: string, now = new Date()): MemoryNote {
  return { id: `n_${randomBytes(5).toString('hex')}`, note, created_at: now.toISOString() };
}

/** The default store: this process's memory, lost on restart, not shared between replicas. */
export class InMemoryMemoryStore implements MemoryStore {
  /** Oldest first, per scope. */
  private readonly scopes = new Map<string, MemoryNote[]>();

  constructor(private readonly maxNotes: number) {}

  add(scope: string, note: string): Promise<MemoryNote> {
    const entry = newNote(note);
    let notes = this.scopes.get(scope);
    if (!notes) {
      notes = [];
      this.scopes.set(scope, notes);
    }
    notes.push(entry);
    if (notes.length > this.maxNotes) notes.splice(0, notes.length - this.maxNotes);
    return Promise.resolve(entry);
  }

  list(scope: string): Promise<MemoryNote[]> {
    return Promise.resolve([...(this.scopes.get(scope) ?? [])].reverse());
  }

  remove(scope: string, id: string): Promise<boolean> {
    const notes = this.scopes.get(scope);
    const at = notes?.findIndex((n) => n.id === id) ?? -1;
    if (!notes || at === -1) return Promise.resolve(false);
    notes.splice(at, 1);
    if (notes.length === 0) this.scopes.delete(scope);
    return Promise.resolve(true);
  }
}
