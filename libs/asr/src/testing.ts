// Speech for tests and benchmarks (Debian's flite): not part of the service's code.
export * from './test-speech';
