// Seeded pseudo-random numbers (xoshiro256**, seeded through splitmix64). Used for ASLR and by
// randomized tests; deterministic for a given seed. Not thread-safe: one state per user.
#ifndef ZXVM_BASE_PRNG_H_
#define ZXVM_BASE_PRNG_H_

#include "base/compiler.h"

struct prng {
  uint64_t s[4];
};

void prng_seed(struct prng* p, uint64_t seed);
uint64_t prng_next(struct prng* p);
// Uniform in [0, bound), bound > 0, without modulo bias.
uint64_t prng_uniform(struct prng* p, uint64_t bound);

#endif  // ZXVM_BASE_PRNG_H_
