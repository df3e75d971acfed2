// Basic types and option constants of the Fuchsia ABI (zircon/types.h): handles, statuses, signals,
// object types, and the option/op values of the VMO, VMAR, pager and cache calls. Names, values and
// layouts are facts of the ABI; a program written for Fuchsia compiles against this unchanged.
#ifndef ZIRCON_TYPES_H_
#define ZIRCON_TYPES_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/compiler.h>
#include <zircon/errors.h>
#include <zircon/rights.h>
#include <zircon/time.h>

__BEGIN_CDECLS

// clang-format off

// ---- Handles and statuses ----

typedef uint32_t zx_handle_t;

// 0 is never a valid handle; a valid handle always has both low bits set.
#define ZX_HANDLE_INVALID           ((zx_handle_t)0)
#define ZX_HANDLE_FIXED_BITS_MASK   ((zx_handle_t)0x3)

// 0 (ZX_OK) or a negative error from zircon/errors.h.
typedef int32_t zx_status_t;

// ---- Clocks ----

typedef uint32_t zx_clock_t;
#define ZX_CLOCK_MONOTONIC          ((zx_clock_t)0)
#define ZX_CLOCK_BOOT               ((zx_clock_t)1)

// ---- Signals ----

typedef uint32_t zx_signals_t;

#define ZX_SIGNAL_NONE              ((zx_signals_t)0u)
#define ZX_USER_SIGNAL_ALL          ((zx_signals_t)0xff000000u)

// Generic object signal bits; the per-object names below alias them.
#define __ZX_OBJECT_SIGNAL_ALL      ((zx_signals_t)0x00ffffffu)
#define __ZX_OBJECT_READABLE        ((zx_signals_t)1u << 0)
#define __ZX_OBJECT_WRITABLE        ((zx_signals_t)1u << 1)
#define __ZX_OBJECT_PEER_CLOSED     ((zx_signals_t)1u << 2)
#define __ZX_OBJECT_SIGNALED        ((zx_signals_t)1u << 3)
#define __ZX_OBJECT_SIGNAL_4        ((zx_signals_t)1u << 4)
#define __ZX_OBJECT_SIGNAL_5        ((zx_signals_t)1u << 5)
#define __ZX_OBJECT_SIGNAL_6        ((zx_signals_t)1u << 6)
#define __ZX_OBJECT_SIGNAL_7        ((zx_signals_t)1u << 7)
#define __ZX_OBJECT_SIGNAL_8        ((zx_signals_t)1u << 8)
#define __ZX_OBJECT_SIGNAL_9        ((zx_signals_t)1u << 9)
#define __ZX_OBJECT_SIGNAL_10       ((zx_signals_t)1u << 10)
#define __ZX_OBJECT_SIGNAL_11       ((zx_signals_t)1u << 11)
#define __ZX_OBJECT_SIGNAL_12       ((zx_signals_t)1u << 12)
#define __ZX_OBJECT_SIGNAL_13       ((zx_signals_t)1u << 13)
#define __ZX_OBJECT_SIGNAL_14       ((zx_signals_t)1u << 14)
#define __ZX_OBJECT_SIGNAL_15       ((zx_signals_t)1u << 15)
#define __ZX_OBJECT_SIGNAL_16       ((zx_signals_t)1u << 16)
#define __ZX_OBJECT_SIGNAL_17       ((zx_signals_t)1u << 17)
#define __ZX_OBJECT_SIGNAL_18       ((zx_signals_t)1u << 18)
#define __ZX_OBJECT_SIGNAL_19       ((zx_signals_t)1u << 19)
#define __ZX_OBJECT_SIGNAL_20       ((zx_signals_t)1u << 20)
#define __ZX_OBJECT_SIGNAL_21       ((zx_signals_t)1u << 21)
#define __ZX_OBJECT_SIGNAL_22       ((zx_signals_t)1u << 22)
#define __ZX_OBJECT_HANDLE_CLOSED   ((zx_signals_t)1u << 23)

// Free for user code (zx_object_signal).
#define ZX_USER_SIGNAL_0            ((zx_signals_t)1u << 24)
#define ZX_USER_SIGNAL_1            ((zx_signals_t)1u << 25)
#define ZX_USER_SIGNAL_2            ((zx_signals_t)1u << 26)
#define ZX_USER_SIGNAL_3            ((zx_signals_t)1u << 27)
#define ZX_USER_SIGNAL_4            ((zx_signals_t)1u << 28)
#define ZX_USER_SIGNAL_5            ((zx_signals_t)1u << 29)
#define ZX_USER_SIGNAL_6            ((zx_signals_t)1u << 30)
#define ZX_USER_SIGNAL_7            ((zx_signals_t)1u << 31)

// Reported to a waiter whose handle was closed during the wait.
#define ZX_SIGNAL_HANDLE_CLOSED     __ZX_OBJECT_HANDLE_CLOSED

#define ZX_EVENT_SIGNALED           __ZX_OBJECT_SIGNALED
#define ZX_EVENT_SIGNAL_MASK        (ZX_USER_SIGNAL_ALL | __ZX_OBJECT_SIGNALED)

#define ZX_EVENTPAIR_SIGNALED       __ZX_OBJECT_SIGNALED
#define ZX_EVENTPAIR_PEER_CLOSED    __ZX_OBJECT_PEER_CLOSED
#define ZX_EVENTPAIR_SIGNAL_MASK \
  (ZX_USER_SIGNAL_ALL | __ZX_OBJECT_SIGNALED | __ZX_OBJECT_PEER_CLOSED)

#define ZX_CHANNEL_READABLE         __ZX_OBJECT_READABLE
#define ZX_CHANNEL_WRITABLE         __ZX_OBJECT_WRITABLE
#define ZX_CHANNEL_PEER_CLOSED      __ZX_OBJECT_PEER_CLOSED

#define ZX_CLOCK_STARTED            __ZX_OBJECT_SIGNAL_4
#define ZX_CLOCK_UPDATED            __ZX_OBJECT_SIGNAL_5

#define ZX_SOCKET_READABLE            __ZX_OBJECT_READABLE
#define ZX_SOCKET_WRITABLE            __ZX_OBJECT_WRITABLE
#define ZX_SOCKET_PEER_CLOSED         __ZX_OBJECT_PEER_CLOSED
#define ZX_SOCKET_PEER_WRITE_DISABLED __ZX_OBJECT_SIGNAL_4
#define ZX_SOCKET_WRITE_DISABLED      __ZX_OBJECT_SIGNAL_5
#define ZX_SOCKET_READ_THRESHOLD      __ZX_OBJECT_SIGNAL_10
#define ZX_SOCKET_WRITE_THRESHOLD     __ZX_OBJECT_SIGNAL_11

#define ZX_FIFO_READABLE            __ZX_OBJECT_READABLE
#define ZX_FIFO_WRITABLE            __ZX_OBJECT_WRITABLE
#define ZX_FIFO_PEER_CLOSED         __ZX_OBJECT_PEER_CLOSED

#define ZX_TASK_TERMINATED          __ZX_OBJECT_SIGNALED

#define ZX_JOB_TERMINATED           __ZX_OBJECT_SIGNALED
#define ZX_JOB_NO_JOBS              __ZX_OBJECT_SIGNAL_4
#define ZX_JOB_NO_PROCESSES         __ZX_OBJECT_SIGNAL_5

#define ZX_PROCESS_TERMINATED       __ZX_OBJECT_SIGNALED

#define ZX_THREAD_TERMINATED        __ZX_OBJECT_SIGNALED
#define ZX_THREAD_RUNNING           __ZX_OBJECT_SIGNAL_4
#define ZX_THREAD_SUSPENDED         __ZX_OBJECT_SIGNAL_5

#define ZX_LOG_READABLE             __ZX_OBJECT_READABLE
#define ZX_LOG_WRITABLE             __ZX_OBJECT_WRITABLE

#define ZX_TIMER_SIGNALED           __ZX_OBJECT_SIGNALED

// Asserted while a VMO has no children (a child kept alive only by a mapping still counts).
#define ZX_VMO_ZERO_CHILDREN        __ZX_OBJECT_SIGNALED

#define ZX_IOB_PEER_CLOSED          __ZX_OBJECT_PEER_CLOSED

#define ZX_COUNTER_SIGNALED         __ZX_OBJECT_SIGNALED
#define ZX_COUNTER_POSITIVE         __ZX_OBJECT_SIGNAL_4
#define ZX_COUNTER_NON_POSITIVE     __ZX_OBJECT_SIGNAL_5

#define ZX_VIRTUAL_INTERRUPT_UNTRIGGERED __ZX_OBJECT_SIGNAL_4

// ---- Kernel object ids ----

// 63-bit ids; ids with the top bit set are free for tools to invent.
typedef uint64_t zx_koid_t;
#define ZX_KOID_INVALID             ((uint64_t)0)
#define ZX_KOID_KERNEL              ((uint64_t)1)
// The first 1024 ids are reserved.
#define ZX_KOID_FIRST               ((uint64_t)1024)

// ---- zx_object_wait_many ----

#define ZX_WAIT_MANY_MAX_ITEMS      ((size_t)64)

typedef struct zx_wait_item {
  zx_handle_t handle;
  zx_signals_t waitfor;
  zx_signals_t pending;
} zx_wait_item_t;

// ---- VMOs ----

// zx_vmo_create() options (bit 0 is unused).
#define ZX_VMO_RESIZABLE            ((uint32_t)1u << 1)
#define ZX_VMO_DISCARDABLE          ((uint32_t)1u << 2)
#define ZX_VMO_TRAP_DIRTY           ((uint32_t)1u << 3)
#define ZX_VMO_UNBOUNDED            ((uint32_t)1u << 4)

// zx_vmo_op_range() ops. Values shared with ZX_VMAR_OP_* are equal on purpose.
#define ZX_VMO_OP_COMMIT                 ((uint32_t)1u)
#define ZX_VMO_OP_DECOMMIT               ((uint32_t)2u)
#define ZX_VMO_OP_LOCK                   ((uint32_t)3u)
#define ZX_VMO_OP_UNLOCK                 ((uint32_t)4u)
// 5 was the retired ZX_VMO_OP_LOOKUP.
#define ZX_VMO_OP_CACHE_SYNC             ((uint32_t)6u)
#define ZX_VMO_OP_CACHE_INVALIDATE       ((uint32_t)7u)
#define ZX_VMO_OP_CACHE_CLEAN            ((uint32_t)8u)
#define ZX_VMO_OP_CACHE_CLEAN_INVALIDATE ((uint32_t)9u)
#define ZX_VMO_OP_ZERO                   ((uint32_t)10u)
#define ZX_VMO_OP_TRY_LOCK               ((uint32_t)11u)
#define ZX_VMO_OP_DONT_NEED              ((uint32_t)12u)
#define ZX_VMO_OP_ALWAYS_NEED            ((uint32_t)13u)
#define ZX_VMO_OP_PREFETCH               ((uint32_t)14u)

// The buffer of ZX_VMO_OP_LOCK / ZX_VMO_OP_TRY_LOCK: the range now locked, and the sub-range of it
// that had been discarded before the lock (both discarded fields 0 if nothing was).
typedef struct zx_vmo_lock_state {
  uint64_t offset;
  uint64_t size;
  uint64_t discarded_offset;
  uint64_t discarded_size;
} zx_vmo_lock_state_t;

// zx_vmo_create_child() options. Exactly one of SNAPSHOT, SNAPSHOT_AT_LEAST_ON_WRITE, SLICE,
// REFERENCE and SNAPSHOT_MODIFIED.
#define ZX_VMO_CHILD_SNAPSHOT                   ((uint32_t)1u << 0)
#define ZX_VMO_CHILD_RESIZABLE                  ((uint32_t)1u << 2)
#define ZX_VMO_CHILD_SLICE                      ((uint32_t)1u << 3)
#define ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE ((uint32_t)1u << 4)
#define ZX_VMO_CHILD_NO_WRITE                   ((uint32_t)1u << 5)
#define ZX_VMO_CHILD_REFERENCE                  ((uint32_t)1u << 6)
#define ZX_VMO_CHILD_SNAPSHOT_MODIFIED          ((uint32_t)1u << 7)
// Older names of the two copy-on-write kinds, still used by older programs.
#define ZX_VMO_CHILD_COPY_ON_WRITE              ZX_VMO_CHILD_SNAPSHOT
#define ZX_VMO_CHILD_PRIVATE_PAGER_COPY         ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE

// ---- VMARs ----

// zx_vmar_op_range() ops.
#define ZX_VMAR_OP_COMMIT           ((uint32_t)1u)
#define ZX_VMAR_OP_DECOMMIT         ((uint32_t)2u)
#define ZX_VMAR_OP_MAP_RANGE        ((uint32_t)3u)
#define ZX_VMAR_OP_ZERO             ((uint32_t)10u)
#define ZX_VMAR_OP_DONT_NEED        ((uint32_t)12u)
#define ZX_VMAR_OP_ALWAYS_NEED      ((uint32_t)13u)
#define ZX_VMAR_OP_PREFETCH         ((uint32_t)14u)

// Options of zx_vmar_allocate(), zx_vmar_map() and zx_vmar_protect().
typedef uint32_t zx_vm_option_t;
#define ZX_VM_PERM_READ                    ((zx_vm_option_t)(1u << 0))
#define ZX_VM_PERM_WRITE                   ((zx_vm_option_t)(1u << 1))
#define ZX_VM_PERM_EXECUTE                 ((zx_vm_option_t)(1u << 2))
#define ZX_VM_COMPACT                      ((zx_vm_option_t)(1u << 3))
#define ZX_VM_SPECIFIC                     ((zx_vm_option_t)(1u << 4))
#define ZX_VM_SPECIFIC_OVERWRITE           ((zx_vm_option_t)(1u << 5))
#define ZX_VM_CAN_MAP_SPECIFIC             ((zx_vm_option_t)(1u << 6))
#define ZX_VM_CAN_MAP_READ                 ((zx_vm_option_t)(1u << 7))
#define ZX_VM_CAN_MAP_WRITE                ((zx_vm_option_t)(1u << 8))
#define ZX_VM_CAN_MAP_EXECUTE              ((zx_vm_option_t)(1u << 9))
#define ZX_VM_MAP_RANGE                    ((zx_vm_option_t)(1u << 10))
#define ZX_VM_REQUIRE_NON_RESIZABLE        ((zx_vm_option_t)(1u << 11))
#define ZX_VM_ALLOW_FAULTS                 ((zx_vm_option_t)(1u << 12))
#define ZX_VM_OFFSET_IS_UPPER_LIMIT        ((zx_vm_option_t)(1u << 13))
#define ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED ((zx_vm_option_t)(1u << 14))
#define ZX_VM_FAULT_BEYOND_STREAM_SIZE     ((zx_vm_option_t)(1u << 15))

// Alignment requests: log2 of the alignment in bits 24..31; valid log2 values are 10..32.
#define ZX_VM_ALIGN_BASE            24
#define ZX_VM_ALIGN_1KB             ((zx_vm_option_t)(10u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_2KB             ((zx_vm_option_t)(11u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_4KB             ((zx_vm_option_t)(12u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_8KB             ((zx_vm_option_t)(13u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_16KB            ((zx_vm_option_t)(14u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_32KB            ((zx_vm_option_t)(15u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_64KB            ((zx_vm_option_t)(16u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_128KB           ((zx_vm_option_t)(17u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_256KB           ((zx_vm_option_t)(18u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_512KB           ((zx_vm_option_t)(19u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_1MB             ((zx_vm_option_t)(20u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_2MB             ((zx_vm_option_t)(21u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_4MB             ((zx_vm_option_t)(22u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_8MB             ((zx_vm_option_t)(23u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_16MB            ((zx_vm_option_t)(24u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_32MB            ((zx_vm_option_t)(25u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_64MB            ((zx_vm_option_t)(26u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_128MB           ((zx_vm_option_t)(27u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_256MB           ((zx_vm_option_t)(28u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_512MB           ((zx_vm_option_t)(29u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_1GB             ((zx_vm_option_t)(30u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_2GB             ((zx_vm_option_t)(31u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_4GB             ((zx_vm_option_t)(32u << ZX_VM_ALIGN_BASE))

// Deprecated spellings of the ZX_VM_* bits above (same values).
#define ZX_VM_FLAG_PERM_READ              ((uint32_t)1u << 0)
#define ZX_VM_FLAG_PERM_WRITE             ((uint32_t)1u << 1)
#define ZX_VM_FLAG_PERM_EXECUTE           ((uint32_t)1u << 2)
#define ZX_VM_FLAG_COMPACT                ((uint32_t)1u << 3)
#define ZX_VM_FLAG_SPECIFIC               ((uint32_t)1u << 4)
#define ZX_VM_FLAG_SPECIFIC_OVERWRITE     ((uint32_t)1u << 5)
#define ZX_VM_FLAG_CAN_MAP_SPECIFIC       ((uint32_t)1u << 6)
#define ZX_VM_FLAG_CAN_MAP_READ           ((uint32_t)1u << 7)
#define ZX_VM_FLAG_CAN_MAP_WRITE          ((uint32_t)1u << 8)
#define ZX_VM_FLAG_CAN_MAP_EXECUTE        ((uint32_t)1u << 9)
#define ZX_VM_FLAG_MAP_RANGE              ((uint32_t)1u << 10)
#define ZX_VM_FLAG_REQUIRE_NON_RESIZABLE  ((uint32_t)1u << 11)

// ---- Pagers ----

// zx_pager_op_range() ops.
#define ZX_PAGER_OP_FAIL            ((uint32_t)1u)
#define ZX_PAGER_OP_DIRTY           ((uint32_t)2u)
#define ZX_PAGER_OP_WRITEBACK_BEGIN ((uint32_t)3u)
#define ZX_PAGER_OP_WRITEBACK_END   ((uint32_t)4u)

// The buffer of zx_pager_query_vmo_stats().
typedef struct zx_pager_vmo_stats {
  // ZX_PAGER_VMO_STATS_MODIFIED if the VMO was written since the last reset, else 0.
  uint32_t modified;
} zx_pager_vmo_stats_t;

// zx_pager_vmo_stats_t.modified value.
#define ZX_PAGER_VMO_STATS_MODIFIED ((uint32_t)1u)

// zx_pager_query_vmo_stats() option: clear the modified state after reading it.
#define ZX_PAGER_RESET_VMO_STATS    ((uint32_t)1u)

// ---- Addresses and I/O vectors ----

typedef uintptr_t zx_vaddr_t;
typedef uintptr_t zx_paddr_t;
// Guest-physical address (hypervisor).
typedef uintptr_t zx_gpaddr_t;
typedef uint64_t zx_off_t;

typedef struct zx_iovec {
  void* buffer;
  size_t capacity;
} zx_iovec_t;

// Longest kernel object name, terminating NUL included.
#define ZX_MAX_NAME_LEN             ((size_t)32u)

// ---- Cache policy and flushing ----

// zx_vmo_set_cache_policy() values.
#define ZX_CACHE_POLICY_CACHED          ((uint32_t)0u)
#define ZX_CACHE_POLICY_UNCACHED        ((uint32_t)1u)
#define ZX_CACHE_POLICY_UNCACHED_DEVICE ((uint32_t)2u)
#define ZX_CACHE_POLICY_WRITE_COMBINING ((uint32_t)3u)
#define ZX_CACHE_POLICY_MASK            ((uint32_t)3u)

// zx_cache_flush() options (INVALIDATE only together with DATA).
#define ZX_CACHE_FLUSH_INSN         ((uint32_t)1u << 0)
#define ZX_CACHE_FLUSH_DATA         ((uint32_t)1u << 1)
#define ZX_CACHE_FLUSH_INVALIDATE   ((uint32_t)1u << 2)

// ---- Object types ----

typedef uint32_t zx_obj_type_t;

#define ZX_OBJ_TYPE_NONE              ((zx_obj_type_t)0u)
#define ZX_OBJ_TYPE_PROCESS           ((zx_obj_type_t)1u)
#define ZX_OBJ_TYPE_THREAD            ((zx_obj_type_t)2u)
#define ZX_OBJ_TYPE_VMO               ((zx_obj_type_t)3u)
#define ZX_OBJ_TYPE_CHANNEL           ((zx_obj_type_t)4u)
#define ZX_OBJ_TYPE_EVENT             ((zx_obj_type_t)5u)
#define ZX_OBJ_TYPE_PORT              ((zx_obj_type_t)6u)
#define ZX_OBJ_TYPE_INTERRUPT         ((zx_obj_type_t)9u)
#define ZX_OBJ_TYPE_PCI_DEVICE        ((zx_obj_type_t)11u)
#define ZX_OBJ_TYPE_DEBUGLOG          ((zx_obj_type_t)12u)
#define ZX_OBJ_TYPE_SOCKET            ((zx_obj_type_t)14u)
#define ZX_OBJ_TYPE_RESOURCE          ((zx_obj_type_t)15u)
#define ZX_OBJ_TYPE_EVENTPAIR         ((zx_obj_type_t)16u)
#define ZX_OBJ_TYPE_JOB               ((zx_obj_type_t)17u)
#define ZX_OBJ_TYPE_VMAR              ((zx_obj_type_t)18u)
#define ZX_OBJ_TYPE_FIFO              ((zx_obj_type_t)19u)
#define ZX_OBJ_TYPE_GUEST             ((zx_obj_type_t)20u)
#define ZX_OBJ_TYPE_VCPU              ((zx_obj_type_t)21u)
#define ZX_OBJ_TYPE_TIMER             ((zx_obj_type_t)22u)
#define ZX_OBJ_TYPE_IOMMU             ((zx_obj_type_t)23u)
#define ZX_OBJ_TYPE_BTI               ((zx_obj_type_t)24u)
#define ZX_OBJ_TYPE_PROFILE           ((zx_obj_type_t)25u)
#define ZX_OBJ_TYPE_PMT               ((zx_obj_type_t)26u)
#define ZX_OBJ_TYPE_SUSPEND_TOKEN     ((zx_obj_type_t)27u)
#define ZX_OBJ_TYPE_PAGER             ((zx_obj_type_t)28u)
#define ZX_OBJ_TYPE_EXCEPTION         ((zx_obj_type_t)29u)
#define ZX_OBJ_TYPE_CLOCK             ((zx_obj_type_t)30u)
#define ZX_OBJ_TYPE_STREAM            ((zx_obj_type_t)31u)
#define ZX_OBJ_TYPE_MSI               ((zx_obj_type_t)32u)
#define ZX_OBJ_TYPE_IOB               ((zx_obj_type_t)33u)
#define ZX_OBJ_TYPE_COUNTER           ((zx_obj_type_t)34u)
#define ZX_OBJ_TYPE_IOB_SHARED_REGION ((zx_obj_type_t)35u)
// Older name.
#define ZX_OBJ_TYPE_LOG               ZX_OBJ_TYPE_DEBUGLOG
// The ABI promises at most 64 object types.
#define ZX_OBJ_TYPE_UPPER_BOUND       ((zx_obj_type_t)64u)

// ---- CPU sets ----

#define ZX_CPU_SET_MAX_CPUS 512
#define ZX_CPU_SET_BITS_PER_WORD 64

// CPU N is in the set when bit (N % 64) of mask[N / 64] is set.
typedef struct zx_cpu_set {
  uint64_t mask[ZX_CPU_SET_MAX_CPUS / ZX_CPU_SET_BITS_PER_WORD];
} zx_cpu_set_t;

// ---- Processes ----

// zx_process_create() option.
#define ZX_PROCESS_SHARED           ((uint32_t)1u << 0)

// clang-format on

__END_CDECLS

#endif  // ZIRCON_TYPES_H_
