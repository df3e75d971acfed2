// Feature kinds and bits reported by zx_system_get_features() (zircon/features.h). zxvm defines the
// architecture-independent ones; the per-architecture CPU feature bits are not part of its scope.
#ifndef ZIRCON_FEATURES_H_
#define ZIRCON_FEATURES_H_

#include <stdint.h>

// clang-format off

// |kind| argument of zx_system_get_features().
#define ZX_FEATURE_KIND_CPU                   ((uint32_t)0)
#define ZX_FEATURE_KIND_HW_BREAKPOINT_COUNT   ((uint32_t)1)
#define ZX_FEATURE_KIND_HW_WATCHPOINT_COUNT   ((uint32_t)2)
#define ZX_FEATURE_KIND_ADDRESS_TAGGING       ((uint32_t)3)
#define ZX_FEATURE_KIND_VM                    ((uint32_t)4)

// ZX_FEATURE_KIND_CPU, every architecture.
#define ZX_HAS_CPU_FEATURES                   ((uint32_t)(1u << 0))

// ZX_FEATURE_KIND_VM: execute-only mappings are supported (ZX_VM_PERM_EXECUTE without READ).
#define ZX_VM_FEATURE_CAN_MAP_XOM             ((uint32_t)(1u << 0))

// clang-format on

#endif  // ZIRCON_FEATURES_H_
