/** Nest injection tokens for the infrastructure the services share. */
export const CONFIG = Symbol('CONFIG');
export const LOGGER = Symbol('LOGGER');
export const STORAGE = Symbol('STORAGE');
