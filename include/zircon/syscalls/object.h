// zx_object_get_info() topics and records, zx_object_get/set_property() properties, and thread
// states of the Fuchsia ABI (zircon/syscalls/object.h).
//
// A topic number carries a version in its top 4 bits. When a record grows, the plain name moves to
// the new number and the old record keeps a versioned name (ZX_INFO_VMO_V3, zx_info_vmo_v3_t, ...);
// a program built against older headers keeps sending the old number, so the kernel answers every
// version by its number. Each record is laid out for LP64 exactly as Fuchsia lays it out.
#ifndef ZIRCON_SYSCALLS_OBJECT_H_
#define ZIRCON_SYSCALLS_OBJECT_H_

#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

// clang-format off

// Builds topic |t| at version |v|.
#define __ZX_INFO_TOPIC(t, v) ((zx_object_info_topic_t)((t) | ((v) << 28)))

typedef uint32_t zx_object_info_topic_t;

// Topics; the comment names the record and whether one (1) or an array (n) is returned.
#define ZX_INFO_NONE                        ((zx_object_info_topic_t)0u)
#define ZX_INFO_HANDLE_VALID                ((zx_object_info_topic_t)1u)   // no record
#define ZX_INFO_HANDLE_BASIC                ((zx_object_info_topic_t)2u)   // zx_info_handle_basic_t[1]
#define ZX_INFO_PROCESS                     __ZX_INFO_TOPIC(3u, 1u)        // zx_info_process_t[1]
#define ZX_INFO_PROCESS_THREADS             ((zx_object_info_topic_t)4u)   // zx_koid_t[n]
#define ZX_INFO_VMAR                        ((zx_object_info_topic_t)7u)   // zx_info_vmar_t[1]
#define ZX_INFO_JOB_CHILDREN                ((zx_object_info_topic_t)8u)   // zx_koid_t[n]
#define ZX_INFO_JOB_PROCESSES               ((zx_object_info_topic_t)9u)   // zx_koid_t[n]
#define ZX_INFO_THREAD                      ((zx_object_info_topic_t)10u)  // zx_info_thread_t[1]
#define ZX_INFO_THREAD_EXCEPTION_REPORT_V1  __ZX_INFO_TOPIC(11u, 0u)       // zx_exception_report_t[1]
#define ZX_INFO_THREAD_EXCEPTION_REPORT     __ZX_INFO_TOPIC(11u, 1u)       // zx_exception_report_t[1]
#define ZX_INFO_TASK_STATS_V1               __ZX_INFO_TOPIC(12u, 0u)       // zx_info_task_stats_v1_t[1]
#define ZX_INFO_TASK_STATS                  __ZX_INFO_TOPIC(12u, 1u)       // zx_info_task_stats_t[1]
#define ZX_INFO_PROCESS_MAPS_V1             __ZX_INFO_TOPIC(13u, 0u)       // zx_info_maps_v1_t[n]
#define ZX_INFO_PROCESS_MAPS_V2             __ZX_INFO_TOPIC(13u, 1u)       // zx_info_maps_v2_t[n]
#define ZX_INFO_PROCESS_MAPS                __ZX_INFO_TOPIC(13u, 2u)       // zx_info_maps_t[n]
#define ZX_INFO_PROCESS_VMOS_V1             __ZX_INFO_TOPIC(14u, 0u)       // zx_info_vmo_v1_t[n]
#define ZX_INFO_PROCESS_VMOS_V2             __ZX_INFO_TOPIC(14u, 1u)       // zx_info_vmo_v2_t[n]
#define ZX_INFO_PROCESS_VMOS_V3             __ZX_INFO_TOPIC(14u, 2u)       // zx_info_vmo_v3_t[n]
#define ZX_INFO_PROCESS_VMOS                __ZX_INFO_TOPIC(14u, 3u)       // zx_info_vmo_t[n]
#define ZX_INFO_THREAD_STATS                ((zx_object_info_topic_t)15u)  // zx_info_thread_stats_t[1]
#define ZX_INFO_CPU_STATS                   ((zx_object_info_topic_t)16u)
#define ZX_INFO_KMEM_STATS_V1               __ZX_INFO_TOPIC(17u, 0u)
#define ZX_INFO_KMEM_STATS                  __ZX_INFO_TOPIC(17u, 1u)
#define ZX_INFO_RESOURCE                    ((zx_object_info_topic_t)18u)
#define ZX_INFO_HANDLE_COUNT                ((zx_object_info_topic_t)19u)  // zx_info_handle_count_t[1]
#define ZX_INFO_BTI                         ((zx_object_info_topic_t)20u)
#define ZX_INFO_PROCESS_HANDLE_STATS        ((zx_object_info_topic_t)21u)
#define ZX_INFO_SOCKET                      ((zx_object_info_topic_t)22u)
#define ZX_INFO_VMO_V1                      __ZX_INFO_TOPIC(23u, 0u)       // zx_info_vmo_v1_t[1]
#define ZX_INFO_VMO_V2                      __ZX_INFO_TOPIC(23u, 1u)       // zx_info_vmo_v2_t[1]
#define ZX_INFO_VMO_V3                      __ZX_INFO_TOPIC(23u, 2u)       // zx_info_vmo_v3_t[1]
#define ZX_INFO_VMO                         __ZX_INFO_TOPIC(23u, 3u)       // zx_info_vmo_t[1]
#define ZX_INFO_JOB                         ((zx_object_info_topic_t)24u)
#define ZX_INFO_TIMER                       ((zx_object_info_topic_t)25u)
#define ZX_INFO_STREAM                      ((zx_object_info_topic_t)26u)
#define ZX_INFO_HANDLE_TABLE                ((zx_object_info_topic_t)27u)
#define ZX_INFO_MSI                         ((zx_object_info_topic_t)28u)
#define ZX_INFO_GUEST_STATS                 ((zx_object_info_topic_t)29u)
#define ZX_INFO_TASK_RUNTIME_V1             __ZX_INFO_TOPIC(30u, 0u)
#define ZX_INFO_TASK_RUNTIME                __ZX_INFO_TOPIC(30u, 1u)
#define ZX_INFO_KMEM_STATS_EXTENDED         ((zx_object_info_topic_t)31u)
#define ZX_INFO_VCPU                        ((zx_object_info_topic_t)32u)
#define ZX_INFO_KMEM_STATS_COMPRESSION      ((zx_object_info_topic_t)33u)
#define ZX_INFO_IOB                         ((zx_object_info_topic_t)34u)
#define ZX_INFO_IOB_REGIONS                 ((zx_object_info_topic_t)35u)
#define ZX_INFO_VMAR_MAPS                   ((zx_object_info_topic_t)36u)  // zx_info_maps_t[n]
#define ZX_INFO_POWER_DOMAINS               ((zx_object_info_topic_t)37u)
#define ZX_INFO_MEMORY_STALL                ((zx_object_info_topic_t)38u)
#define ZX_INFO_INTERRUPT                   ((zx_object_info_topic_t)39u)
#define ZX_INFO_CLOCK_MAPPED_SIZE           ((zx_object_info_topic_t)40u)

// Return codes of a killed task.
#define ZX_TASK_RETCODE_SYSCALL_KILL            ((int64_t)-1024)
#define ZX_TASK_RETCODE_OOM_KILL                ((int64_t)-1025)
#define ZX_TASK_RETCODE_POLICY_KILL             ((int64_t)-1026)
#define ZX_TASK_RETCODE_VDSO_KILL               ((int64_t)-1027)
#define ZX_TASK_RETCODE_EXCEPTION_KILL          ((int64_t)-1028)
#define ZX_TASK_RETCODE_CRITICAL_PROCESS_KILL   ((int64_t)-1029)

// No CPU (e.g. a thread never scheduled).
#define ZX_INFO_INVALID_CPU                 ((uint32_t)0xFFFFFFFFu)

// clang-format on

// ---- ZX_INFO_HANDLE_BASIC ----

typedef struct zx_info_handle_basic {
  zx_koid_t koid;
  zx_rights_t rights;
  zx_obj_type_t type;
  // The object this one is tied to (peer, parent, ...), or 0.
  zx_koid_t related_koid;
  uint32_t reserved;
  uint8_t padding1[4];
} zx_info_handle_basic_t;

// ---- ZX_INFO_HANDLE_COUNT ----

typedef struct zx_info_handle_count {
  uint32_t handle_count;
} zx_info_handle_count_t;

// ---- ZX_INFO_PROCESS ----

typedef uint32_t zx_info_process_flags_t;

#define ZX_INFO_PROCESS_FLAG_STARTED ((zx_info_process_flags_t)(1u << 0))
#define ZX_INFO_PROCESS_FLAG_EXITED ((zx_info_process_flags_t)(1u << 1))
#define ZX_INFO_PROCESS_FLAG_DEBUGGER_ATTACHED ((zx_info_process_flags_t)(1u << 2))

typedef struct zx_info_process {
  // Valid once ZX_INFO_PROCESS_FLAG_EXITED is set.
  int64_t return_code;
  // Valid once ZX_INFO_PROCESS_FLAG_STARTED is set.
  zx_instant_mono_t start_time;
  zx_info_process_flags_t flags;
  uint8_t padding1[4];
} zx_info_process_t;

// ---- ZX_INFO_THREAD ----

typedef uint32_t zx_thread_state_t;

typedef struct zx_info_thread {
  zx_thread_state_t state;
  // When blocked in an exception: the ZX_EXCEPTION_CHANNEL_TYPE_* of the handler waited for.
  uint32_t wait_exception_channel_type;
  zx_cpu_set_t cpu_affinity_mask;
} zx_info_thread_t;

typedef struct zx_info_thread_stats {
  zx_duration_mono_t total_runtime;
  uint32_t last_scheduled_cpu;
  uint8_t padding1[4];
} zx_info_thread_stats_t;

// ---- ZX_INFO_TASK_STATS ----

typedef struct zx_info_task_stats {
  size_t mem_mapped_bytes;
  size_t mem_private_bytes;
  size_t mem_shared_bytes;
  size_t mem_scaled_shared_bytes;
  // Fraction truncated from mem_scaled_shared_bytes, fixed point with 63 fractional bits.
  uint64_t mem_fractional_scaled_shared_bytes;
} zx_info_task_stats_t;

typedef struct zx_info_task_stats_v1 {
  size_t mem_mapped_bytes;
  size_t mem_private_bytes;
  size_t mem_shared_bytes;
  size_t mem_scaled_shared_bytes;
} zx_info_task_stats_v1_t;

// ---- ZX_INFO_VMAR ----

typedef struct zx_info_vmar {
  uintptr_t base;
  size_t len;
} zx_info_vmar_t;

// ---- ZX_INFO_PROCESS_MAPS, ZX_INFO_VMAR_MAPS ----

// A mapping entry. Byte counts cover the mapped window of the VMO. The scaled counts divide each
// shared byte by the number of VMOs referencing it; the fractional fields hold the truncated
// remainder in fixed point with 63 fractional bits (0x8000000000000000 is one byte).
typedef struct zx_info_maps_mapping {
  // ZX_VM_PERM_* bits.
  zx_vm_option_t mmu_flags;
  uint8_t padding1[4];
  zx_koid_t vmo_koid;
  uint64_t vmo_offset;
  size_t committed_bytes;
  size_t populated_bytes;
  size_t committed_private_bytes;
  size_t populated_private_bytes;
  size_t committed_scaled_bytes;
  size_t populated_scaled_bytes;
  uint64_t committed_fractional_scaled_bytes;
  uint64_t populated_fractional_scaled_bytes;
} zx_info_maps_mapping_t;

typedef struct zx_info_maps_mapping_v2 {
  zx_vm_option_t mmu_flags;
  uint8_t padding1[4];
  zx_koid_t vmo_koid;
  uint64_t vmo_offset;
  size_t committed_pages;
  size_t populated_pages;
} zx_info_maps_mapping_v2_t;

typedef struct zx_info_maps_mapping_v1 {
  zx_vm_option_t mmu_flags;
  uint8_t padding1[4];
  zx_koid_t vmo_koid;
  uint64_t vmo_offset;
  size_t committed_pages;
} zx_info_maps_mapping_v1_t;

// Kind of a zx_info_maps_t entry (not an object type: the aspace is not an object).
typedef uint32_t zx_info_maps_type_t;
#define ZX_INFO_MAPS_TYPE_NONE ((zx_info_maps_type_t)0u)
#define ZX_INFO_MAPS_TYPE_ASPACE ((zx_info_maps_type_t)1u)
#define ZX_INFO_MAPS_TYPE_VMAR ((zx_info_maps_type_t)2u)
#define ZX_INFO_MAPS_TYPE_MAPPING ((zx_info_maps_type_t)3u)

// One node of the aspace / VMAR / mapping tree. Entries come in depth-first pre-order; |depth| is
// 0 for the aspace, 1 for the root VMAR, and grows by one per level below.
typedef struct zx_info_maps {
  char name[ZX_MAX_NAME_LEN];
  zx_vaddr_t base;
  size_t size;
  size_t depth;
  zx_info_maps_type_t type;
  uint8_t padding1[4];
  union {
    // Valid when type == ZX_INFO_MAPS_TYPE_MAPPING.
    zx_info_maps_mapping_t mapping;
  } u;
} zx_info_maps_t;

typedef struct zx_info_maps_v2 {
  char name[ZX_MAX_NAME_LEN];
  zx_vaddr_t base;
  size_t size;
  size_t depth;
  zx_info_maps_type_t type;
  uint8_t padding1[4];
  union {
    zx_info_maps_mapping_v2_t mapping;
  } u;
} zx_info_maps_v2_t;

typedef struct zx_info_maps_v1 {
  char name[ZX_MAX_NAME_LEN];
  zx_vaddr_t base;
  size_t size;
  size_t depth;
  zx_info_maps_type_t type;
  uint8_t padding1[4];
  union {
    zx_info_maps_mapping_v1_t mapping;
  } u;
} zx_info_maps_v1_t;

// ---- ZX_INFO_VMO, ZX_INFO_PROCESS_VMOS ----

// clang-format off
// zx_info_vmo_t.flags. Bit 0 is the type: paged (RAM-backed) or physical.
#define ZX_INFO_VMO_TYPE_PAGED      (1u << 0)
#define ZX_INFO_VMO_TYPE_PHYSICAL   (0u << 0)
#define ZX_INFO_VMO_TYPE(flags)     ((flags) & (1u << 0))
#define ZX_INFO_VMO_RESIZABLE       (1u << 1)
// A copy-on-write child.
#define ZX_INFO_VMO_IS_COW_CLONE    (1u << 2)
// ZX_INFO_PROCESS_VMOS: the process reaches the VMO through a handle / a mapping / an IOB handle.
#define ZX_INFO_VMO_VIA_HANDLE      (1u << 3)
#define ZX_INFO_VMO_VIA_MAPPING     (1u << 4)
// Created by zx_pager_create_vmo(), or a child of such a VMO.
#define ZX_INFO_VMO_PAGER_BACKED    (1u << 5)
#define ZX_INFO_VMO_CONTIGUOUS      (1u << 6)
#define ZX_INFO_VMO_DISCARDABLE     (1u << 7)
// Immutable since its creation.
#define ZX_INFO_VMO_IMMUTABLE       (1u << 8)
#define ZX_INFO_VMO_VIA_IOB_HANDLE  (1u << 9)
// clang-format on

// The current VMO record (176 bytes). The committed/populated byte counts include pages shared
// with copy-on-write relatives; the *_private_* counts only pages no relative can see; the
// *_scaled_* counts split each shared page evenly between the VMOs sharing it, with the truncated
// fraction in the *_fractional_* fields (63 fractional bits).
typedef struct zx_info_vmo {
  zx_koid_t koid;
  char name[ZX_MAX_NAME_LEN];
  uint64_t size_bytes;
  // Parent of a child VMO, else 0.
  zx_koid_t parent_koid;
  size_t num_children;
  // Number of mappings (several in one address space count separately).
  size_t num_mappings;
  // Estimated number of distinct address spaces mapping the VMO.
  size_t share_count;
  // ZX_INFO_VMO_* bits.
  uint32_t flags;
  uint8_t padding1[4];
  uint64_t committed_bytes;
  // Rights of the handle the record was obtained through (when VIA_HANDLE / VIA_IOB_HANDLE).
  zx_rights_t handle_rights;
  // ZX_CACHE_POLICY_*.
  uint32_t cache_policy;
  // Kernel memory spent tracking the VMO.
  uint64_t metadata_bytes;
  // Times the kernel, unprompted, changed what committed_bytes would report.
  uint64_t committed_change_events;
  uint64_t populated_bytes;
  uint64_t committed_private_bytes;
  uint64_t populated_private_bytes;
  uint64_t committed_scaled_bytes;
  uint64_t populated_scaled_bytes;
  uint64_t committed_fractional_scaled_bytes;
  uint64_t populated_fractional_scaled_bytes;
} zx_info_vmo_t;

// ZX_INFO_VMO_V3 / ZX_INFO_PROCESS_VMOS_V3 (128 bytes).
typedef struct zx_info_vmo_v3 {
  zx_koid_t koid;
  char name[ZX_MAX_NAME_LEN];
  uint64_t size_bytes;
  zx_koid_t parent_koid;
  size_t num_children;
  size_t num_mappings;
  size_t share_count;
  uint32_t flags;
  uint8_t padding1[4];
  uint64_t committed_bytes;
  zx_rights_t handle_rights;
  uint32_t cache_policy;
  uint64_t metadata_bytes;
  uint64_t committed_change_events;
  uint64_t populated_bytes;
} zx_info_vmo_v3_t;

// ZX_INFO_VMO_V2 / ZX_INFO_PROCESS_VMOS_V2 (120 bytes).
typedef struct zx_info_vmo_v2 {
  zx_koid_t koid;
  char name[ZX_MAX_NAME_LEN];
  uint64_t size_bytes;
  zx_koid_t parent_koid;
  size_t num_children;
  size_t num_mappings;
  size_t share_count;
  uint32_t flags;
  uint8_t padding1[4];
  uint64_t committed_bytes;
  zx_rights_t handle_rights;
  uint32_t cache_policy;
  uint64_t metadata_bytes;
  uint64_t committed_change_events;
} zx_info_vmo_v2_t;

// ZX_INFO_VMO_V1 / ZX_INFO_PROCESS_VMOS_V1 (104 bytes).
typedef struct zx_info_vmo_v1 {
  zx_koid_t koid;
  char name[ZX_MAX_NAME_LEN];
  uint64_t size_bytes;
  zx_koid_t parent_koid;
  size_t num_children;
  size_t num_mappings;
  size_t share_count;
  uint32_t flags;
  uint8_t padding1[4];
  uint64_t committed_bytes;
  zx_rights_t handle_rights;
  uint32_t cache_policy;
} zx_info_vmo_v1_t;

// ---- Properties (zx_object_get_property / zx_object_set_property) ----

// clang-format off
// char[ZX_MAX_NAME_LEN], NUL-terminated.
#define ZX_PROP_NAME                        ((uint32_t)3u)
#if defined(__x86_64__)
// uintptr_t.
#define ZX_PROP_REGISTER_GS                 ((uint32_t)2u)
#define ZX_PROP_REGISTER_FS                 ((uint32_t)4u)
#endif
// uintptr_t: ld.so's debug address.
#define ZX_PROP_PROCESS_DEBUG_ADDR          ((uint32_t)5u)
// uintptr_t: base of the vDSO mapping, or 0.
#define ZX_PROP_PROCESS_VDSO_BASE_ADDRESS   ((uint32_t)6u)
#define ZX_PROP_PROCESS_BREAK_ON_LOAD       ((uint32_t)7u)
#define ZX_PROP_PROCESS_HW_TRACE_CONTEXT_ID ((uint32_t)8u)
// size_t.
#define ZX_PROP_SOCKET_RX_THRESHOLD         12u
#define ZX_PROP_SOCKET_TX_THRESHOLD         13u
#define ZX_PROP_JOB_KILL_ON_OOM             15u
// ZX_EXCEPTION_STATE_* on an exception handle.
#define ZX_PROP_EXCEPTION_STATE             16u
// uint64_t: content (stream) size of a VMO in bytes; may differ from the VMO size.
#define ZX_PROP_VMO_CONTENT_SIZE            17u
// ZX_EXCEPTION_STRATEGY_* on an exception handle.
#define ZX_PROP_EXCEPTION_STRATEGY          18u
// uint8_t.
#define ZX_PROP_STREAM_MODE_APPEND          19u

// ---- Thread states (zx_info_thread_t.state) ----

#define ZX_THREAD_STATE_NEW                 ((zx_thread_state_t)0x0000u)
#define ZX_THREAD_STATE_RUNNING             ((zx_thread_state_t)0x0001u)
#define ZX_THREAD_STATE_SUSPENDED           ((zx_thread_state_t)0x0002u)
// Never reported alone: always one of the ZX_THREAD_STATE_BLOCKED_* reasons below.
#define ZX_THREAD_STATE_BLOCKED             ((zx_thread_state_t)0x0003u)
#define ZX_THREAD_STATE_DYING               ((zx_thread_state_t)0x0004u)
#define ZX_THREAD_STATE_DEAD                ((zx_thread_state_t)0x0005u)
#define ZX_THREAD_STATE_BLOCKED_EXCEPTION   ((zx_thread_state_t)0x0103u)
#define ZX_THREAD_STATE_BLOCKED_SLEEPING    ((zx_thread_state_t)0x0203u)
#define ZX_THREAD_STATE_BLOCKED_FUTEX       ((zx_thread_state_t)0x0303u)
#define ZX_THREAD_STATE_BLOCKED_PORT        ((zx_thread_state_t)0x0403u)
#define ZX_THREAD_STATE_BLOCKED_CHANNEL     ((zx_thread_state_t)0x0503u)
#define ZX_THREAD_STATE_BLOCKED_WAIT_ONE    ((zx_thread_state_t)0x0603u)
#define ZX_THREAD_STATE_BLOCKED_WAIT_MANY   ((zx_thread_state_t)0x0703u)
#define ZX_THREAD_STATE_BLOCKED_INTERRUPT   ((zx_thread_state_t)0x0803u)
#define ZX_THREAD_STATE_BLOCKED_PAGER       ((zx_thread_state_t)0x0903u)
// The basic state of a precise one (e.g. any BLOCKED_* gives BLOCKED).
#define ZX_THREAD_STATE_BASIC(n) ((n) & 0xff)

// ZX_PROP_EXCEPTION_STATE values.
#define ZX_EXCEPTION_STATE_TRY_NEXT         0u
#define ZX_EXCEPTION_STATE_HANDLED          1u
#define ZX_EXCEPTION_STATE_THREAD_EXIT      2u

// ZX_PROP_EXCEPTION_STRATEGY values.
#define ZX_EXCEPTION_STRATEGY_FIRST_CHANCE  0u
#define ZX_EXCEPTION_STRATEGY_SECOND_CHANCE 1u
// clang-format on

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_OBJECT_H_
