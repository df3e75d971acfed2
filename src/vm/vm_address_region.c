// VMARs (Zircon's VmAddressRegion) and the part they share with mappings: references, the life
// cycle, creation and placement of children, destruction, lookup, attribution, dump and the
// invariant checker. Unmap, protect and range operations are in vm_address_region_ops.c; the
// mapping object itself in vm_mapping.c.
//
// State machine (one per VMAR or mapping):
//
//     NOT_READY --insert_child_locked / vm_mapping_activate_locked--> ALIVE
//     ALIVE --destroy_locked / vm_mapping_destroy_locked--> DEAD
//
// Invariants (vm_address_region_check_locked asserts them):
//   1. An ALIVE VMAR's children are ALIVE, disjoint, ordered by base, inside it, and point back
//      to it; the children tree's augmentation is exact.
//   2. A DEAD VMAR has no children and no parent; nothing in a tree is DEAD or NOT_READY.
//   3. The parent's tree holds exactly one reference to each child; the root VMAR is held by
//      its aspace. Every VMAR and mapping holds one reference to its aspace.
//   4. Moving an object into or out of a tree (or ALIVE) happens with both the region lock and
//      the aspace lock held; either lock alone is enough to walk the tree.
//
// Nothing here recurses over the VMAR tree: walks go down through children and back up through
// parent pointers, so a deep tree costs no stack.
#include <inttypes.h>
#include <string.h>

#include "base/platform.h"
#include "vm/vm_address_region_priv.h"
#include "vm/vm_object_paged.h"

// Flags accepted by each creation call (spec §5).
#define SUB_VMAR_ALLOWED_FLAGS                                                                \
  (VMAR_FLAG_SPECIFIC | VMAR_FLAG_CAN_MAP_SPECIFIC | VMAR_FLAG_COMPACT | VMAR_CAN_RWX_FLAGS | \
   VMAR_FLAG_OFFSET_IS_UPPER_LIMIT)
#define MAPPING_ALLOWED_FLAGS                                                 \
  (VMAR_FLAG_SPECIFIC | VMAR_FLAG_SPECIFIC_OVERWRITE | VMAR_CAN_RWX_FLAGS |   \
   VMAR_FLAG_OFFSET_IS_UPPER_LIMIT | VMAR_FLAG_DEBUG_DYNAMIC_KERNEL_MAPPING | \
   VMAR_FLAG_FAULT_BEYOND_STREAM_SIZE | VMAR_FLAG_ALLOW_FAULTS | VMAR_FLAG_REQUIRE_NON_RESIZABLE)
// Placement-only flags: they say where to put a mapping, not what it is, so a mapping does not
// keep them (two mappings differing only in how they were placed stay mergeable).
#define PLACEMENT_FLAGS \
  (VMAR_FLAG_SPECIFIC | VMAR_FLAG_SPECIFIC_OVERWRITE | VMAR_FLAG_OFFSET_IS_UPPER_LIMIT)
#define MAPPING_MMU_FLAGS \
  (ARCH_MMU_FLAG_CACHE_MASK | ARCH_MMU_FLAG_PERM_USER | ARCH_MMU_FLAG_PERM_RWX_MASK)

// ---- references -----------------------------------------------------------------------------

void vm_address_region_or_mapping_acquire(struct vm_address_region_or_mapping* r) {
  uint32_t old = atomic_fetch_add_explicit(&r->refcount, 1, memory_order_relaxed);
  ZX_DEBUG_ASSERT_MSG(old > 0, "acquire of a freed region %p", (void*)r);
}

static void vmar_free(struct vm_address_region* vmar) {
  ZX_DEBUG_ASSERT_MAGIC(&vmar->common, VM_ADDRESS_REGION_MAGIC);
  ZX_ASSERT_MSG(vm_region_list_count(&vmar->children) == 0, "freeing VMAR %p with %zu children",
                (void*)vmar, vm_region_list_count(&vmar->children));
  vmar->common.magic = 0;
  heap_free(vmar);
}

void vm_address_region_or_mapping_release(struct vm_address_region_or_mapping* r) {
  uint32_t old = atomic_fetch_sub_explicit(&r->refcount, 1, memory_order_acq_rel);
  ZX_ASSERT_MSG(old > 0, "release of a freed region %p", (void*)r);
  if (old != 1) return;
  ZX_ASSERT_MSG(r->state != VM_LIFECYCLE_ALIVE, "last reference to ALIVE %s %p",
                r->is_mapping ? "mapping" : "VMAR", (void*)r);
  if (r->is_mapping) {
    vm_mapping_free(vm_mapping_from(r));  // drops its VMO (if still held) and its aspace
    return;
  }
  struct vm_aspace* aspace = r->aspace;
  vmar_free(vm_address_region_from(r));
  vm_aspace_release(aspace);
}

// ---- creation -------------------------------------------------------------------------------

static void copy_name(char dst[ZX_MAX_NAME_LEN], const char* name) {
  memset(dst, 0, ZX_MAX_NAME_LEN);
  if (name == NULL) return;
  for (size_t i = 0; i + 1 < ZX_MAX_NAME_LEN && name[i] != '\0'; i++) dst[i] = name[i];
}

// Allocates a NOT_READY VMAR (one reference, for the caller; one aspace reference).
static zx_status_t vmar_alloc(struct vm_aspace* aspace, vaddr_t base, size_t size,
                              uint32_t vmar_flags, const char* name,
                              struct vm_address_region** out) {
  struct vm_address_region* vmar = heap_calloc(1, sizeof(*vmar));
  if (vmar == NULL) return ZX_ERR_NO_MEMORY;
  vmar->common.magic = VM_ADDRESS_REGION_MAGIC;
  atomic_init(&vmar->common.refcount, 1);
  vmar->common.is_mapping = false;
  vmar->common.flags = vmar_flags;
  vmar->common.aspace = aspace;
  vmar->common.parent = NULL;
  vmar->common.state = VM_LIFECYCLE_NOT_READY;
  vm_region_node_init(&vmar->common.region_node, base, size);
  vm_region_list_init(&vmar->children);
  copy_name(vmar->name, name);
  vm_aspace_acquire(aspace);
  *out = vmar;
  return ZX_OK;
}

zx_status_t vm_address_region_create_root(struct vm_aspace* aspace, vaddr_t base, size_t size,
                                          uint32_t vmar_flags, const char* name,
                                          struct vm_address_region** out) {
  struct vm_address_region* vmar;
  zx_status_t status = vmar_alloc(aspace, base, size, vmar_flags, name, &vmar);
  if (status != ZX_OK) return status;
  vmar->common.state = VM_LIFECYCLE_ALIVE;
  *out = vmar;
  return ZX_OK;
}

// Where a new child goes, as decided by vmar_place_locked.
struct vmar_placement {
  vaddr_t base;
  bool overwrite;  // SPECIFIC_OVERWRITE over an occupied range: unmap it first
};

// The range checks of CreateSubVmarInner that need no tree: spec §5 order, after ALIVE/size/
// ceiling checks.
static zx_status_t vmar_check_offset(const struct vm_address_region* parent, size_t offset,
                                     size_t size, uint32_t vmar_flags) {
  bool specific = (vmar_flags & (VMAR_FLAG_SPECIFIC | VMAR_FLAG_SPECIFIC_OVERWRITE)) != 0;
  bool upper = (vmar_flags & VMAR_FLAG_OFFSET_IS_UPPER_LIMIT) != 0;
  size_t parent_size = vm_region_size(&parent->common);
  if (specific && upper) return ZX_ERR_INVALID_ARGS;
  if (!specific && !upper && offset != 0) return ZX_ERR_INVALID_ARGS;
  if (!IS_PAGE_ALIGNED(offset)) return ZX_ERR_INVALID_ARGS;
  if ((specific || upper) && !(parent->common.flags & VMAR_FLAG_CAN_MAP_SPECIFIC)) {
    return ZX_ERR_ACCESS_DENIED;
  }
  if (!upper) {
    if (offset >= parent_size || size > parent_size - offset) return ZX_ERR_INVALID_ARGS;
  } else {
    if (offset > parent_size || size > parent_size || size > offset) return ZX_ERR_INVALID_ARGS;
  }
  return ZX_OK;
}

// CreateSubVmarInner's checks and placement (spec §5), for a sub-VMAR or a mapping of |size|
// bytes (page multiple) with |vmar_flags| (CAN_MAP_* already final). Changes nothing.
static zx_status_t vmar_place_locked(struct vm_address_region* parent, size_t offset, size_t size,
                                     uint8_t align_pow2, uint32_t vmar_flags,
                                     struct vmar_placement* out)
    REQUIRES(&parent->common.aspace->lock) {
  struct vm_aspace* aspace = parent->common.aspace;
  mutex_assert_held(&aspace->lock);
  if (parent->common.state != VM_LIFECYCLE_ALIVE) return ZX_ERR_BAD_STATE;
  if (size == 0) return ZX_ERR_INVALID_ARGS;
  if ((vmar_flags & VMAR_CAN_RWX_FLAGS) & ~(parent->common.flags & VMAR_CAN_RWX_FLAGS)) {
    return ZX_ERR_ACCESS_DENIED;
  }
  zx_status_t status = vmar_check_offset(parent, offset, size, vmar_flags);
  if (status != ZX_OK) return status;
  vaddr_t parent_base = vm_region_base(&parent->common);
  if (vmar_flags & (VMAR_FLAG_SPECIFIC | VMAR_FLAG_SPECIFIC_OVERWRITE)) {
    vaddr_t base = parent_base + offset;
    if (align_pow2 >= 64 || (base & (((vaddr_t)1 << align_pow2) - 1)) != 0) {
      return ZX_ERR_INVALID_ARGS;
    }
    out->base = base;
    out->overwrite = false;
    if (vm_region_list_is_range_available(&parent->children, base, size)) return ZX_OK;
    if (!(vmar_flags & VMAR_FLAG_SPECIFIC_OVERWRITE)) return ZX_ERR_ALREADY_EXISTS;
    out->overwrite = true;
    // Overwriting may cut mappings but never a sub-VMAR (spec §5 OverwriteVmMappingLocked).
    return vmar_check_unmap_children_locked(parent, base, base + (size - 1), VM_OP_CHILDREN_NO);
  }
  vaddr_t upper_limit = UINTPTR_MAX;
  if (vmar_flags & VMAR_FLAG_OFFSET_IS_UPPER_LIMIT) upper_limit = parent_base + offset;
  bool compact = (parent->common.flags & VMAR_FLAG_COMPACT) != 0;
  out->overwrite = false;
  return vm_aspace_alloc_spot_locked(aspace, parent, align_pow2, size, compact, upper_limit,
                                     &out->base);
}

zx_status_t vm_address_region_create_sub_vmar(struct vm_address_region* parent, size_t offset,
                                              size_t size, uint8_t align_pow2, uint32_t vmar_flags,
                                              const char* name, struct vm_address_region** out) {
  ZX_DEBUG_ASSERT_MAGIC(&parent->common, VM_ADDRESS_REGION_MAGIC);
  if (!IS_PAGE_ALIGNED(size)) return ZX_ERR_INVALID_ARGS;
  if (vmar_flags & ~SUB_VMAR_ALLOWED_FLAGS) return ZX_ERR_INVALID_ARGS;
  struct vm_aspace* aspace = parent->common.aspace;
  struct vm_address_region* vmar = NULL;
  mutex_lock(&parent->common.aspace->region_lock);
  mutex_lock(&parent->common.aspace->lock);
  struct vmar_placement place;
  zx_status_t status = vmar_place_locked(parent, offset, size, align_pow2, vmar_flags, &place);
  if (status != ZX_OK) goto out_unlock;
  ZX_DEBUG_ASSERT(!place.overwrite);
  status = vmar_alloc(aspace, place.base, size, vmar_flags, name, &vmar);
  if (status != ZX_OK) goto out_unlock;
  vm_address_region_insert_child_locked(parent, &vmar->common);
  VM_VALIDATE(vm_address_region_check_locked, parent);
out_unlock:
  mutex_unlock(&parent->common.aspace->lock);
  mutex_unlock(&parent->common.aspace->region_lock);
  if (status == ZX_OK) *out = vmar;
  return status;
}

// CreateVmMapping's own checks (spec §5), before placement. Computes the mapping's flags (the
// requested permissions added to its CAN_MAP_* ceiling) and its page-rounded size.
static zx_status_t mapping_check_args(const struct vm_address_region* parent, size_t size,
                                      uint32_t vmar_flags, struct vm_object* vmo,
                                      uint64_t vmo_offset, uint32_t arch_mmu_flags,
                                      uint32_t* out_flags, size_t* out_size) {
  if (vmar_flags & ~MAPPING_ALLOWED_FLAGS) return ZX_ERR_INVALID_ARGS;
  if (arch_mmu_flags & ~MAPPING_MMU_FLAGS) return ZX_ERR_INVALID_ARGS;
  uint32_t can_map = 0;
  if (arch_mmu_flags & ARCH_MMU_FLAG_PERM_READ) can_map |= VMAR_FLAG_CAN_MAP_READ;
  if (arch_mmu_flags & ARCH_MMU_FLAG_PERM_WRITE) can_map |= VMAR_FLAG_CAN_MAP_WRITE;
  if (arch_mmu_flags & ARCH_MMU_FLAG_PERM_EXECUTE) can_map |= VMAR_FLAG_CAN_MAP_EXECUTE;
  if (can_map & ~parent->common.flags) return ZX_ERR_ACCESS_DENIED;
  if (!IS_PAGE_ALIGNED(vmo_offset)) return ZX_ERR_INVALID_ARGS;
  size_t rounded;
  uint64_t end;
  if (size > SIZE_MAX - PAGE_MASK) return ZX_ERR_OUT_OF_RANGE;
  rounded = (size + PAGE_MASK) & ~(size_t)PAGE_MASK;
  if (__builtin_add_overflow(vmo_offset, (uint64_t)rounded, &end)) return ZX_ERR_OUT_OF_RANGE;
  if ((vmar_flags & VMAR_FLAG_REQUIRE_NON_RESIZABLE) && vmo->type == VM_OBJECT_TYPE_PAGED &&
      (vm_object_paged_from_object(vmo)->options & VM_OBJECT_PAGED_RESIZABLE)) {
    return ZX_ERR_NOT_SUPPORTED;
  }
  *out_flags = vmar_flags | can_map;
  *out_size = rounded;
  return ZX_OK;
}

zx_status_t vm_address_region_create_vm_mapping(struct vm_address_region* parent, size_t offset,
                                                size_t size, uint8_t align_pow2,
                                                uint32_t vmar_flags, struct vm_object* vmo,
                                                uint64_t vmo_offset, uint32_t arch_mmu_flags,
                                                const char* name, struct vm_mapping** out,
                                                vaddr_t* out_base) {
  ZX_DEBUG_ASSERT_MAGIC(&parent->common, VM_ADDRESS_REGION_MAGIC);
  ZX_DEBUG_ASSERT_MAGIC(vmo, VM_OBJECT_MAGIC);
  uint32_t flags;
  size_t rounded;
  zx_status_t status = mapping_check_args(parent, size, vmar_flags, vmo, vmo_offset, arch_mmu_flags,
                                          &flags, &rounded);
  if (status != ZX_OK) return status;
  struct vm_aspace* aspace = parent->common.aspace;
  struct vm_mapping* m = NULL;
  mutex_lock(&parent->common.aspace->region_lock);
  mutex_lock(&parent->common.aspace->lock);
  struct vmar_placement place;
  status = vmar_place_locked(parent, offset, rounded, align_pow2, flags, &place);
  if (status != ZX_OK) goto out_unlock;
  // Allocate before the overwrite unmaps anything, so running out of memory changes nothing.
  status = vm_mapping_create_not_ready(aspace, place.base, rounded, flags & ~PLACEMENT_FLAGS, vmo,
                                       vmo_offset, arch_mmu_flags, false, &m);
  if (status != ZX_OK) goto out_unlock;
  if (place.overwrite) {
    status = vmar_unmap_range_locked(parent, place.base, place.base + (rounded - 1), false);
    if (status != ZX_OK) goto out_unlock;
  }
  vm_mapping_activate_locked(m, parent);
  VM_VALIDATE(vm_address_region_check_locked, parent);
out_unlock:
  mutex_unlock(&parent->common.aspace->lock);
  mutex_unlock(&parent->common.aspace->region_lock);
  if (status != ZX_OK) {
    // A NOT_READY mapping is freed by its last reference (dropping its VMO reference, which
    // must happen with no lock held).
    if (m != NULL) vm_address_region_or_mapping_release(&m->common);
    return status;
  }
  *out = m;
  *out_base = place.base;
  (void)name;  // Zircon's mappings carry no name of their own.
  return ZX_OK;
}

// ---- tree membership ------------------------------------------------------------------------

void vm_address_region_insert_child_locked(struct vm_address_region* parent,
                                           struct vm_address_region_or_mapping* child) {
  struct vm_aspace* aspace = parent->common.aspace;
  mutex_assert_held(&aspace->region_lock);
  mutex_assert_held(&aspace->lock);
  ZX_ASSERT_MSG(parent->common.state == VM_LIFECYCLE_ALIVE, "insert into VMAR %p in state %d",
                (void*)parent, parent->common.state);
  // A mapping arrives already ALIVE on its VMO side (vm_mapping_activate_locked does that half
  // first, under the VMO lock); a VMAR arrives NOT_READY. Neither may be linked yet.
  ZX_ASSERT_MSG(child->state != VM_LIFECYCLE_DEAD && child->parent == NULL &&
                    !wavl_node_in_tree(&child->region_node.node) &&
                    (child->is_mapping || child->state == VM_LIFECYCLE_NOT_READY),
                "insert of %p in state %d", (void*)child, child->state);
  ZX_ASSERT(child->aspace == aspace);
  ZX_ASSERT_MSG(
      vm_region_contains_range(&parent->common, vm_region_base(child), vm_region_last(child)),
      "child [%#" PRIxPTR ", +%#zx) outside VMAR %p", vm_region_base(child), vm_region_size(child),
      (void*)parent);
  ZX_DEBUG_ASSERT(vm_region_list_is_range_available(&parent->children, vm_region_base(child),
                                                    vm_region_size(child)));
  vm_address_region_or_mapping_acquire(child);  // the tree's reference
  vm_region_list_insert(&parent->children, &child->region_node);
  child->parent = parent;
  if (!child->is_mapping) child->state = VM_LIFECYCLE_ALIVE;
}

void vm_address_region_remove_child_locked(struct vm_address_region* parent,
                                           struct vm_address_region_or_mapping* child) {
  struct vm_aspace* aspace = parent->common.aspace;
  mutex_assert_held(&aspace->region_lock);
  mutex_assert_held(&aspace->lock);
  // The state is not checked: the caller is retiring |child| and may already have marked it.
  ZX_ASSERT_MSG(child->parent == parent, "remove of %p (parent %p, state %d) from VMAR %p",
                (void*)child, (void*)child->parent, child->state, (void*)parent);
  vm_region_list_remove(&parent->children, &child->region_node);
  child->parent = NULL;
}

// ---- destruction ----------------------------------------------------------------------------

// Retires |vmar|, which has no children left: out of its parent's tree (if any), DEAD. Releases
// the tree's reference, so |vmar| may be freed on return.
static void vmar_retire_empty_locked(struct vm_address_region* vmar) {
  ZX_DEBUG_ASSERT(vm_region_list_count(&vmar->children) == 0);
  struct vm_address_region* parent = vmar->common.parent;
  if (parent != NULL) vm_address_region_remove_child_locked(parent, &vmar->common);
  vmar->common.parent = NULL;
  vmar->common.state = VM_LIFECYCLE_DEAD;
  if (parent != NULL) vm_address_region_or_mapping_release(&vmar->common);
}

zx_status_t vm_address_region_destroy_locked(struct vm_address_region* vmar) {
  struct vm_aspace* aspace = vmar->common.aspace;
  mutex_assert_held(&aspace->region_lock);
  mutex_assert_held(&aspace->lock);
  if (vmar->common.state != VM_LIFECYCLE_ALIVE) return ZX_ERR_BAD_STATE;
  struct vm_address_region* cur = vmar;
  for (;;) {
    struct vm_address_region_or_mapping* child =
        vm_region_of_node(vm_region_list_first(&cur->children));
    if (child != NULL && child->is_mapping) {
      zx_status_t status = vm_mapping_destroy_locked(vm_mapping_from(child), true);
      if (status != ZX_OK) return status;
    } else if (child != NULL) {
      cur = vm_address_region_from(child);  // descend; its parent's tree keeps it alive
    } else if (cur == vmar) {
      vmar_retire_empty_locked(cur);  // the caller's reference keeps |vmar| valid
      return ZX_OK;
    } else {
      struct vm_address_region* parent = cur->common.parent;
      vmar_retire_empty_locked(cur);
      cur = parent;
    }
  }
}

zx_status_t vm_address_region_or_mapping_destroy_locked(struct vm_address_region_or_mapping* r) {
  mutex_assert_held(&r->aspace->region_lock);
  mutex_assert_held(&r->aspace->lock);
  if (r->state != VM_LIFECYCLE_ALIVE) return ZX_ERR_BAD_STATE;
  if (r->is_mapping) return vm_mapping_destroy_locked(vm_mapping_from(r), true);
  // The root goes only with its aspace (vm_aspace_destroy); Zircon refuses it the same way.
  if (&r->aspace->root_vmar->common == r) return ZX_ERR_NOT_SUPPORTED;
  zx_status_t status = vm_address_region_destroy_locked(vm_address_region_from(r));
  VM_VALIDATE(vm_address_region_check_locked, r->aspace->root_vmar);
  return status;
}

zx_status_t vm_address_region_or_mapping_destroy(struct vm_address_region_or_mapping* r) {
  struct vm_aspace* aspace = r->aspace;
  mutex_lock(&aspace->region_lock);
  mutex_lock(&aspace->lock);
  zx_status_t status = vm_address_region_or_mapping_destroy_locked(r);
  mutex_unlock(&aspace->lock);
  mutex_unlock(&aspace->region_lock);
  return status;
}

// ---- lookup ---------------------------------------------------------------------------------

struct vm_mapping* vmar_next_mapping_locked(struct vm_address_region* top, vaddr_t cursor,
                                            vaddr_t last) {
  struct vm_address_region* cur = top;
  while (cursor <= last) {
    struct vm_address_region_or_mapping* n =
        vm_region_of_node(vm_region_list_include_or_higher(&cur->children, cursor));
    if (n != NULL && vm_region_base(n) <= last) {
      if (n->is_mapping) return vm_mapping_from(n);
      cur = vm_address_region_from(n);  // descend: everything in range below |n| comes first
      if (cursor < vm_region_base(n)) cursor = vm_region_base(n);
      continue;
    }
    if (cur == top) return NULL;
    // Nothing more in |cur|: continue after it in its parent.
    vaddr_t cur_last = vm_region_last(&cur->common);
    if (cur_last >= last) return NULL;
    cursor = cur_last + 1;
    cur = cur->common.parent;
  }
  return NULL;
}

struct vm_mapping* vm_address_region_find_mapping_locked(struct vm_address_region* vmar,
                                                         vaddr_t va) {
  ZX_DEBUG_ASSERT(mutex_held(&vmar->common.aspace->lock) ||
                  mutex_held(&vmar->common.aspace->region_lock));
  struct vm_address_region* cur = vmar;
  for (;;) {
    struct vm_address_region_or_mapping* n =
        vm_region_of_node(vm_region_list_find_region(&cur->children, va));
    if (n == NULL) return NULL;
    if (n->is_mapping) return vm_mapping_from(n);
    cur = vm_address_region_from(n);
  }
}

struct vm_address_region_or_mapping* vm_address_region_find_region(struct vm_address_region* vmar,
                                                                   vaddr_t va) {
  struct vm_aspace* aspace = vmar->common.aspace;
  mutex_lock(&aspace->lock);
  struct vm_address_region_or_mapping* found = NULL;
  struct vm_address_region* cur = vmar;
  while (cur->common.state == VM_LIFECYCLE_ALIVE) {
    struct vm_address_region_or_mapping* n =
        vm_region_of_node(vm_region_list_find_region(&cur->children, va));
    if (n == NULL) break;
    found = n;
    if (n->is_mapping) break;
    cur = vm_address_region_from(n);
  }
  if (found != NULL) vm_address_region_or_mapping_acquire(found);
  mutex_unlock(&aspace->lock);
  return found;
}

size_t vm_address_region_child_count(struct vm_address_region* vmar) {
  mutex_lock(&vmar->common.aspace->lock);
  size_t n = vm_region_list_count(&vmar->children);
  mutex_unlock(&vmar->common.aspace->lock);
  return n;
}

// ---- attribution ----------------------------------------------------------------------------

struct vm_attribution_counts vm_address_region_get_attributed_memory(
    struct vm_address_region* vmar) {
  struct vm_attribution_counts total;
  memset(&total, 0, sizeof(total));
  struct vm_aspace* aspace = vmar->common.aspace;
  vaddr_t cursor = vm_region_base(&vmar->common);
  vaddr_t last = vm_region_last(&vmar->common);
  for (;;) {
    // The mapping takes the aspace lock itself, so it is called with a reference and no lock;
    // the walk resumes after it, stopping if |vmar| died meanwhile.
    mutex_lock(&aspace->lock);
    struct vm_mapping* m = NULL;
    if (vmar->common.state == VM_LIFECYCLE_ALIVE) m = vmar_next_mapping_locked(vmar, cursor, last);
    if (m != NULL) vm_address_region_or_mapping_acquire(&m->common);
    mutex_unlock(&aspace->lock);
    if (m == NULL) break;
    struct vm_attribution_counts c = vm_mapping_get_attributed_memory(m);
    vm_attribution_counts_add(&total, &c);
    vaddr_t m_last = vm_region_last(&m->common);
    vm_address_region_or_mapping_release(&m->common);
    if (m_last >= last) break;
    cursor = m_last + 1;
  }
  return total;
}

// ---- walking the whole tree (dump, check) ---------------------------------------------------

// Pre-order successor of |node| in the tree below |top| (|top| itself comes first, from the
// caller), updating |*depth| (relative to |top|). NULL after the last node.
static struct vm_address_region_or_mapping* vmar_preorder_next(
    struct vm_address_region* top, struct vm_address_region_or_mapping* node, unsigned* depth) {
  if (!node->is_mapping) {
    struct vm_region_node* first = vm_region_list_first(&vm_address_region_from(node)->children);
    if (first != NULL) {
      (*depth)++;
      return vm_region_from_node(first);
    }
  }
  while (node != &top->common) {
    struct vm_region_node* next = vm_region_list_next(&node->region_node);
    if (next != NULL) return vm_region_from_node(next);
    node = &node->parent->common;
    (*depth)--;
  }
  return NULL;
}

static void vmar_dump_one_locked(struct vm_address_region* vmar, unsigned depth,
                                 const struct printer* out) {
  const struct vm_region_node* rn = &vmar->common.region_node;
  printer_printf(out,
                 "%*svmar %p [%#" PRIxPTR " %#" PRIxPTR
                 "] sz %#zx ref %u state %d '%s' "
                 "subregions %zu max_gap %#zx [%#" PRIxPTR " %#" PRIxPTR "]\n",
                 (int)(2 * depth), "", (void*)vmar, vm_region_base(&vmar->common),
                 vm_region_last(&vmar->common), vm_region_size(&vmar->common),
                 atomic_load_explicit(&vmar->common.refcount, memory_order_relaxed),
                 (int)vmar->common.state, vmar->name, vm_region_list_count(&vmar->children),
                 rn->subtree_max_gap, rn->subtree_min_first_byte, rn->subtree_max_last_byte);
}

void vm_address_region_dump_locked(struct vm_address_region* vmar, unsigned depth, bool verbose,
                                   const struct printer* out) {
  mutex_assert_held(&vmar->common.aspace->lock);
  unsigned rel = 0;
  for (struct vm_address_region_or_mapping* n = &vmar->common; n != NULL;
       n = vmar_preorder_next(vmar, n, &rel)) {
    if (n->is_mapping) {
      vm_mapping_dump_locked(vm_mapping_from(n), depth + rel, verbose, out);
    } else {
      vmar_dump_one_locked(vm_address_region_from(n), depth + rel, out);
    }
  }
}

zx_status_t vm_address_region_enumerate_locked(struct vm_address_region* vmar, vm_region_enum_fn fn,
                                               void* ctx) {
  mutex_assert_held(&vmar->common.aspace->lock);
  unsigned depth = 0;
  for (struct vm_address_region_or_mapping* n = &vmar->common; n != NULL;
       n = vmar_preorder_next(vmar, n, &depth)) {
    zx_status_t status = fn(ctx, n, depth);
    if (status == ZX_ERR_STOP) return ZX_OK;
    if (status != ZX_ERR_NEXT) return status;
  }
  return ZX_OK;
}

zx_status_t vm_address_region_enumerate(struct vm_address_region* vmar, vm_region_enum_fn fn,
                                        void* ctx) {
  mutex_lock(&vmar->common.aspace->lock);
  zx_status_t status = ZX_ERR_BAD_STATE;
  if (vmar->common.state == VM_LIFECYCLE_ALIVE) {
    status = vm_address_region_enumerate_locked(vmar, fn, ctx);
  }
  mutex_unlock(&vmar->common.aspace->lock);
  return status;
}

// ---- invariant checker ----------------------------------------------------------------------

// Invariants 1 and 2 for one VMAR and its direct children.
static void vmar_check_one_locked(struct vm_address_region* vmar) {
  ZX_ASSERT_MSG(vmar->common.magic == VM_ADDRESS_REGION_MAGIC, "VMAR %p bad magic %#x", (void*)vmar,
                vmar->common.magic);
  ZX_ASSERT_MSG(vmar->common.state == VM_LIFECYCLE_ALIVE, "VMAR %p in the tree in state %d",
                (void*)vmar, (int)vmar->common.state);
  ZX_ASSERT(!vmar->common.is_mapping);
  ZX_ASSERT(vmar->name[ZX_MAX_NAME_LEN - 1] == '\0');
  vm_region_list_check(&vmar->children);
  vaddr_t prev_last = 0;
  bool have_prev = false;
  for (struct vm_region_node* rn = vm_region_list_first(&vmar->children); rn != NULL;
       rn = vm_region_list_next(rn)) {
    struct vm_address_region_or_mapping* c = vm_region_from_node(rn);
    ZX_ASSERT_MSG(c->parent == vmar, "child %p of VMAR %p has parent %p", (void*)c, (void*)vmar,
                  (void*)c->parent);
    ZX_ASSERT_MSG(c->state == VM_LIFECYCLE_ALIVE, "child %p of VMAR %p in state %d", (void*)c,
                  (void*)vmar, (int)c->state);
    ZX_ASSERT_MSG(c->aspace == vmar->common.aspace, "child %p in a foreign aspace", (void*)c);
    ZX_ASSERT_MSG(vm_region_contains_range(&vmar->common, vm_region_base(c), vm_region_last(c)),
                  "child %p [%#" PRIxPTR ", %#" PRIxPTR "] outside VMAR %p", (void*)c,
                  vm_region_base(c), vm_region_last(c), (void*)vmar);
    ZX_ASSERT_MSG(!have_prev || vm_region_base(c) > prev_last,
                  "child %p at %#" PRIxPTR " overlaps its predecessor ending %#" PRIxPTR, (void*)c,
                  vm_region_base(c), prev_last);
    ZX_ASSERT_MSG(atomic_load_explicit(&c->refcount, memory_order_relaxed) >= 1,
                  "child %p without references", (void*)c);
    prev_last = vm_region_last(c);
    have_prev = true;
  }
}

void vm_address_region_check_locked(struct vm_address_region* vmar) {
  mutex_assert_held(&vmar->common.aspace->lock);
  if (vmar->common.state != VM_LIFECYCLE_ALIVE) {
    ZX_ASSERT_MSG(vm_region_list_count(&vmar->children) == 0 && vmar->common.parent == NULL,
                  "non-ALIVE VMAR %p (state %d) still linked", (void*)vmar,
                  (int)vmar->common.state);
    return;
  }
  unsigned depth = 0;
  for (struct vm_address_region_or_mapping* n = &vmar->common; n != NULL;
       n = vmar_preorder_next(vmar, n, &depth)) {
    if (n->is_mapping) {
      vm_mapping_check_locked(vm_mapping_from(n));
    } else {
      vmar_check_one_locked(vm_address_region_from(n));
    }
  }
}

// ---- zx_vm_option_t decoding ----------------------------------------------------------------

zx_status_t vm_parse_align(zx_vm_option_t options, uint8_t* out_align_pow2) {
  uint32_t align = options >> ZX_VM_ALIGN_BASE;
  if (align != 0 && (align < 10 || align > 32)) return ZX_ERR_INVALID_ARGS;
  *out_align_pow2 = (uint8_t)align;
  return ZX_OK;
}

// One ZX_VM_* bit and the VMAR_FLAG_* it becomes.
struct vm_flag_pair {
  zx_vm_option_t zx;
  uint32_t vmar;
};

static const struct vm_flag_pair kVmarFlagPairs[] = {
    {ZX_VM_COMPACT, VMAR_FLAG_COMPACT},
    {ZX_VM_SPECIFIC, VMAR_FLAG_SPECIFIC},
    {ZX_VM_SPECIFIC_OVERWRITE, VMAR_FLAG_SPECIFIC_OVERWRITE},
    {ZX_VM_CAN_MAP_SPECIFIC, VMAR_FLAG_CAN_MAP_SPECIFIC},
    {ZX_VM_CAN_MAP_READ, VMAR_FLAG_CAN_MAP_READ},
    {ZX_VM_CAN_MAP_WRITE, VMAR_FLAG_CAN_MAP_WRITE},
    {ZX_VM_CAN_MAP_EXECUTE, VMAR_FLAG_CAN_MAP_EXECUTE},
    {ZX_VM_REQUIRE_NON_RESIZABLE, VMAR_FLAG_REQUIRE_NON_RESIZABLE},
    {ZX_VM_ALLOW_FAULTS, VMAR_FLAG_ALLOW_FAULTS},
    {ZX_VM_OFFSET_IS_UPPER_LIMIT, VMAR_FLAG_OFFSET_IS_UPPER_LIMIT},
    {ZX_VM_FAULT_BEYOND_STREAM_SIZE, VMAR_FLAG_FAULT_BEYOND_STREAM_SIZE},
};

zx_status_t vm_split_syscall_flags(zx_vm_option_t options, uint32_t* out_vmar_flags,
                                   uint32_t* out_arch_mmu_flags, uint8_t* out_align_pow2,
                                   bool* out_map_range) {
  uint8_t align;
  zx_status_t status = vm_parse_align(options, &align);
  if (status != ZX_OK) return status;
  zx_vm_option_t rest = options & ((1u << ZX_VM_ALIGN_BASE) - 1);
  uint32_t mmu = 0, vmar = 0;
  if (rest & ZX_VM_PERM_READ) mmu |= ARCH_MMU_FLAG_PERM_READ;
  if (rest & ZX_VM_PERM_WRITE) mmu |= ARCH_MMU_FLAG_PERM_WRITE;
  if (rest & ZX_VM_PERM_EXECUTE) mmu |= ARCH_MMU_FLAG_PERM_EXECUTE;
  if (rest & ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED) mmu |= ARCH_MMU_FLAG_PERM_READ;
  rest &= ~(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE |
            ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED);
  bool map_range = (rest & ZX_VM_MAP_RANGE) != 0;
  rest &= ~ZX_VM_MAP_RANGE;
  for (size_t i = 0; i < countof(kVmarFlagPairs); i++) {
    if (rest & kVmarFlagPairs[i].zx) vmar |= kVmarFlagPairs[i].vmar;
    rest &= ~kVmarFlagPairs[i].zx;
  }
  if (rest != 0) return ZX_ERR_INVALID_ARGS;
  *out_vmar_flags = vmar;
  *out_arch_mmu_flags = mmu;
  *out_align_pow2 = align;
  *out_map_range = map_range;
  return ZX_OK;
}
