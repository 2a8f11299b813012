/** Nest injection token of the conference service's object storage (recordings). */
export const STORAGE = Symbol('STORAGE');
