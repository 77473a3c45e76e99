// A derive worker that fails at load (a native binding that cannot be loaded, a bundle that does not
// parse): the worker-deriver must hand derivation to the receiver's thread (derive-worker-fallback.test.ts).
throw new Error('the derive worker could not load (test stand-in)');
