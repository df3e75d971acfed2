// Shared helpers for zxvm's cmocka tests: seeds for randomized tests (printed, replayable through
// ZXVM_TEST_SEED) and status assertions that print status names.
#ifndef ZXVM_TESTS_TEST_UTIL_H_
#define ZXVM_TESTS_TEST_UTIL_H_

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
// cmocka after the headers it needs.
#include <cmocka.h>

// Returns the seed for a randomized test: ZXVM_TEST_SEED if set, else a fresh one. Always prints
// it, so any failure can be replayed with ZXVM_TEST_SEED=<seed>.
static inline uint64_t test_seed(const char* test_name) {
  const char* env = getenv("ZXVM_TEST_SEED");
  uint64_t seed;
  if (env && *env) {
    seed = strtoull(env, NULL, 0);
  } else {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20);
  }
  printf("[seed] %s: ZXVM_TEST_SEED=%" PRIu64 "\n", test_name, seed);
  fflush(stdout);
  return seed;
}

#define assert_status(expected, actual) assert_int_equal((int)(expected), (int)(actual))
#define assert_ok(actual) assert_int_equal(0, (int)(actual))

#endif  // ZXVM_TESTS_TEST_UTIL_H_
