// Private helpers shared by the VMAR files (vm_address_region.c: life cycle, creation, lookup,
// dump and check; vm_address_region_ops.c: unmap, protect, range_op; vm_aspace.c: the fault
// lookup). Not part of the VM core's interface: nothing outside those files includes this.
//
// Every range here is handled as [first byte, last byte], so a region ending exactly at 2^64
// needs no special case.
#ifndef ZXVM_VM_VM_ADDRESS_REGION_PRIV_H_
#define ZXVM_VM_VM_ADDRESS_REGION_PRIV_H_

#include "vm/vm_address_region.h"
#include "vm/vm_aspace.h"

// Last byte of a VMAR or mapping (base + size - 1; size > 0 never wraps, see vm_region_list.h).
static inline vaddr_t vm_region_last(const struct vm_address_region_or_mapping* r) {
  return vm_region_base(r) + (vm_region_size(r) - 1);
}

// True when [|base|, |last|] lies inside |r|.
static inline bool vm_region_contains_range(const struct vm_address_region_or_mapping* r,
                                            vaddr_t base, vaddr_t last) {
  return base >= vm_region_base(r) && last <= vm_region_last(r) && base <= last;
}

static inline struct vm_address_region_or_mapping* vm_region_of_node(struct vm_region_node* n) {
  return n ? vm_region_from_node(n) : NULL;
}

// Page-rounds |size| into |*out|; false when it is 0 or the rounding wraps.
static inline bool vm_round_size(size_t size, size_t* out) {
  if (size == 0 || size > SIZE_MAX - PAGE_MASK) return false;
  *out = (size + PAGE_MASK) & ~(size_t)PAGE_MASK;
  return true;
}

// The lowest mapping, at any depth below |top|, that intersects [|cursor|, |last|]; NULL if none.
// Restarts from |top| on every call, so callers may change the tree between calls (as long as
// |top| stays ALIVE). O(depth * log n). Aspace (or region) lock held.
struct vm_mapping* vmar_next_mapping_locked(struct vm_address_region* top, vaddr_t cursor,
                                            vaddr_t last);

// Removes everything in [|base|, |last|] of ALIVE |vmar| (both locks held; range inside |vmar|):
// mappings fully inside are destroyed, mappings partly inside are cut with
// vm_mapping_unmap_locked. Without |allow_partial|, sub-VMARs inside the range are destroyed whole
// (the caller has checked that none is only partly covered); with it, the walk descends into
// sub-VMARs and leaves them in place. Returns ZX_OK or the first failure (ZX_ERR_NO_MEMORY from a
// cut), which leaves what was done so far done (every intermediate state is consistent).
zx_status_t vmar_unmap_range_locked(struct vm_address_region* vmar, vaddr_t base, vaddr_t last,
                                    bool allow_partial) WARN_UNUSED;

// Without |allow_partial|: ZX_ERR_INVALID_ARGS if a sub-VMAR of |vmar| intersecting [|base|,
// |last|] is not fully covered, or if any is and |op_children| is NO. Changes nothing.
zx_status_t vmar_check_unmap_children_locked(struct vm_address_region* vmar, vaddr_t base,
                                             vaddr_t last,
                                             enum vm_op_children op_children) WARN_UNUSED;

#endif  // ZXVM_VM_VM_ADDRESS_REGION_PRIV_H_
