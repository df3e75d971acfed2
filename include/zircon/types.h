// Basic types of the Fuchsia ABI (zircon/types.h). Names, values and layouts are facts of the ABI.
// The full set of option constants lands with the zx_ API (issue #5); the basic types live here.
#ifndef ZIRCON_TYPES_H_
#define ZIRCON_TYPES_H_

#include <stddef.h>
#include <stdint.h>
#include <zircon/errors.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t zx_status_t;
typedef uint32_t zx_handle_t;
typedef uint32_t zx_rights_t;
typedef uint32_t zx_vm_option_t;
typedef uintptr_t zx_vaddr_t;
typedef uintptr_t zx_paddr_t;
typedef uint64_t zx_off_t;
typedef uint64_t zx_koid_t;
typedef uint32_t zx_signals_t;
typedef uint32_t zx_obj_type_t;
typedef int64_t zx_time_t;
typedef int64_t zx_duration_t;

#define ZX_HANDLE_INVALID ((zx_handle_t)0)
#define ZX_HANDLE_FIXED_BITS_MASK ((zx_handle_t)0x3)
#define ZX_TIME_INFINITE INT64_MAX
#define ZX_TIME_INFINITE_PAST ((zx_time_t)0)
#define ZX_MAX_NAME_LEN ((size_t)32u)

// zx_vmo_create options.
#define ZX_VMO_RESIZABLE ((uint32_t)1u << 1)
#define ZX_VMO_DISCARDABLE ((uint32_t)1u << 2)
#define ZX_VMO_TRAP_DIRTY ((uint32_t)1u << 3)
#define ZX_VMO_UNBOUNDED ((uint32_t)1u << 4)

// zx_vmo_op_range ops.
#define ZX_VMO_OP_COMMIT 1u
#define ZX_VMO_OP_DECOMMIT 2u
#define ZX_VMO_OP_LOCK 3u
#define ZX_VMO_OP_UNLOCK 4u
#define ZX_VMO_OP_CACHE_SYNC 6u
#define ZX_VMO_OP_CACHE_INVALIDATE 7u
#define ZX_VMO_OP_CACHE_CLEAN 8u
#define ZX_VMO_OP_CACHE_CLEAN_INVALIDATE 9u
#define ZX_VMO_OP_ZERO 10u
#define ZX_VMO_OP_TRY_LOCK 11u
#define ZX_VMO_OP_DONT_NEED 12u
#define ZX_VMO_OP_ALWAYS_NEED 13u
#define ZX_VMO_OP_PREFETCH 14u

// Cache policies.
#define ZX_CACHE_POLICY_CACHED 0u
#define ZX_CACHE_POLICY_UNCACHED 1u
#define ZX_CACHE_POLICY_UNCACHED_DEVICE 2u
#define ZX_CACHE_POLICY_WRITE_COMBINING 3u
#define ZX_CACHE_POLICY_MASK 3u

#ifdef __cplusplus
}
#endif

#endif  // ZIRCON_TYPES_H_
