// Compiler helpers shared by every layer: visibility, attributes, container_of, page constants.
// Freestanding: includes only C11 headers.
#ifndef ZXVM_BASE_COMPILER_H_
#define ZXVM_BASE_COMPILER_H_

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>

#define ZXVM_EXPORT __attribute__((visibility("default")))
#define WARN_UNUSED __attribute__((warn_unused_result))
#define NORETURN __attribute__((noreturn))
#define PRINTFLIKE(f, a) __attribute__((format(printf, f, a)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define UNUSED __attribute__((unused))

#define countof(a) (sizeof(a) / sizeof((a)[0]))
#define containerof(ptr, type, member) ((type*)((char*)(ptr) - offsetof(type, member)))

#define PAGE_SIZE_SHIFT 12
#define PAGE_SIZE ((uint64_t)1 << PAGE_SIZE_SHIFT)
#define PAGE_MASK (PAGE_SIZE - 1)

#define IS_PAGE_ALIGNED(x) ((((uint64_t)(x)) & PAGE_MASK) == 0)
#define ROUNDDOWN_PAGE(x) (((uint64_t)(x)) & ~PAGE_MASK)

typedef uintptr_t vaddr_t;
typedef uintptr_t paddr_t;

#endif  // ZXVM_BASE_COMPILER_H_
