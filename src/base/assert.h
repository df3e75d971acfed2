// Assertion tiers (STYLE.md): ZX_ASSERT always on (a broken invariant that would corrupt memory),
// ZX_DEBUG_ASSERT in debug builds (ZXVM_DEBUG), VM_VALIDATE full checkers in the testing build
// (ZXVM_TESTING). A failure panics, printing the function, the expression and the values given.
#ifndef ZXVM_BASE_ASSERT_H_
#define ZXVM_BASE_ASSERT_H_

#include "base/compiler.h"

// Prints "zxvm panic: <func>:<line>: <message>" to stderr and aborts. Never returns.
NORETURN void zxvm_panic(const char* func, int line, const char* fmt, ...) PRINTFLIKE(3, 4);

#define ZX_PANIC(fmt, ...) zxvm_panic(__func__, __LINE__, fmt, ##__VA_ARGS__)

#define ZX_ASSERT(x)                                       \
  do {                                                     \
    if (unlikely(!(x))) ZX_PANIC("ASSERT FAILED: %s", #x); \
  } while (0)

#define ZX_ASSERT_MSG(x, fmt, ...)                                              \
  do {                                                                          \
    if (unlikely(!(x))) ZX_PANIC("ASSERT FAILED: %s: " fmt, #x, ##__VA_ARGS__); \
  } while (0)

#ifdef ZXVM_DEBUG
#define ZXVM_DEBUG_ENABLED 1
#else
#define ZXVM_DEBUG_ENABLED 0
#endif

#ifdef ZXVM_TESTING
#define ZXVM_TESTING_ENABLED 1
#else
#define ZXVM_TESTING_ENABLED 0
#endif

#define ZX_DEBUG_ASSERT(x)                \
  do {                                    \
    if (ZXVM_DEBUG_ENABLED) ZX_ASSERT(x); \
  } while (0)

#define ZX_DEBUG_ASSERT_MSG(x, fmt, ...)                          \
  do {                                                            \
    if (ZXVM_DEBUG_ENABLED) ZX_ASSERT_MSG(x, fmt, ##__VA_ARGS__); \
  } while (0)

// Runs a full O(n) checker |fn(obj)| after a change, in the testing build only. The checker
// panics itself on the first broken invariant.
#define VM_VALIDATE(fn, obj)           \
  do {                                 \
    if (ZXVM_TESTING_ENABLED) fn(obj); \
  } while (0)

// Heap-object canaries: a 32-bit magic stored first in the struct, checked on entry in debug
// builds. MAGIC("VMAP") etc.
#define ZXVM_MAGIC(a, b, c, d) \
  ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define ZX_DEBUG_ASSERT_MAGIC(obj, m) \
  ZX_DEBUG_ASSERT_MSG((obj)->magic == (m), "bad magic %#x on %p", (obj)->magic, (void*)(obj))

#endif  // ZXVM_BASE_ASSERT_H_
