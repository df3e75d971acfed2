// Allocation-failure injection for the testing build (Lua ltests style). Every fallible
// allocation site (heap_alloc/heap_calloc and every pmm page allocation) calls
// alloc_fail_should_fail() first; when armed with alloc_fail_arm(n), the n-th such call from now
// (n >= 1) fails, once, and every call after it succeeds again. In non-testing builds
// alloc_fail_should_fail() is a constant false.
#ifndef ZXVM_BASE_ALLOC_FAIL_H_
#define ZXVM_BASE_ALLOC_FAIL_H_

#include "base/assert.h"

#ifdef ZXVM_TESTING
bool alloc_fail_should_fail(void);
// Arms the hook: the |n|-th allocation from now fails. n == 0 disarms.
void alloc_fail_arm(uint64_t n);
// True once the armed allocation has failed (so a sweep knows it reached every site).
bool alloc_fail_fired(void);
// Number of allocations counted since the last arm (to size a sweep).
uint64_t alloc_fail_count(void);
#else
static inline bool alloc_fail_should_fail(void) { return false; }
#endif

#endif  // ZXVM_BASE_ALLOC_FAIL_H_
