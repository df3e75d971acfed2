// The public zircon/ headers against the ABI reference (shared/reference/zx-abi.md, checked
// against Fuchsia's own headers): every constant's value, every record's size and field offsets,
// and the types of the option constants. Each table is checked twice: at compile time
// (_Static_assert, so a wrong header does not even build) and at run time (so the report names
// the entry). Calls no zx_* function; only the headers' inline time helpers run.
#include <string.h>
#include <zircon/errors.h>
#include <zircon/features.h>
#include <zircon/rights.h>
#include <zircon/syscalls-next.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/port.h>
#include <zircon/time.h>
#include <zircon/types.h>

#include "test_util.h"

// One checked value: the expression as written, its value, and the reference value.
struct abi_value {
  const char* name;
  uint64_t actual;
  uint64_t expected;
};

#define ABI_STATIC_VALUE(a, e) _Static_assert((uint64_t)(a) == (uint64_t)(e), #a " != " #e);
#define ABI_ROW(a, e) {#a, (uint64_t)(a), (uint64_t)(e)},

static void check_values(const struct abi_value* rows, size_t count) {
  int bad = 0;
  for (size_t i = 0; i < count; i++) {
    if (rows[i].actual != rows[i].expected) {
      print_error("%s = 0x%" PRIx64 ", reference 0x%" PRIx64 "\n", rows[i].name, rows[i].actual,
                  rows[i].expected);
      bad++;
    }
  }
  assert_int_equal(0, bad);
}

#define CHECK_TABLE(rows) check_values(rows, sizeof(rows) / sizeof((rows)[0]))

// ---- Section 1: status codes ----

#define STATUS_TABLE(X)                 \
  X(ZX_OK, 0)                           \
  X(ZX_ERR_INTERNAL, -1)                \
  X(ZX_ERR_NOT_SUPPORTED, -2)           \
  X(ZX_ERR_NO_RESOURCES, -3)            \
  X(ZX_ERR_NO_MEMORY, -4)               \
  X(ZX_ERR_INTERNAL_INTR_RETRY, -6)     \
  X(ZX_ERR_INVALID_ARGS, -10)           \
  X(ZX_ERR_BAD_HANDLE, -11)             \
  X(ZX_ERR_WRONG_TYPE, -12)             \
  X(ZX_ERR_BAD_SYSCALL, -13)            \
  X(ZX_ERR_OUT_OF_RANGE, -14)           \
  X(ZX_ERR_BUFFER_TOO_SMALL, -15)       \
  X(ZX_ERR_BAD_STATE, -20)              \
  X(ZX_ERR_TIMED_OUT, -21)              \
  X(ZX_ERR_SHOULD_WAIT, -22)            \
  X(ZX_ERR_CANCELED, -23)               \
  X(ZX_ERR_PEER_CLOSED, -24)            \
  X(ZX_ERR_NOT_FOUND, -25)              \
  X(ZX_ERR_ALREADY_EXISTS, -26)         \
  X(ZX_ERR_ALREADY_BOUND, -27)          \
  X(ZX_ERR_UNAVAILABLE, -28)            \
  X(ZX_ERR_ACCESS_DENIED, -30)          \
  X(ZX_ERR_IO, -40)                     \
  X(ZX_ERR_IO_REFUSED, -41)             \
  X(ZX_ERR_IO_DATA_INTEGRITY, -42)      \
  X(ZX_ERR_IO_DATA_LOSS, -43)           \
  X(ZX_ERR_IO_NOT_PRESENT, -44)         \
  X(ZX_ERR_IO_OVERRUN, -45)             \
  X(ZX_ERR_IO_MISSED_DEADLINE, -46)     \
  X(ZX_ERR_IO_INVALID, -47)             \
  X(ZX_ERR_BAD_PATH, -50)               \
  X(ZX_ERR_NOT_DIR, -51)                \
  X(ZX_ERR_NOT_FILE, -52)               \
  X(ZX_ERR_FILE_BIG, -53)               \
  X(ZX_ERR_NO_SPACE, -54)               \
  X(ZX_ERR_NOT_EMPTY, -55)              \
  X(ZX_ERR_STOP, -60)                   \
  X(ZX_ERR_NEXT, -61)                   \
  X(ZX_ERR_ASYNC, -62)                  \
  X(ZX_ERR_PROTOCOL_NOT_SUPPORTED, -70) \
  X(ZX_ERR_ADDRESS_UNREACHABLE, -71)    \
  X(ZX_ERR_ADDRESS_IN_USE, -72)         \
  X(ZX_ERR_NOT_CONNECTED, -73)          \
  X(ZX_ERR_CONNECTION_REFUSED, -74)     \
  X(ZX_ERR_CONNECTION_RESET, -75)       \
  X(ZX_ERR_CONNECTION_ABORTED, -76)     \
  X(ZX_ERR_INTERNAL_INTR_KILLED, -502)

STATUS_TABLE(ABI_STATIC_VALUE)
static const struct abi_value status_values[] = {STATUS_TABLE(ABI_ROW)};

static void abi_status_codes_match_reference(void** state) { CHECK_TABLE(status_values); }

// ---- Section 2: rights ----

#define RIGHTS_TABLE(X)                                                         \
  X(ZX_RIGHT_NONE, 0x0)                                                         \
  X(ZX_RIGHT_DUPLICATE, 0x1)                                                    \
  X(ZX_RIGHT_TRANSFER, 0x2)                                                     \
  X(ZX_RIGHT_READ, 0x4)                                                         \
  X(ZX_RIGHT_WRITE, 0x8)                                                        \
  X(ZX_RIGHT_EXECUTE, 0x10)                                                     \
  X(ZX_RIGHT_MAP, 0x20)                                                         \
  X(ZX_RIGHT_GET_PROPERTY, 0x40)                                                \
  X(ZX_RIGHT_SET_PROPERTY, 0x80)                                                \
  X(ZX_RIGHT_ENUMERATE, 0x100)                                                  \
  X(ZX_RIGHT_DESTROY, 0x200)                                                    \
  X(ZX_RIGHT_SET_POLICY, 0x400)                                                 \
  X(ZX_RIGHT_GET_POLICY, 0x800)                                                 \
  X(ZX_RIGHT_SIGNAL, 0x1000)                                                    \
  X(ZX_RIGHT_SIGNAL_PEER, 0x2000)                                               \
  X(ZX_RIGHT_WAIT, 0x4000)                                                      \
  X(ZX_RIGHT_INSPECT, 0x8000)                                                   \
  X(ZX_RIGHT_MANAGE_JOB, 0x10000)                                               \
  X(ZX_RIGHT_MANAGE_PROCESS, 0x20000)                                           \
  X(ZX_RIGHT_MANAGE_THREAD, 0x40000)                                            \
  X(ZX_RIGHT_APPLY_PROFILE, 0x80000)                                            \
  X(ZX_RIGHT_MANAGE_SOCKET, 0x100000)                                           \
  X(ZX_RIGHT_OP_CHILDREN, 0x200000)                                             \
  X(ZX_RIGHT_RESIZE, 0x400000)                                                  \
  X(ZX_RIGHT_ATTACH_VMO, 0x800000)                                              \
  X(ZX_RIGHT_MANAGE_VMO, 0x1000000)                                             \
  X(ZX_RIGHT_SAME_RIGHTS, 0x80000000)                                           \
  X(ZX_RIGHTS_BASIC, 0xC003)                                                    \
  X(ZX_RIGHTS_IO, 0xC)                                                          \
  X(ZX_RIGHTS_PROPERTY, 0xC0)                                                   \
  X(ZX_RIGHTS_POLICY, 0xC00)                                                    \
  X(ZX_DEFAULT_VMO_RIGHTS, 0xD0EF)                                              \
  /* zx-abi.md prints 0x4D0EF: a slip, RESIZE is 0x400000 */                    \
  X(ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_RESIZE, 0x40D0EF)                          \
  X(ZX_DEFAULT_VMAR_RIGHTS, 0x208003)                                           \
  X(ZX_DEFAULT_PAGER_RIGHTS, 0x1808002)                                         \
  X(ZX_DEFAULT_PORT_RIGHTS, 0x800F)                                             \
  /* BASIC|IO|PROPERTY|ENUMERATE|DESTROY|SIGNAL|MANAGE_PROCESS|MANAGE_THREAD */ \
  X(ZX_DEFAULT_PROCESS_RIGHTS, 0x6D3CF)

RIGHTS_TABLE(ABI_STATIC_VALUE)
static const struct abi_value rights_values[] = {RIGHTS_TABLE(ABI_ROW)};

static void abi_rights_match_reference(void** state) { CHECK_TABLE(rights_values); }

// ---- Basic types, object types, signals (sections 0 and 3) ----

#define OBJECT_TABLE(X)                 \
  X(ZX_HANDLE_INVALID, 0)               \
  X(ZX_HANDLE_FIXED_BITS_MASK, 0x3)     \
  X(ZX_KOID_INVALID, 0)                 \
  X(ZX_KOID_KERNEL, 1)                  \
  X(ZX_KOID_FIRST, 1024)                \
  X(ZX_MAX_NAME_LEN, 32)                \
  X(ZX_TIME_INFINITE, INT64_MAX)        \
  X(ZX_TIME_INFINITE_PAST, INT64_MIN)   \
  X(ZX_CLOCK_MONOTONIC, 0)              \
  X(ZX_CLOCK_BOOT, 1)                   \
  X(ZX_OBJ_TYPE_NONE, 0)                \
  X(ZX_OBJ_TYPE_PROCESS, 1)             \
  X(ZX_OBJ_TYPE_THREAD, 2)              \
  X(ZX_OBJ_TYPE_VMO, 3)                 \
  X(ZX_OBJ_TYPE_CHANNEL, 4)             \
  X(ZX_OBJ_TYPE_EVENT, 5)               \
  X(ZX_OBJ_TYPE_PORT, 6)                \
  X(ZX_OBJ_TYPE_JOB, 17)                \
  X(ZX_OBJ_TYPE_VMAR, 18)               \
  X(ZX_OBJ_TYPE_BTI, 24)                \
  X(ZX_OBJ_TYPE_PMT, 26)                \
  X(ZX_OBJ_TYPE_PAGER, 28)              \
  X(ZX_OBJ_TYPE_EXCEPTION, 29)          \
  X(ZX_OBJ_TYPE_STREAM, 31)             \
  X(ZX_OBJ_TYPE_UPPER_BOUND, 64)        \
  X(ZX_VMO_ZERO_CHILDREN, 0x8)          \
  X(ZX_SIGNAL_HANDLE_CLOSED, 1u << 23)  \
  X(ZX_THREAD_SUSPENDED, 1u << 5)       \
  X(ZX_CHANNEL_READABLE, 1u << 0)       \
  X(ZX_CHANNEL_PEER_CLOSED, 1u << 2)    \
  X(ZX_USER_SIGNAL_0, 1u << 24)         \
  X(ZX_USER_SIGNAL_1, 1u << 25)         \
  X(ZX_USER_SIGNAL_2, 1u << 26)         \
  X(ZX_USER_SIGNAL_3, 1u << 27)         \
  X(ZX_USER_SIGNAL_4, 1u << 28)         \
  X(ZX_USER_SIGNAL_5, 1u << 29)         \
  X(ZX_USER_SIGNAL_6, 1u << 30)         \
  X(ZX_USER_SIGNAL_7, 1u << 31)         \
  X(ZX_USER_SIGNAL_ALL, 0xff000000u)    \
  X(ZX_FEATURE_KIND_CPU, 0)             \
  X(ZX_FEATURE_KIND_ADDRESS_TAGGING, 3) \
  X(ZX_FEATURE_KIND_VM, 4)              \
  X(ZX_VM_FEATURE_CAN_MAP_XOM, 1u << 0)

OBJECT_TABLE(ABI_STATIC_VALUE)
static const struct abi_value object_values[] = {OBJECT_TABLE(ABI_ROW)};

static void abi_types_signals_match_reference(void** state) { CHECK_TABLE(object_values); }

// ---- Section 4: options and ops ----

#define VMO_OPTION_TABLE(X)                        \
  X(ZX_VMO_RESIZABLE, 0x2)                         \
  X(ZX_VMO_DISCARDABLE, 0x4)                       \
  X(ZX_VMO_TRAP_DIRTY, 0x8)                        \
  X(ZX_VMO_UNBOUNDED, 0x10)                        \
  X(ZX_VMO_CHILD_SNAPSHOT, 0x1)                    \
  X(ZX_VMO_CHILD_COPY_ON_WRITE, 0x1)               \
  X(ZX_VMO_CHILD_RESIZABLE, 0x4)                   \
  X(ZX_VMO_CHILD_SLICE, 0x8)                       \
  X(ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE, 0x10) \
  X(ZX_VMO_CHILD_PRIVATE_PAGER_COPY, 0x10)         \
  X(ZX_VMO_CHILD_NO_WRITE, 0x20)                   \
  X(ZX_VMO_CHILD_REFERENCE, 0x40)                  \
  X(ZX_VMO_CHILD_SNAPSHOT_MODIFIED, 0x80)          \
  X(ZX_VMO_OP_COMMIT, 1)                           \
  X(ZX_VMO_OP_DECOMMIT, 2)                         \
  X(ZX_VMO_OP_LOCK, 3)                             \
  X(ZX_VMO_OP_UNLOCK, 4)                           \
  X(ZX_VMO_OP_CACHE_SYNC, 6)                       \
  X(ZX_VMO_OP_CACHE_INVALIDATE, 7)                 \
  X(ZX_VMO_OP_CACHE_CLEAN, 8)                      \
  X(ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, 9)           \
  X(ZX_VMO_OP_ZERO, 10)                            \
  X(ZX_VMO_OP_TRY_LOCK, 11)                        \
  X(ZX_VMO_OP_DONT_NEED, 12)                       \
  X(ZX_VMO_OP_ALWAYS_NEED, 13)                     \
  X(ZX_VMO_OP_PREFETCH, 14)                        \
  X(ZX_VMAR_OP_COMMIT, 1)                          \
  X(ZX_VMAR_OP_DECOMMIT, 2)                        \
  X(ZX_VMAR_OP_MAP_RANGE, 3)                       \
  X(ZX_VMAR_OP_ZERO, 10)                           \
  X(ZX_VMAR_OP_DONT_NEED, 12)                      \
  X(ZX_VMAR_OP_ALWAYS_NEED, 13)                    \
  X(ZX_VMAR_OP_PREFETCH, 14)                       \
  X(ZX_CACHE_POLICY_CACHED, 0)                     \
  X(ZX_CACHE_POLICY_UNCACHED, 1)                   \
  X(ZX_CACHE_POLICY_UNCACHED_DEVICE, 2)            \
  X(ZX_CACHE_POLICY_WRITE_COMBINING, 3)            \
  X(ZX_CACHE_POLICY_MASK, 3)                       \
  X(ZX_CACHE_FLUSH_INSN, 0x1)                      \
  X(ZX_CACHE_FLUSH_DATA, 0x2)                      \
  X(ZX_CACHE_FLUSH_INVALIDATE, 0x4)                \
  X(ZX_PAGER_OP_FAIL, 1)                           \
  X(ZX_PAGER_OP_DIRTY, 2)                          \
  X(ZX_PAGER_OP_WRITEBACK_BEGIN, 3)                \
  X(ZX_PAGER_OP_WRITEBACK_END, 4)                  \
  X(ZX_PAGER_VMO_READ, 0)                          \
  X(ZX_PAGER_VMO_COMPLETE, 1)                      \
  X(ZX_PAGER_VMO_DIRTY, 2)                         \
  X(ZX_PKT_TYPE_USER, 0x00)                        \
  X(ZX_PKT_TYPE_SIGNAL_ONE, 0x01)                  \
  X(ZX_PKT_TYPE_INTERRUPT, 0x07)                   \
  X(ZX_PKT_TYPE_PAGE_REQUEST, 0x09)                \
  X(ZX_PAGER_VMO_STATS_MODIFIED, 1)                \
  X(ZX_PAGER_RESET_VMO_STATS, 1)                   \
  X(ZX_VMO_DIRTY_RANGE_IS_ZERO, 1)

VMO_OPTION_TABLE(ABI_STATIC_VALUE)
static const struct abi_value vmo_option_values[] = {VMO_OPTION_TABLE(ABI_ROW)};

static void abi_vmo_options_match_reference(void** state) { CHECK_TABLE(vmo_option_values); }

#define VM_OPTION_TABLE(X)                                   \
  X(ZX_VM_PERM_READ, 0x1)                                    \
  X(ZX_VM_PERM_WRITE, 0x2)                                   \
  X(ZX_VM_PERM_EXECUTE, 0x4)                                 \
  X(ZX_VM_COMPACT, 0x8)                                      \
  X(ZX_VM_SPECIFIC, 0x10)                                    \
  X(ZX_VM_SPECIFIC_OVERWRITE, 0x20)                          \
  X(ZX_VM_CAN_MAP_SPECIFIC, 0x40)                            \
  X(ZX_VM_CAN_MAP_READ, 0x80)                                \
  X(ZX_VM_CAN_MAP_WRITE, 0x100)                              \
  X(ZX_VM_CAN_MAP_EXECUTE, 0x200)                            \
  X(ZX_VM_MAP_RANGE, 0x400)                                  \
  X(ZX_VM_REQUIRE_NON_RESIZABLE, 0x800)                      \
  X(ZX_VM_ALLOW_FAULTS, 0x1000)                              \
  X(ZX_VM_OFFSET_IS_UPPER_LIMIT, 0x2000)                     \
  X(ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED, 0x4000)              \
  X(ZX_VM_FAULT_BEYOND_STREAM_SIZE, 0x8000)                  \
  X(ZX_VM_ALIGN_BASE, 24)                                    \
  X(ZX_VM_ALIGN_1KB, 0x0A000000)                             \
  X(ZX_VM_ALIGN_2KB, 11u << 24)                              \
  X(ZX_VM_ALIGN_4KB, 12u << 24)                              \
  X(ZX_VM_ALIGN_8KB, 13u << 24)                              \
  X(ZX_VM_ALIGN_16KB, 14u << 24)                             \
  X(ZX_VM_ALIGN_32KB, 15u << 24)                             \
  X(ZX_VM_ALIGN_64KB, 0x10000000)                            \
  X(ZX_VM_ALIGN_128KB, 17u << 24)                            \
  X(ZX_VM_ALIGN_256KB, 18u << 24)                            \
  X(ZX_VM_ALIGN_512KB, 19u << 24)                            \
  X(ZX_VM_ALIGN_1MB, 20u << 24)                              \
  X(ZX_VM_ALIGN_2MB, 21u << 24)                              \
  X(ZX_VM_ALIGN_4MB, 22u << 24)                              \
  X(ZX_VM_ALIGN_8MB, 23u << 24)                              \
  X(ZX_VM_ALIGN_16MB, 24u << 24)                             \
  X(ZX_VM_ALIGN_32MB, 25u << 24)                             \
  X(ZX_VM_ALIGN_64MB, 26u << 24)                             \
  X(ZX_VM_ALIGN_128MB, 27u << 24)                            \
  X(ZX_VM_ALIGN_256MB, 28u << 24)                            \
  X(ZX_VM_ALIGN_512MB, 29u << 24)                            \
  X(ZX_VM_ALIGN_1GB, 30u << 24)                              \
  X(ZX_VM_ALIGN_2GB, 31u << 24)                              \
  X(ZX_VM_ALIGN_4GB, 0x20000000)                             \
  X(ZX_VM_FLAG_PERM_READ, ZX_VM_PERM_READ)                   \
  X(ZX_VM_FLAG_PERM_WRITE, ZX_VM_PERM_WRITE)                 \
  X(ZX_VM_FLAG_PERM_EXECUTE, ZX_VM_PERM_EXECUTE)             \
  X(ZX_VM_FLAG_COMPACT, ZX_VM_COMPACT)                       \
  X(ZX_VM_FLAG_SPECIFIC, ZX_VM_SPECIFIC)                     \
  X(ZX_VM_FLAG_SPECIFIC_OVERWRITE, ZX_VM_SPECIFIC_OVERWRITE) \
  X(ZX_VM_FLAG_CAN_MAP_SPECIFIC, ZX_VM_CAN_MAP_SPECIFIC)     \
  X(ZX_VM_FLAG_CAN_MAP_READ, ZX_VM_CAN_MAP_READ)             \
  X(ZX_VM_FLAG_CAN_MAP_WRITE, ZX_VM_CAN_MAP_WRITE)           \
  X(ZX_VM_FLAG_CAN_MAP_EXECUTE, ZX_VM_CAN_MAP_EXECUTE)       \
  X(ZX_VM_FLAG_MAP_RANGE, ZX_VM_MAP_RANGE)                   \
  X(ZX_VM_FLAG_REQUIRE_NON_RESIZABLE, ZX_VM_REQUIRE_NON_RESIZABLE)

VM_OPTION_TABLE(ABI_STATIC_VALUE)
static const struct abi_value vm_option_values[] = {VM_OPTION_TABLE(ABI_ROW)};

static void abi_vm_options_match_reference(void** state) { CHECK_TABLE(vm_option_values); }

// ---- Section 5: info topics, flags, properties, thread states ----

#define INFO_TABLE(X)                                      \
  X(ZX_INFO_HANDLE_VALID, 1)                               \
  X(ZX_INFO_HANDLE_BASIC, 2)                               \
  X(ZX_INFO_PROCESS, 0x10000003)                           \
  X(ZX_INFO_VMAR, 7)                                       \
  X(ZX_INFO_THREAD, 10)                                    \
  X(ZX_INFO_THREAD_EXCEPTION_REPORT_V1, 11)                \
  X(ZX_INFO_THREAD_EXCEPTION_REPORT, 0x1000000B)           \
  X(ZX_INFO_PROCESS_MAPS_V1, 13)                           \
  X(ZX_INFO_PROCESS_MAPS_V2, 0x1000000D)                   \
  X(ZX_INFO_PROCESS_MAPS, 0x2000000D)                      \
  X(ZX_INFO_PROCESS_VMOS_V1, 14)                           \
  X(ZX_INFO_PROCESS_VMOS_V2, 0x1000000E)                   \
  X(ZX_INFO_PROCESS_VMOS_V3, 0x2000000E)                   \
  X(ZX_INFO_PROCESS_VMOS, 0x3000000E)                      \
  X(ZX_INFO_BTI, 20)                                       \
  X(ZX_INFO_VMO_V1, 0x17)                                  \
  X(ZX_INFO_VMO_V2, 0x10000017)                            \
  X(ZX_INFO_VMO_V3, 0x20000017)                            \
  X(ZX_INFO_VMO, 0x30000017)                               \
  X(ZX_INFO_VMAR_MAPS, 36)                                 \
  X(ZX_INFO_MAPS_TYPE_NONE, 0)                             \
  X(ZX_INFO_MAPS_TYPE_ASPACE, 1)                           \
  X(ZX_INFO_MAPS_TYPE_VMAR, 2)                             \
  X(ZX_INFO_MAPS_TYPE_MAPPING, 3)                          \
  X(ZX_INFO_VMO_TYPE_PHYSICAL, 0)                          \
  X(ZX_INFO_VMO_TYPE_PAGED, 1u << 0)                       \
  X(ZX_INFO_VMO_RESIZABLE, 1u << 1)                        \
  X(ZX_INFO_VMO_IS_COW_CLONE, 1u << 2)                     \
  X(ZX_INFO_VMO_VIA_HANDLE, 1u << 3)                       \
  X(ZX_INFO_VMO_VIA_MAPPING, 1u << 4)                      \
  X(ZX_INFO_VMO_PAGER_BACKED, 1u << 5)                     \
  X(ZX_INFO_VMO_CONTIGUOUS, 1u << 6)                       \
  X(ZX_INFO_VMO_DISCARDABLE, 1u << 7)                      \
  X(ZX_INFO_VMO_IMMUTABLE, 1u << 8)                        \
  X(ZX_INFO_VMO_VIA_IOB_HANDLE, 1u << 9)                   \
  X(ZX_INFO_VMO_TYPE(0xFFFFFFFEu), 0)                      \
  X(ZX_INFO_VMO_TYPE(0xFFFFFFFFu), ZX_INFO_VMO_TYPE_PAGED) \
  X(ZX_PROP_NAME, 3)                                       \
  X(ZX_PROP_EXCEPTION_STATE, 16)                           \
  X(ZX_PROP_VMO_CONTENT_SIZE, 17)                          \
  X(ZX_EXCEPTION_STATE_TRY_NEXT, 0)                        \
  X(ZX_EXCEPTION_STATE_HANDLED, 1)                         \
  X(ZX_EXCEPTION_STATE_THREAD_EXIT, 2)                     \
  X(ZX_THREAD_STATE_NEW, 0)                                \
  X(ZX_THREAD_STATE_RUNNING, 1)                            \
  X(ZX_THREAD_STATE_SUSPENDED, 2)                          \
  X(ZX_THREAD_STATE_BLOCKED, 3)                            \
  X(ZX_THREAD_STATE_DYING, 4)                              \
  X(ZX_THREAD_STATE_DEAD, 5)                               \
  X(ZX_THREAD_STATE_BLOCKED_PAGER, 0x0903)                 \
  X(ZX_THREAD_STATE_BASIC(ZX_THREAD_STATE_BLOCKED_PAGER), ZX_THREAD_STATE_BLOCKED)

INFO_TABLE(ABI_STATIC_VALUE)
static const struct abi_value info_values[] = {INFO_TABLE(ABI_ROW)};

static void abi_info_topics_match_reference(void** state) { CHECK_TABLE(info_values); }

// ---- Option constants have Fuchsia's types (matters for _Generic and C++ overloads) ----

#define ABI_IS_U32(x) _Generic((x), uint32_t: 1, default: 0)
#define ABI_IS_U16(x) _Generic((x), uint16_t: 1, default: 0)
#define ABI_IS_U64(x) _Generic((x), uint64_t: 1, default: 0)
_Static_assert(ABI_IS_U32(ZX_VM_PERM_READ), "zx_vm_option_t");
_Static_assert(ABI_IS_U32(ZX_VM_ALIGN_4GB), "zx_vm_option_t");
_Static_assert(ABI_IS_U32(ZX_VMO_RESIZABLE), "uint32_t");
_Static_assert(ABI_IS_U32(ZX_VMO_OP_COMMIT), "uint32_t");
_Static_assert(ABI_IS_U32(ZX_VMAR_OP_PREFETCH), "uint32_t");
_Static_assert(ABI_IS_U32(ZX_VMO_CHILD_SNAPSHOT), "uint32_t");
_Static_assert(ABI_IS_U32(ZX_RIGHT_SAME_RIGHTS), "zx_rights_t");
_Static_assert(ABI_IS_U32(ZX_DEFAULT_VMO_RIGHTS), "zx_rights_t");
_Static_assert(ABI_IS_U32(ZX_USER_SIGNAL_7), "zx_signals_t");
_Static_assert(ABI_IS_U32(ZX_OBJ_TYPE_VMO), "zx_obj_type_t");
_Static_assert(ABI_IS_U32(ZX_INFO_VMO), "zx_object_info_topic_t");
_Static_assert(ABI_IS_U32(ZX_PKT_TYPE_PAGE_REQUEST), "zx_packet_type_t");
_Static_assert(ABI_IS_U32(ZX_HANDLE_INVALID), "zx_handle_t");
_Static_assert(ABI_IS_U16(ZX_PAGER_VMO_DIRTY), "uint16_t");
_Static_assert(ABI_IS_U64(ZX_VMO_DIRTY_RANGE_IS_ZERO), "uint64_t");
_Static_assert(ABI_IS_U64(ZX_KOID_INVALID), "uint64_t");

// ---- Section 5: record sizes and field offsets (LP64) ----

struct abi_field {
  const char* name;
  size_t actual;
  size_t expected;
};

#define ABI_STATIC_FIELD(T, field, off) \
  _Static_assert(offsetof(T, field) == (off), #T "." #field " offset");
#define ABI_FIELD_ROW(T, field, off) {#T "." #field, offsetof(T, field), (off)},
#define ABI_STATIC_SIZE(T, size) _Static_assert(sizeof(T) == (size), #T " size");
#define ABI_SIZE_ROW(T, size) {"sizeof(" #T ")", sizeof(T), (size)},

#define SIZE_TABLE(X)              \
  X(zx_handle_t, 4)                \
  X(zx_status_t, 4)                \
  X(zx_rights_t, 4)                \
  X(zx_signals_t, 4)               \
  X(zx_obj_type_t, 4)              \
  X(zx_vm_option_t, 4)             \
  X(zx_koid_t, 8)                  \
  X(zx_off_t, 8)                   \
  X(zx_vaddr_t, 8)                 \
  X(zx_paddr_t, 8)                 \
  X(zx_time_t, 8)                  \
  X(zx_duration_t, 8)              \
  X(zx_instant_mono_t, 8)          \
  X(zx_info_handle_basic_t, 32)    \
  X(zx_info_vmar_t, 16)            \
  X(zx_info_vmo_t, 176)            \
  X(zx_info_vmo_v3_t, 128)         \
  X(zx_info_vmo_v2_t, 120)         \
  X(zx_info_vmo_v1_t, 104)         \
  X(zx_info_maps_mapping_t, 88)    \
  X(zx_info_maps_mapping_v2_t, 40) \
  X(zx_info_maps_mapping_v1_t, 32) \
  X(zx_info_maps_t, 152)           \
  X(zx_info_maps_v2_t, 104)        \
  X(zx_info_maps_v1_t, 96)         \
  X(zx_info_process_t, 24)         \
  X(zx_info_thread_t, 72)          \
  X(zx_cpu_set_t, 64)              \
  X(zx_wait_item_t, 12)            \
  X(zx_packet_page_request_t, 32)  \
  X(zx_packet_signal_t, 32)        \
  X(zx_packet_user_t, 32)          \
  X(zx_packet_interrupt_t, 32)     \
  X(zx_port_packet_t, 48)          \
  X(zx_vmo_lock_state_t, 32)       \
  X(zx_vmo_dirty_range_t, 24)      \
  X(zx_pager_vmo_stats_t, 4)

// The fields shared by every zx_info_vmo version, at the offsets of all of them.
#define VMO_COMMON_FIELDS(X, T) \
  X(T, koid, 0)                 \
  X(T, name, 8)                 \
  X(T, size_bytes, 40)          \
  X(T, parent_koid, 48)         \
  X(T, num_children, 56)        \
  X(T, num_mappings, 64)        \
  X(T, share_count, 72)         \
  X(T, flags, 80)               \
  X(T, padding1, 84)            \
  X(T, committed_bytes, 88)     \
  X(T, handle_rights, 96)       \
  X(T, cache_policy, 100)

#define MAPS_COMMON_FIELDS(X, T) \
  X(T, name, 0)                  \
  X(T, base, 32)                 \
  X(T, size, 40)                 \
  X(T, depth, 48)                \
  X(T, type, 56)                 \
  X(T, padding1, 60)             \
  X(T, u, 64)                    \
  X(T, u.mapping.mmu_flags, 64)  \
  X(T, u.mapping.vmo_koid, 72)   \
  X(T, u.mapping.vmo_offset, 80)

#define MAPPING_COMMON_FIELDS(X, T) \
  X(T, mmu_flags, 0)                \
  X(T, padding1, 4)                 \
  X(T, vmo_koid, 8)                 \
  X(T, vmo_offset, 16)

#define FIELD_TABLE(X)                                                \
  X(zx_info_handle_basic_t, koid, 0)                                  \
  X(zx_info_handle_basic_t, rights, 8)                                \
  X(zx_info_handle_basic_t, type, 12)                                 \
  X(zx_info_handle_basic_t, related_koid, 16)                         \
  X(zx_info_handle_basic_t, reserved, 24)                             \
  X(zx_info_handle_basic_t, padding1, 28)                             \
  X(zx_info_vmar_t, base, 0)                                          \
  X(zx_info_vmar_t, len, 8)                                           \
  VMO_COMMON_FIELDS(X, zx_info_vmo_t)                                 \
  X(zx_info_vmo_t, metadata_bytes, 104)                               \
  X(zx_info_vmo_t, committed_change_events, 112)                      \
  X(zx_info_vmo_t, populated_bytes, 120)                              \
  X(zx_info_vmo_t, committed_private_bytes, 128)                      \
  X(zx_info_vmo_t, populated_private_bytes, 136)                      \
  X(zx_info_vmo_t, committed_scaled_bytes, 144)                       \
  X(zx_info_vmo_t, populated_scaled_bytes, 152)                       \
  X(zx_info_vmo_t, committed_fractional_scaled_bytes, 160)            \
  X(zx_info_vmo_t, populated_fractional_scaled_bytes, 168)            \
  VMO_COMMON_FIELDS(X, zx_info_vmo_v3_t)                              \
  X(zx_info_vmo_v3_t, metadata_bytes, 104)                            \
  X(zx_info_vmo_v3_t, committed_change_events, 112)                   \
  X(zx_info_vmo_v3_t, populated_bytes, 120)                           \
  VMO_COMMON_FIELDS(X, zx_info_vmo_v2_t)                              \
  X(zx_info_vmo_v2_t, metadata_bytes, 104)                            \
  X(zx_info_vmo_v2_t, committed_change_events, 112)                   \
  VMO_COMMON_FIELDS(X, zx_info_vmo_v1_t)                              \
  MAPPING_COMMON_FIELDS(X, zx_info_maps_mapping_t)                    \
  X(zx_info_maps_mapping_t, committed_bytes, 24)                      \
  X(zx_info_maps_mapping_t, populated_bytes, 32)                      \
  X(zx_info_maps_mapping_t, committed_private_bytes, 40)              \
  X(zx_info_maps_mapping_t, populated_private_bytes, 48)              \
  X(zx_info_maps_mapping_t, committed_scaled_bytes, 56)               \
  X(zx_info_maps_mapping_t, populated_scaled_bytes, 64)               \
  X(zx_info_maps_mapping_t, committed_fractional_scaled_bytes, 72)    \
  X(zx_info_maps_mapping_t, populated_fractional_scaled_bytes, 80)    \
  MAPPING_COMMON_FIELDS(X, zx_info_maps_mapping_v2_t)                 \
  X(zx_info_maps_mapping_v2_t, committed_pages, 24)                   \
  X(zx_info_maps_mapping_v2_t, populated_pages, 32)                   \
  MAPPING_COMMON_FIELDS(X, zx_info_maps_mapping_v1_t)                 \
  X(zx_info_maps_mapping_v1_t, committed_pages, 24)                   \
  MAPS_COMMON_FIELDS(X, zx_info_maps_t)                               \
  X(zx_info_maps_t, u.mapping.committed_bytes, 88)                    \
  X(zx_info_maps_t, u.mapping.populated_fractional_scaled_bytes, 144) \
  MAPS_COMMON_FIELDS(X, zx_info_maps_v2_t)                            \
  X(zx_info_maps_v2_t, u.mapping.committed_pages, 88)                 \
  X(zx_info_maps_v2_t, u.mapping.populated_pages, 96)                 \
  MAPS_COMMON_FIELDS(X, zx_info_maps_v1_t)                            \
  X(zx_info_maps_v1_t, u.mapping.committed_pages, 88)                 \
  X(zx_info_process_t, return_code, 0)                                \
  X(zx_info_process_t, start_time, 8)                                 \
  X(zx_info_process_t, flags, 16)                                     \
  X(zx_info_thread_t, state, 0)                                       \
  X(zx_info_thread_t, wait_exception_channel_type, 4)                 \
  X(zx_info_thread_t, cpu_affinity_mask, 8)                           \
  X(zx_packet_page_request_t, command, 0)                             \
  X(zx_packet_page_request_t, flags, 2)                               \
  X(zx_packet_page_request_t, reserved0, 4)                           \
  X(zx_packet_page_request_t, offset, 8)                              \
  X(zx_packet_page_request_t, length, 16)                             \
  X(zx_packet_page_request_t, reserved1, 24)                          \
  X(zx_packet_signal_t, trigger, 0)                                   \
  X(zx_packet_signal_t, observed, 4)                                  \
  X(zx_packet_signal_t, count, 8)                                     \
  X(zx_packet_signal_t, timestamp, 16)                                \
  X(zx_packet_signal_t, reserved1, 24)                                \
  X(zx_port_packet_t, key, 0)                                         \
  X(zx_port_packet_t, type, 8)                                        \
  X(zx_port_packet_t, status, 12)                                     \
  X(zx_port_packet_t, user, 16)                                       \
  X(zx_port_packet_t, signal, 16)                                     \
  X(zx_port_packet_t, interrupt, 16)                                  \
  X(zx_port_packet_t, page_request, 16)                               \
  X(zx_port_packet_t, page_request.offset, 24)                        \
  X(zx_vmo_lock_state_t, offset, 0)                                   \
  X(zx_vmo_lock_state_t, size, 8)                                     \
  X(zx_vmo_lock_state_t, discarded_offset, 16)                        \
  X(zx_vmo_lock_state_t, discarded_size, 24)                          \
  X(zx_vmo_dirty_range_t, offset, 0)                                  \
  X(zx_vmo_dirty_range_t, length, 8)                                  \
  X(zx_vmo_dirty_range_t, options, 16)                                \
  X(zx_pager_vmo_stats_t, modified, 0)                                \
  X(zx_wait_item_t, handle, 0)                                        \
  X(zx_wait_item_t, waitfor, 4)                                       \
  X(zx_wait_item_t, pending, 8)

SIZE_TABLE(ABI_STATIC_SIZE)
FIELD_TABLE(ABI_STATIC_FIELD)
_Static_assert(sizeof(((zx_info_vmo_t*)0)->name) == ZX_MAX_NAME_LEN, "vmo name length");
_Static_assert(sizeof(((zx_info_maps_t*)0)->name) == ZX_MAX_NAME_LEN, "maps name length");

static const struct abi_field size_rows[] = {SIZE_TABLE(ABI_SIZE_ROW)};
static const struct abi_field field_rows[] = {FIELD_TABLE(ABI_FIELD_ROW)};

static void check_fields(const struct abi_field* rows, size_t count) {
  int bad = 0;
  for (size_t i = 0; i < count; i++) {
    if (rows[i].actual != rows[i].expected) {
      print_error("%s = %zu, reference %zu\n", rows[i].name, rows[i].actual, rows[i].expected);
      bad++;
    }
  }
  assert_int_equal(0, bad);
}

static void abi_record_sizes_match_reference(void** state) {
  check_fields(size_rows, sizeof(size_rows) / sizeof(size_rows[0]));
}

static void abi_field_offsets_match_reference(void** state) {
  check_fields(field_rows, sizeof(field_rows) / sizeof(field_rows[0]));
}

// Each older record is a prefix of the newer one: a kernel answering an old topic can copy the
// leading bytes of the current record.
static void abi_versioned_records_are_prefixes(void** state) {
  assert_int_equal(sizeof(zx_info_vmo_v3_t), offsetof(zx_info_vmo_t, committed_private_bytes));
  assert_int_equal(sizeof(zx_info_vmo_v2_t), offsetof(zx_info_vmo_t, populated_bytes));
  assert_int_equal(sizeof(zx_info_vmo_v1_t), offsetof(zx_info_vmo_t, metadata_bytes));
  assert_int_equal(sizeof(zx_info_maps_mapping_v1_t),
                   offsetof(zx_info_maps_mapping_v2_t, populated_pages));
}

// A page request written through the port packet's anonymous union lands at the ABI offsets.
static void abi_port_packet_page_request_bytes(void** state) {
  zx_port_packet_t packet;
  memset(&packet, 0, sizeof(packet));
  packet.key = 0x1122334455667788u;
  packet.type = ZX_PKT_TYPE_PAGE_REQUEST;
  packet.status = ZX_OK;
  packet.page_request.command = ZX_PAGER_VMO_DIRTY;
  packet.page_request.offset = 0x3000;
  packet.page_request.length = 0x2000;
  uint8_t bytes[48];
  memcpy(bytes, &packet, sizeof(bytes));
  uint64_t key, offset, length;
  uint32_t type;
  uint16_t command;
  memcpy(&key, bytes + 0, 8);
  memcpy(&type, bytes + 8, 4);
  memcpy(&command, bytes + 16, 2);
  memcpy(&offset, bytes + 24, 8);
  memcpy(&length, bytes + 32, 8);
  assert_true(key == 0x1122334455667788u);
  assert_int_equal(0x09, type);
  assert_int_equal(2, command);
  assert_true(offset == 0x3000);
  assert_true(length == 0x2000);
  assert_true(ZX_PKT_IS_PAGE_REQUEST(packet.type));
  assert_false(ZX_PKT_IS_USER(packet.type));
}

// ---- zircon/time.h helpers (inline, saturating) ----

_Static_assert(ZX_SEC(3) == 3000000000LL, "ZX_SEC is a constant expression");
_Static_assert(ZX_MSEC(1) == 1000000LL, "ZX_MSEC");
_Static_assert(ZX_USEC(1) == 1000LL, "ZX_USEC");
_Static_assert(ZX_NSEC(7) == 7LL, "ZX_NSEC");
_Static_assert(ZX_MIN(1) == 60000000000LL, "ZX_MIN");
_Static_assert(ZX_HOUR(1) == 3600000000000LL, "ZX_HOUR");

static void abi_time_helpers_saturate(void** state) {
  // volatile: exercise the run-time path of the macros, not constant folding.
  volatile int64_t big = INT64_MAX / 2;
  volatile int64_t one = 1;
  assert_true(ZX_SEC(one) == 1000000000LL);
  assert_true(ZX_SEC(big) == ZX_TIME_INFINITE);
  assert_true(ZX_SEC(-big) == ZX_TIME_INFINITE_PAST);
  assert_true(zx_time_add_duration(ZX_TIME_INFINITE - 1, 5) == ZX_TIME_INFINITE);
  assert_true(zx_time_add_duration(ZX_TIME_INFINITE_PAST + 1, -5) == ZX_TIME_INFINITE_PAST);
  assert_true(zx_time_add_duration(100, -5) == 95);
  assert_true(zx_time_sub_duration(ZX_TIME_INFINITE_PAST + 1, 5) == ZX_TIME_INFINITE_PAST);
  assert_true(zx_time_sub_duration(ZX_TIME_INFINITE - 1, -5) == ZX_TIME_INFINITE);
  assert_true(zx_time_sub_time(ZX_TIME_INFINITE, -1) == ZX_TIME_INFINITE);
  assert_true(zx_time_sub_time(-2, ZX_TIME_INFINITE) == ZX_TIME_INFINITE_PAST);
  assert_true(zx_duration_add_duration(ZX_TIME_INFINITE, 1) == ZX_TIME_INFINITE);
  assert_true(zx_duration_sub_duration(ZX_TIME_INFINITE_PAST, 1) == ZX_TIME_INFINITE_PAST);
  assert_true(zx_duration_mul_int64(-big, 4) == ZX_TIME_INFINITE_PAST);
  assert_true(zx_duration_mul_int64(-big, -4) == ZX_TIME_INFINITE);
  assert_true(zx_duration_from_min(2) == 120000000000LL);
  assert_true(zx_duration_from_hour(big) == ZX_TIME_INFINITE);
  assert_true(zx_ticks_add_ticks(ZX_TIME_INFINITE, 1) == ZX_TIME_INFINITE);
  assert_true(zx_ticks_sub_ticks(ZX_TIME_INFINITE_PAST, 1) == ZX_TIME_INFINITE_PAST);
  assert_true(zx_ticks_mul_int64(big, 3) == ZX_TIME_INFINITE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(abi_status_codes_match_reference),
      cmocka_unit_test(abi_rights_match_reference),
      cmocka_unit_test(abi_types_signals_match_reference),
      cmocka_unit_test(abi_vmo_options_match_reference),
      cmocka_unit_test(abi_vm_options_match_reference),
      cmocka_unit_test(abi_info_topics_match_reference),
      cmocka_unit_test(abi_record_sizes_match_reference),
      cmocka_unit_test(abi_field_offsets_match_reference),
      cmocka_unit_test(abi_versioned_records_are_prefixes),
      cmocka_unit_test(abi_port_packet_page_request_bytes),
      cmocka_unit_test(abi_time_helpers_saturate),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
