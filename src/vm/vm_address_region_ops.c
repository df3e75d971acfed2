// VMAR operations over an address range (spec §5): Unmap (whole or allowing partial coverage of
// sub-VMARs), Protect and RangeOp (zx_vmar_op_range). Each validates its arguments and then every
// child the range touches before it changes anything; the changes themselves can fail only where
// a mapping must allocate (a cut or a protection node: ZX_ERR_NO_MEMORY) or, for RangeOp, where
// the VMO fails, after earlier mappings were already handled (as in Zircon).
//
// Locks: Unmap takes the region and aspace locks; Protect the aspace lock; RangeOp the aspace lock,
// dropped around each VMO call with references held, the state re-validated after.
#include <string.h>

#include "vm/vm_address_region_priv.h"
#include "vm/vm_object_paged.h"

// Flags Protect accepts: permissions only (no cache bits, nothing else).
#define PROTECT_ALLOWED_FLAGS (ARCH_MMU_FLAG_PERM_USER | ARCH_MMU_FLAG_PERM_RWX_MASK)

// CAN_MAP_* bits needed to hold the permissions of |arch_mmu_flags|.
static uint32_t can_map_needed(uint32_t arch_mmu_flags) {
  uint32_t need = 0;
  if (arch_mmu_flags & ARCH_MMU_FLAG_PERM_READ) need |= VMAR_FLAG_CAN_MAP_READ;
  if (arch_mmu_flags & ARCH_MMU_FLAG_PERM_WRITE) need |= VMAR_FLAG_CAN_MAP_WRITE;
  if (arch_mmu_flags & ARCH_MMU_FLAG_PERM_EXECUTE) need |= VMAR_FLAG_CAN_MAP_EXECUTE;
  return need;
}

// The intersection of mapping |m| with [|base|, |last|], as base and length.
static void mapping_intersect(const struct vm_mapping* m, vaddr_t base, vaddr_t last,
                              vaddr_t* out_base, size_t* out_len) {
  vaddr_t mb = vm_region_base(&m->common), ml = vm_region_last(&m->common);
  vaddr_t ib = mb > base ? mb : base;
  vaddr_t il = ml < last ? ml : last;
  *out_base = ib;
  *out_len = il - ib + 1;
}

// The canonical argument checks shared by Unmap and Protect: |size| page-rounded into
// |*out_last| (last byte); ZX_ERR_INVALID_ARGS for 0, an unaligned base or a wrap.
static zx_status_t range_args(vaddr_t base, size_t size, vaddr_t* out_last) {
  size_t rounded;
  if (!vm_round_size(size, &rounded) || !IS_PAGE_ALIGNED(base)) return ZX_ERR_INVALID_ARGS;
  vaddr_t last;
  if (__builtin_add_overflow(base, rounded - 1, &last)) return ZX_ERR_INVALID_ARGS;
  *out_last = last;
  return ZX_OK;
}

// ---- unmap ----------------------------------------------------------------------------------

zx_status_t vmar_check_unmap_children_locked(struct vm_address_region* vmar, vaddr_t base,
                                             vaddr_t last, enum vm_op_children op_children) {
  mutex_assert_held(&vmar->common.aspace->lock);
  struct vm_region_node* rn = vm_region_list_include_or_higher(&vmar->children, base);
  for (; rn != NULL && rn->base <= last; rn = vm_region_list_next(rn)) {
    struct vm_address_region_or_mapping* c = vm_region_from_node(rn);
    if (c->is_mapping) continue;
    bool covered = vm_region_base(c) >= base && vm_region_last(c) <= last;
    if (!covered || op_children != VM_OP_CHILDREN_YES) return ZX_ERR_INVALID_ARGS;
  }
  return ZX_OK;
}

// Unmaps the part of ALIVE mapping |m| inside [|base|, |last|]: all of it (destroy) or a cut.
static zx_status_t unmap_mapping_part_locked(struct vm_mapping* m, vaddr_t base, vaddr_t last) {
  vaddr_t ib;
  size_t ilen;
  mapping_intersect(m, base, last, &ib, &ilen);
  if (ib == vm_mapping_base(m) && ilen == vm_mapping_size(m)) {
    return vm_mapping_destroy_locked(m, true);
  }
  return vm_mapping_unmap_locked(m, ib, ilen);
}

// Allow-partial walk: every mapping in range at any depth; sub-VMARs stay.
static zx_status_t unmap_mappings_any_depth_locked(struct vm_address_region* vmar, vaddr_t base,
                                                   vaddr_t last) {
  vaddr_t cursor = base;
  for (;;) {
    struct vm_mapping* m = vmar_next_mapping_locked(vmar, cursor, last);
    if (m == NULL) return ZX_OK;
    vaddr_t m_last = vm_region_last(&m->common);  // read before |m| may be freed
    zx_status_t status = unmap_mapping_part_locked(m, base, last);
    if (status != ZX_OK) return status;
    if (m_last >= last) return ZX_OK;
    cursor = m_last + 1;
  }
}

zx_status_t vmar_unmap_range_locked(struct vm_address_region* vmar, vaddr_t base, vaddr_t last,
                                    bool allow_partial) {
  mutex_assert_held(&vmar->common.aspace->region_lock);
  mutex_assert_held(&vmar->common.aspace->lock);
  if (allow_partial) return unmap_mappings_any_depth_locked(vmar, base, last);
  vaddr_t cursor = base;
  for (;;) {
    struct vm_address_region_or_mapping* c =
        vm_region_of_node(vm_region_list_include_or_higher(&vmar->children, cursor));
    if (c == NULL || vm_region_base(c) > last) return ZX_OK;
    vaddr_t c_last = vm_region_last(c);  // read before |c| may be freed
    zx_status_t status;
    if (c->is_mapping) {
      status = unmap_mapping_part_locked(vm_mapping_from(c), base, last);
    } else {
      ZX_DEBUG_ASSERT(vm_region_base(c) >= base && c_last <= last);
      status = vm_address_region_destroy_locked(vm_address_region_from(c));
    }
    if (status != ZX_OK) return status;
    if (c_last >= last) return ZX_OK;
    cursor = c_last + 1;
  }
}

zx_status_t vm_address_region_unmap(struct vm_address_region* vmar, vaddr_t base, size_t size,
                                    enum vm_op_children op_children, bool allow_partial) {
  ZX_DEBUG_ASSERT_MAGIC(&vmar->common, VM_ADDRESS_REGION_MAGIC);
  vaddr_t last;
  zx_status_t status = range_args(base, size, &last);
  if (status != ZX_OK) return status;
  mutex_lock(&vmar->common.aspace->region_lock);
  mutex_lock(&vmar->common.aspace->lock);
  if (vmar->common.state != VM_LIFECYCLE_ALIVE) {
    status = ZX_ERR_BAD_STATE;
  } else if (!vm_region_contains_range(&vmar->common, base, last)) {
    status = ZX_ERR_INVALID_ARGS;
  } else if (vm_region_list_count(&vmar->children) == 0) {
    status = ZX_OK;
  } else {
    if (!allow_partial) {
      status = vmar_check_unmap_children_locked(vmar, base, last, op_children);
    }
    if (status == ZX_OK) status = vmar_unmap_range_locked(vmar, base, last, allow_partial);
    VM_VALIDATE(vm_address_region_check_locked, vmar);
  }
  mutex_unlock(&vmar->common.aspace->lock);
  mutex_unlock(&vmar->common.aspace->region_lock);
  return status;
}

// ---- protect --------------------------------------------------------------------------------

// Protection-run callback: through a parent VMAR only reductions are allowed, so every existing
// run must already hold every new permission.
static zx_status_t protect_run_allows(void* ctx, vaddr_t base, size_t len, uint32_t flags) {
  uint32_t new_rwx = *(const uint32_t*)ctx;
  if ((flags & new_rwx) != new_rwx) return ZX_ERR_ACCESS_DENIED;
  return ZX_ERR_NEXT;
}

// The per-mapping checks of Protect's validation pass (spec §5), for |m| intersecting the range.
static zx_status_t protect_check_mapping_locked(struct vm_address_region* vmar,
                                                struct vm_mapping* m, vaddr_t base, vaddr_t last,
                                                uint32_t flags, enum vm_op_children op_children) {
  if (can_map_needed(flags) & ~m->common.flags) return ZX_ERR_ACCESS_DENIED;
  if (m->common.parent == vmar) return ZX_OK;
  if (op_children != VM_OP_CHILDREN_YES) return ZX_ERR_INVALID_ARGS;
  uint32_t new_rwx = flags & ARCH_MMU_FLAG_PERM_RWX_MASK;
  vaddr_t ib;
  size_t ilen;
  mapping_intersect(m, base, last, &ib, &ilen);
  return vm_mapping_enumerate_protection_ranges_locked(m, ib, ilen, protect_run_allows, &new_rwx);
}

// Validation pass: every byte of [|base|, |last|] covered by a mapping (any depth), each allowing
// the change. Changes nothing.
static zx_status_t protect_check_locked(struct vm_address_region* vmar, vaddr_t base, vaddr_t last,
                                        uint32_t flags, enum vm_op_children op_children)
    REQUIRES(&vmar->common.aspace->lock) {
  vaddr_t cursor = base;
  for (;;) {
    struct vm_mapping* m = vmar_next_mapping_locked(vmar, cursor, last);
    if (m == NULL || vm_mapping_base(m) > cursor) return ZX_ERR_NOT_FOUND;  // a hole
    zx_status_t status = protect_check_mapping_locked(vmar, m, base, last, flags, op_children);
    if (status != ZX_OK) return status;
    vaddr_t m_last = vm_region_last(&m->common);
    if (m_last >= last) return ZX_OK;
    cursor = m_last + 1;
  }
}

static zx_status_t protect_apply_locked(struct vm_address_region* vmar, vaddr_t base, vaddr_t last,
                                        uint32_t flags) REQUIRES(&vmar->common.aspace->lock) {
  vaddr_t cursor = base;
  for (;;) {
    struct vm_mapping* m = vmar_next_mapping_locked(vmar, cursor, last);
    if (m == NULL) return ZX_OK;
    vaddr_t ib;
    size_t ilen;
    mapping_intersect(m, base, last, &ib, &ilen);
    zx_status_t status = vm_mapping_protect_locked(m, ib, ilen, flags);
    if (status != ZX_OK) return status;
    vaddr_t m_last = vm_region_last(&m->common);
    if (m_last >= last) return ZX_OK;
    cursor = m_last + 1;
  }
}

zx_status_t vm_address_region_protect(struct vm_address_region* vmar, vaddr_t base, size_t size,
                                      uint32_t arch_mmu_flags, enum vm_op_children op_children) {
  ZX_DEBUG_ASSERT_MAGIC(&vmar->common, VM_ADDRESS_REGION_MAGIC);
  vaddr_t last;
  zx_status_t status = range_args(base, size, &last);
  if (status != ZX_OK) return status;
  mutex_lock(&vmar->common.aspace->lock);
  if (vmar->common.state != VM_LIFECYCLE_ALIVE) {
    status = ZX_ERR_BAD_STATE;
  } else if (!vm_region_contains_range(&vmar->common, base, last)) {
    status = ZX_ERR_INVALID_ARGS;
  } else if (arch_mmu_flags & ~PROTECT_ALLOWED_FLAGS) {
    status = ZX_ERR_INVALID_ARGS;
  } else {
    status = protect_check_locked(vmar, base, last, arch_mmu_flags, op_children);
    if (status == ZX_OK) status = protect_apply_locked(vmar, base, last, arch_mmu_flags);
    VM_VALIDATE(vm_address_region_check_locked, vmar);
  }
  mutex_unlock(&vmar->common.aspace->lock);
  return status;
}

// ---- range_op -------------------------------------------------------------------------------

static bool range_op_known(uint32_t op) {
  switch (op) {
    case ZX_VMAR_OP_COMMIT:
    case ZX_VMAR_OP_DECOMMIT:
    case ZX_VMAR_OP_MAP_RANGE:
    case ZX_VMAR_OP_ZERO:
    case ZX_VMAR_OP_DONT_NEED:
    case ZX_VMAR_OP_ALWAYS_NEED:
    case ZX_VMAR_OP_PREFETCH:
      return true;
    default:
      return false;
  }
}

// Whether |op| may reach a mapping that is not a direct child of the VMAR.
static bool range_op_reaches_children(uint32_t op, enum vm_op_children op_children) {
  if (op_children != VM_OP_CHILDREN_YES) return false;
  return op != ZX_VMAR_OP_COMMIT && op != ZX_VMAR_OP_DECOMMIT && op != ZX_VMAR_OP_PREFETCH;
}

// The CAN_MAP_* right |op| needs on a mapping.
static uint32_t range_op_needed_right(uint32_t op) {
  switch (op) {
    case ZX_VMAR_OP_COMMIT:
    case ZX_VMAR_OP_DECOMMIT:
    case ZX_VMAR_OP_ZERO:
      return VMAR_FLAG_CAN_MAP_WRITE;
    case ZX_VMAR_OP_PREFETCH:
      return VMAR_FLAG_CAN_MAP_READ;
    default:
      return 0;
  }
}

// The next mapping of the range at |cursor| with RangeOp's checks: a gap -> ZX_ERR_BAD_STATE, a
// mapping in a sub-VMAR the op may not reach -> ZX_ERR_INVALID_ARGS, a missing right ->
// ZX_ERR_ACCESS_DENIED. ZX_OK with |*out| = NULL once |cursor| passed |last|.
static zx_status_t range_op_next_locked(struct vm_address_region* vmar, uint32_t op, vaddr_t cursor,
                                        vaddr_t last, enum vm_op_children op_children,
                                        struct vm_mapping** out)
    REQUIRES(&vmar->common.aspace->lock) {
  struct vm_mapping* m = vmar_next_mapping_locked(vmar, cursor, last);
  if (m == NULL || vm_mapping_base(m) > cursor) return ZX_ERR_BAD_STATE;
  if (m->common.parent != vmar && !range_op_reaches_children(op, op_children)) {
    return ZX_ERR_INVALID_ARGS;
  }
  uint32_t right = range_op_needed_right(op);
  if ((m->common.flags & right) != right) return ZX_ERR_ACCESS_DENIED;
  *out = m;
  return ZX_OK;
}

// Validation pass over the whole range. Changes nothing.
static zx_status_t range_op_check_locked(struct vm_address_region* vmar, uint32_t op, vaddr_t base,
                                         vaddr_t last, enum vm_op_children op_children)
    REQUIRES(&vmar->common.aspace->lock) {
  vaddr_t cursor = base;
  for (;;) {
    struct vm_mapping* m;
    zx_status_t status = range_op_next_locked(vmar, op, cursor, last, op_children, &m);
    if (status != ZX_OK) return status;
    vaddr_t m_last = vm_region_last(&m->common);
    if (m_last >= last) return ZX_OK;
    cursor = m_last + 1;
  }
}

// Applies |op| to [|map_offset|, +|len|) of |m| (VMO range from |vmo_offset|), no lock held; the
// caller holds references to |m| and |vmo|.
static zx_status_t range_op_apply(uint32_t op, struct vm_mapping* m, struct vm_object* vmo,
                                  uint64_t vmo_offset, size_t map_offset, size_t len) {
  struct vm_object_paged* paged =
      vmo->type == VM_OBJECT_TYPE_PAGED ? vm_object_paged_from_object(vmo) : NULL;
  zx_status_t status = ZX_OK;
  // A mapping that faults beyond the stream size takes no commit, decommit or prefetch there
  // either: the range must end within the page holding the stream's last byte.
  if (paged != NULL && (m->common.flags & VMAR_FLAG_FAULT_BEYOND_STREAM_SIZE) &&
      (op == ZX_VMAR_OP_COMMIT || op == ZX_VMAR_OP_DECOMMIT || op == ZX_VMAR_OP_PREFETCH)) {
    // Within the mapping's VMO window: no overflow.
    if (vmo_offset + len > vm_object_paged_stream_end(paged)) return ZX_ERR_OUT_OF_RANGE;
  }
  switch (op) {
    case ZX_VMAR_OP_COMMIT:
      if (paged != NULL) status = vm_object_paged_commit_range(paged, vmo_offset, len);
      if (status != ZX_OK) return status;
      return vm_mapping_map_range(m, map_offset, len, false, true);
    case ZX_VMAR_OP_DECOMMIT:
      return paged != NULL ? vm_object_paged_decommit_range(paged, vmo_offset, len) : ZX_OK;
    case ZX_VMAR_OP_ZERO:
      return paged != NULL ? vm_object_paged_zero_range(paged, vmo_offset, len) : ZX_OK;
    case ZX_VMAR_OP_DONT_NEED:
      // The VMO's own hint (a no-op where no pager backs it); nothing to map.
      return paged != NULL ? vm_object_paged_hint_range(paged, VM_OBJECT_PAGED_HINT_DONT_NEED,
                                                        vmo_offset, len)
                           : ZX_OK;
    case ZX_VMAR_OP_ALWAYS_NEED:
    case ZX_VMAR_OP_PREFETCH:
      // As Zircon's RangeOp: the VMO's ALWAYS_NEED hint or prefetch first (a pager VMO fetches
      // its absent pages, waiting with no lock held), then what is present is mapped.
      if (paged != NULL) {
        status = vm_object_paged_hint_range(paged,
                                            op == ZX_VMAR_OP_ALWAYS_NEED
                                                ? VM_OBJECT_PAGED_HINT_ALWAYS_NEED
                                                : VM_OBJECT_PAGED_HINT_PREFETCH,
                                            vmo_offset, len);
      }
      if (status != ZX_OK) return status;
      return vm_mapping_map_range(m, map_offset, len, false, true);
    case ZX_VMAR_OP_MAP_RANGE:
      return vm_mapping_map_range(m, map_offset, len, false, true);
    default:
      return ZX_ERR_INVALID_ARGS;
  }
}

// Applies |op| to the mapping at |*cursor| with the aspace lock dropped around the VMO call;
// advances |*cursor| and sets |*done| after the last mapping. Aspace lock held on entry and exit.
static zx_status_t range_op_step_locked(struct vm_address_region* vmar, uint32_t op,
                                        vaddr_t* cursor, vaddr_t base, vaddr_t last,
                                        enum vm_op_children op_children, bool* done)
    REQUIRES(&vmar->common.aspace->lock) {
  // The state may have changed while the lock was dropped: check again.
  if (vmar->common.state != VM_LIFECYCLE_ALIVE) return ZX_ERR_BAD_STATE;
  struct vm_mapping* m;
  zx_status_t status = range_op_next_locked(vmar, op, *cursor, last, op_children, &m);
  if (status != ZX_OK) return status;
  vaddr_t ib;
  size_t ilen;
  mapping_intersect(m, base, last, &ib, &ilen);
  size_t map_offset = ib - vm_mapping_base(m);
  uint64_t vmo_offset = m->object_offset + map_offset;
  struct vm_object* vmo = vm_mapping_vmo_locked(m);
  if (vmo == NULL) return ZX_ERR_BAD_STATE;
  vm_address_region_or_mapping_acquire(&m->common);
  mutex_unlock(&vmar->common.aspace->lock);
  status = range_op_apply(op, m, vmo, vmo_offset, map_offset, ilen);
  vm_object_release(vmo);
  vm_address_region_or_mapping_release(&m->common);
  mutex_lock(&vmar->common.aspace->lock);
  vaddr_t i_last = ib + (ilen - 1);
  *done = i_last >= last;
  if (!*done) *cursor = i_last + 1;
  return status;
}

zx_status_t vm_address_region_range_op(struct vm_address_region* vmar, uint32_t op, vaddr_t base,
                                       size_t len, enum vm_op_children op_children, void* buffer,
                                       size_t buffer_size) {
  ZX_DEBUG_ASSERT_MAGIC(&vmar->common, VM_ADDRESS_REGION_MAGIC);
  if (buffer != NULL || buffer_size != 0) return ZX_ERR_INVALID_ARGS;
  if (!range_op_known(op)) return ZX_ERR_INVALID_ARGS;
  size_t rounded;
  if (!vm_round_size(len, &rounded) || !IS_PAGE_ALIGNED(base)) return ZX_ERR_INVALID_ARGS;
  vaddr_t last;
  if (__builtin_add_overflow(base, rounded - 1, &last) ||
      !vm_region_contains_range(&vmar->common, base, last)) {
    return ZX_ERR_OUT_OF_RANGE;
  }
  zx_status_t status;
  mutex_lock(&vmar->common.aspace->lock);
  if (vmar->common.state != VM_LIFECYCLE_ALIVE) {
    status = ZX_ERR_BAD_STATE;
  } else {
    status = range_op_check_locked(vmar, op, base, last, op_children);
  }
  vaddr_t cursor = base;
  bool done = false;
  while (status == ZX_OK && !done) {
    status = range_op_step_locked(vmar, op, &cursor, base, last, op_children, &done);
  }
  mutex_unlock(&vmar->common.aspace->lock);
  return status;
}
