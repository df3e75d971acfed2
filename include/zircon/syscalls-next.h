// Pager write-back additions that Fuchsia keeps outside the stable syscall header
// (zircon/syscalls-next.h): the record zx_pager_query_dirty_ranges() returns. The call itself is
// declared in zircon/syscalls.h, which this header includes.
#ifndef ZIRCON_SYSCALLS_NEXT_H_
#define ZIRCON_SYSCALLS_NEXT_H_

#include <stdint.h>
#include <zircon/compiler.h>
#include <zircon/syscalls.h>
#include <zircon/types.h>

__BEGIN_CDECLS

// One dirty range [offset, offset + length) of a pager-backed VMO.
typedef struct zx_vmo_dirty_range {
  uint64_t offset;
  uint64_t length;
  // ZX_VMO_DIRTY_RANGE_IS_ZERO if every byte of the range is zero.
  uint64_t options;
} zx_vmo_dirty_range_t;

#define ZX_VMO_DIRTY_RANGE_IS_ZERO ((uint64_t)1u)

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_NEXT_H_
