import os from 'node:os';

// libuv's thread pool runs bcrypt and also jose's WebCrypto: with bcrypt allowed one thread
// per core (src/accounts/passwords.ts), two more threads keep token checks from queueing behind
// logins. The size is read when the pool first starts, so it is set before anything else loads.
process.env.UV_THREADPOOL_SIZE ??= String(os.availableParallelism() + 2);
await import('./start.ts');
