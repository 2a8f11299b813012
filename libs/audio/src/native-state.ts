/**
 * A C library's state (a codec's), reached through FFI, that must be freed by hand: `close()` it; a
 * closed one refuses work with the library's error.
 */
export abstract class NativeState {
  private state: unknown;

  protected constructor(
    state: unknown,
    private readonly failure: (message: string) => Error,
  ) {
    this.state = state;
  }

  close(): void {
    if (this.state) this.destroy(this.state);
    this.state = null;
  }

  protected abstract destroy(state: unknown): void;

  protected get native(): unknown {
    if (!this.state) throw this.failure(`the ${this.constructor.name} is closed`);
    return this.state;
  }
}
