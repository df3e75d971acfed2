// Allocation-failure injection (testing build only). A single global countdown: simple and
// deterministic for single-threaded sweeps; concurrent tests leave it disarmed.
#include "base/alloc_fail.h"

#ifdef ZXVM_TESTING
#include <stdatomic.h>

static _Atomic uint64_t countdown;  // 0 = disarmed
static _Atomic uint64_t counted;
static _Atomic bool fired;

bool alloc_fail_should_fail(void) {
  atomic_fetch_add_explicit(&counted, 1, memory_order_relaxed);
  uint64_t c = atomic_load_explicit(&countdown, memory_order_relaxed);
  while (c != 0) {
    if (atomic_compare_exchange_weak(&countdown, &c, c - 1)) {
      if (c == 1) {
        atomic_store(&fired, true);
        return true;
      }
      return false;
    }
  }
  return false;
}

void alloc_fail_arm(uint64_t n) {
  atomic_store(&fired, false);
  atomic_store(&counted, 0);
  atomic_store(&countdown, n);
}

bool alloc_fail_fired(void) { return atomic_load(&fired); }
uint64_t alloc_fail_count(void) { return atomic_load(&counted); }
#endif
