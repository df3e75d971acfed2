// VmMapping: a window [object_offset, object_offset + size) of a VMO mapped at [base, base + size)
// of an address space, with per-range protections. This file holds the life cycle and every
// geometry change (activate, destroy, partial unmap, merge, private clone), protection changes,
// the simple accessors of the class reference, dump, attribution and the invariant checker. The
// fault path, MapRange and the VMO-side callbacks live in vm_mapping_fault.c.
//
// Numbered invariants (checked by vm_mapping_check_locked):
//  M1. base, size and object_offset never change; size > 0; base + size - 1 does not wrap.
//  M2. ALIVE <=> in the parent's children and in the VMO's mapping tree, with object != NULL and
//      object_reset false. DEAD => object == NULL, object_reset true, parent == NULL.
//  M3. The protection runs cover exactly [base, base + size) (mpr_check) and all share the
//      mapping's cache bits, which equal the VMO's cache policy once ALIVE.
//  M4. Every protection run's permissions are within the CAN_MAP_* ceiling of the mapping.
//  M5. Every present PTE in [base, base + size) maps the page the VMO holds at the corresponding
//      offset with no more permission than its run, or the shared zero page without WRITE.
//
// Locking: geometry is constant. |object|, |protection_ranges| and |state| are written with both
// the aspace lock and the VMO lock held, so either suffices to read them. A geometry change does
// all of its VMO-visible work inside one hold of the VMO lock (a fault that already looked the
// mapping up and waits for that lock then sees object_reset and retries its lookup); the parent
// tree is updated afterwards under the aspace lock, which also blocks every new lookup.
#include "base/alloc_fail.h"
#include "base/platform.h"
#include "pmm/pmm.h"
#include "vm/vm_aspace.h"
#include "vm/vm_mapping_priv.h"
#include "vm/vm_object_paged.h"

// ---- creation and references
// ---------------------------------------------------------------------

zx_status_t vm_mapping_create_not_ready(struct vm_aspace* aspace, vaddr_t base, size_t size,
                                        uint32_t vmar_flags, struct vm_object* vmo,
                                        uint64_t object_offset, uint32_t arch_mmu_flags,
                                        bool private_clone, struct vm_mapping** out) {
  ZX_DEBUG_ASSERT(IS_PAGE_ALIGNED(base) && IS_PAGE_ALIGNED(size) && size > 0);
  ZX_DEBUG_ASSERT(base + (size - 1) >= base);
  ZX_DEBUG_ASSERT(IS_PAGE_ALIGNED(object_offset));
  struct vm_mapping* m = heap_calloc(1, sizeof(*m));
  if (m == NULL) return ZX_ERR_NO_MEMORY;
  m->common.magic = VM_MAPPING_MAGIC;
  atomic_init(&m->common.refcount, 1);
  m->common.is_mapping = true;
  m->common.flags = vmar_flags;
  m->common.aspace = aspace;
  vm_aspace_acquire(aspace);
  m->common.parent = NULL;
  m->common.state = VM_LIFECYCLE_NOT_READY;
  vm_region_node_init(&m->common.region_node, base, size);
  m->object = vmo;
  vm_object_acquire(vmo);
  m->object_offset = object_offset;
  mpr_init(&m->protection_ranges, arch_mmu_flags);
  m->mergeable = false;
  m->private_clone = private_clone;
  atomic_init(&m->object_reset, false);
  m->currently_faulting = NULL;
  wavl_node_init(&m->vmo_node.node);
  m->vmo_node.object_offset = object_offset;
  m->vmo_node.size = size;
  m->vmo_node.range_change = vm_mapping_range_change;
  *out = m;
  return ZX_OK;
}

// Frees a mapping whose last reference is gone (called by vm_address_region_or_mapping_release).
void vm_mapping_free(struct vm_mapping* m) {
  ZX_DEBUG_ASSERT_MAGIC(&m->common, VM_MAPPING_MAGIC);
  ZX_ASSERT_MSG(m->common.state != VM_LIFECYCLE_ALIVE, "freeing ALIVE mapping %p", (void*)m);
  ZX_ASSERT(!wavl_node_in_tree(&m->vmo_node.node));
  ZX_ASSERT(m->currently_faulting == NULL);
  // A NOT_READY mapping still holds its VMO (it was never activated, or a geometry change gave
  // up on it); a DEAD one dropped it in destroy.
  if (m->object != NULL) vm_object_release(m->object);
  mpr_clear(&m->protection_ranges);
  struct vm_aspace* aspace = m->common.aspace;
  m->common.magic = 0;
  heap_free(m);
  vm_aspace_release(aspace);
}

static void mapping_release(struct vm_mapping* m) {
  vm_address_region_or_mapping_release(&m->common);
}

// ---- activation and destruction, VMO side ------------------------------------------------------

// The VMO half of Activate: ALIVE and in the VMO's mapping tree; the cache policy of the VMO is
// now fixed for this mapping. VMO lock held.
static void activate_locked_object(struct vm_mapping* m) {
  // Callers lock the VMO through another name for the same lock (a piece's VMO is its parent's);
  // the assert both checks it and tells the analysis.
  vm_object_assert_held(m->object);
  ZX_DEBUG_ASSERT(m->common.state == VM_LIFECYCLE_NOT_READY);
  uint32_t policy = m->object->cache_policy & ARCH_MMU_FLAG_CACHE_MASK;
  uint32_t first = mpr_first_region_flags(&m->protection_ranges);
  if ((first & ARCH_MMU_FLAG_CACHE_MASK) != policy) {
    // Only a freshly created mapping can disagree, and it has a single run.
    ZX_ASSERT(mpr_is_single_region(&m->protection_ranges));
    mpr_set_first_region_flags(&m->protection_ranges, (first & ~ARCH_MMU_FLAG_CACHE_MASK) | policy);
  }
  m->common.state = VM_LIFECYCLE_ALIVE;
  vm_object_add_mapping_locked(m->object, &m->vmo_node);
}

// The VMO half of Destroy: optional arch unmap of the whole range, out of the VMO tree, object
// dropped (the reference is handed to |*out_object| for the caller to release after unlocking),
// DEAD. VMO lock held.
static zx_status_t destroy_locked_object(struct vm_mapping* m, bool unmap,
                                         struct vm_object** out_object) {
  vm_object_assert_held(m->object);  // held under another name, see activate_locked_object
  ZX_DEBUG_ASSERT(m->common.state == VM_LIFECYCLE_ALIVE);
  ZX_DEBUG_ASSERT(m->currently_faulting == NULL);
  if (unmap) {
    zx_status_t status = vm_mapping_arch_unmap(m, vm_mapping_base(m), vm_mapping_size(m), 0);
    if (status != ZX_OK) return status;
  }
  mpr_clear(&m->protection_ranges);
  vm_object_remove_mapping_locked(m->object, &m->vmo_node);
  *out_object = m->object;
  m->object = NULL;
  atomic_store(&m->object_reset, true);
  m->common.state = VM_LIFECYCLE_DEAD;
  return ZX_OK;
}

// The aspace half of Destroy: the fault cache and the parent's tree. Region and aspace locks held.
static void destroy_locked_region(struct vm_mapping* m) {
  struct vm_aspace* aspace = m->common.aspace;
  if (aspace->last_fault == m) aspace->last_fault = NULL;
  struct vm_address_region* parent = m->common.parent;
  ZX_DEBUG_ASSERT(parent != NULL);
  vm_address_region_remove_child_locked(parent, &m->common);
  // The tree's reference now belongs to us; the caller still holds its own.
  mapping_release(m);
}

void vm_mapping_activate_locked(struct vm_mapping* m, struct vm_address_region* parent) {
  mutex_assert_held(&m->common.aspace->region_lock);
  mutex_assert_held(&m->common.aspace->lock);
  vm_object_lock(m->object);
  activate_locked_object(m);
  vm_object_unlock(m->object);
  vm_address_region_insert_child_locked(parent, &m->common);
}

zx_status_t vm_mapping_destroy_locked(struct vm_mapping* m, bool unmap) {
  mutex_assert_held(&m->common.aspace->region_lock);
  mutex_assert_held(&m->common.aspace->lock);
  if (m->common.state != VM_LIFECYCLE_ALIVE) return ZX_ERR_BAD_STATE;
  struct vm_object* object = m->object;
  struct vm_object* dropped = NULL;
  vm_address_region_or_mapping_acquire(&m->common);  // keep |m| alive through the teardown
  vm_object_lock(object);
  zx_status_t status = destroy_locked_object(m, unmap, &dropped);
  vm_object_unlock(object);
  if (status == ZX_OK) {
    destroy_locked_region(m);
    vm_object_release(dropped);
  }
  mapping_release(m);
  return status;
}

// ---- partial unmap ------------------------------------------------------------------------------

// Builds the NOT_READY piece of |m| covering [|base|, |base| + |size|).
static zx_status_t create_piece(struct vm_mapping* m, vaddr_t base, size_t size,
                                struct vm_mapping** out) {
  uint64_t offset = m->object_offset + (base - vm_mapping_base(m));
  zx_status_t status = vm_mapping_create_not_ready(
      m->common.aspace, base, size, m->common.flags, m->object, offset,
      mpr_first_region_flags(&m->protection_ranges), m->private_clone, out);
  if (status == ZX_OK) (*out)->mergeable = true;
  return status;
}

// Moves every protection run of |from| to the (empty) |to|, leaving |from| empty.
static void move_protection_ranges(struct mapping_protection_ranges* to,
                                   struct mapping_protection_ranges* from) {
  mpr_clear(to);
  *to = *from;
  mpr_init(from, to->first_region_arch_mmu_flags);
}

zx_status_t vm_mapping_unmap_locked(struct vm_mapping* m, vaddr_t base, size_t size) {
  struct vm_aspace* aspace = m->common.aspace;
  mutex_assert_held(&aspace->region_lock);
  mutex_assert_held(&aspace->lock);
  if (m->common.state != VM_LIFECYCLE_ALIVE) return ZX_ERR_BAD_STATE;
  vaddr_t m_base = vm_mapping_base(m);
  vaddr_t m_last = m_base + (vm_mapping_size(m) - 1);
  vaddr_t last = base + (size - 1);
  ZX_DEBUG_ASSERT(IS_PAGE_ALIGNED(base) && IS_PAGE_ALIGNED(size) && size > 0);
  ZX_DEBUG_ASSERT(base >= m_base && last <= m_last && (base != m_base || last != m_last));

  struct vm_mapping *left = NULL, *right = NULL;
  zx_status_t status = ZX_OK;
  if (base != m_base) status = create_piece(m, m_base, base - m_base, &left);
  if (status == ZX_OK && last != m_last) status = create_piece(m, last + 1, m_last - last, &right);
  if (status != ZX_OK) goto out_free_pieces;

  struct vm_object* object = m->object;
  struct vm_object* dropped = NULL;
  vm_object_lock(object);
  status = vm_mapping_arch_unmap(m, base, size, 0);
  ZX_ASSERT_MSG(status == ZX_OK, "arch unmap failed: %d", status);
  if (right != NULL) {
    status = mpr_split_at(&m->protection_ranges, m_base, vm_mapping_size(m), last + 1,
                          &right->protection_ranges);
    ZX_ASSERT(status == ZX_OK);
  }
  if (left != NULL) {
    mpr_discard_above(&m->protection_ranges, base);
    move_protection_ranges(&left->protection_ranges, &m->protection_ranges);
  }
  status = destroy_locked_object(m, false, &dropped);
  ZX_ASSERT(status == ZX_OK);
  if (left != NULL) activate_locked_object(left);
  if (right != NULL) activate_locked_object(right);
  vm_object_unlock(object);

  struct vm_address_region* parent = m->common.parent;
  vm_address_region_or_mapping_acquire(&m->common);
  destroy_locked_region(m);
  mapping_release(m);
  vm_object_release(dropped);
  if (left != NULL) {
    vm_address_region_insert_child_locked(parent, &left->common);
    mapping_release(left);  // the parent's tree holds it now
  }
  if (right != NULL) {
    vm_address_region_insert_child_locked(parent, &right->common);
    mapping_release(right);
  }
  return ZX_OK;

out_free_pieces:
  if (left != NULL) mapping_release(left);
  if (right != NULL) mapping_release(right);
  return status;
}

zx_status_t vm_mapping_debug_unmap(struct vm_mapping* m, vaddr_t base, size_t size) {
  struct vm_aspace* aspace = m->common.aspace;
  mutex_lock(&aspace->region_lock);
  mutex_lock(&aspace->lock);
  zx_status_t status = vm_mapping_unmap_locked(m, base, size);
  mutex_unlock(&aspace->lock);
  mutex_unlock(&aspace->region_lock);
  return status;
}

// ---- protection
// -----------------------------------------------------------------------------------

// Changes hardware permissions of a range to |flags|, which never carry WRITE (write permission is
// only ever gained through a fault). Without any RWX bit, or if protect fails in an aspace that
// may enlarge, the range is unmapped instead: always a legal fallback for user memory.
zx_status_t vm_mapping_protect_or_unmap(struct vm_mapping* m, vaddr_t base, size_t size,
                                        uint32_t flags) {
  ZX_DEBUG_ASSERT(!(flags & ARCH_MMU_FLAG_PERM_WRITE));
  struct arch_aspace* arch = m->common.aspace->arch;
  if (flags & ARCH_MMU_FLAG_PERM_RWX_MASK) {
    uint32_t options = arch_aspace_is_user(arch) ? ARCH_UNMAP_OPTION_ENLARGE : 0;
    zx_status_t status = arch_aspace_protect(arch, base, size / PAGE_SIZE, flags, options);
    if (status == ZX_OK || !arch_aspace_is_user(arch)) return status;
  }
  return vm_mapping_arch_unmap(m, base, size, 0);
}

struct protect_ctx {
  struct vm_mapping* m;
  uint32_t new_flags;
};

// Per old run whose flags change: adjust what the hardware may hold.
static void protect_run_cb(void* ctx, vaddr_t run_base, size_t run_len, uint32_t old_flags) {
  struct protect_ctx* c = ctx;
  uint32_t hw = c->new_flags & ~ARCH_MMU_FLAG_PERM_WRITE;
  if (c->new_flags & ARCH_MMU_FLAG_PERM_WRITE) {
    // Entries gain write lazily; entries the old flags allowed to be writable must lose it.
    ZX_DEBUG_ASSERT(arch_aspace_is_user(c->m->common.aspace->arch));
    if (hw == old_flags) return;
  }
  zx_status_t status = vm_mapping_protect_or_unmap(c->m, run_base, run_len, hw);
  ZX_ASSERT_MSG(status == ZX_OK, "protect of [%#lx, +%#lx) failed: %d", (unsigned long)run_base,
                (unsigned long)run_len, status);
}

zx_status_t vm_mapping_protect_locked(struct vm_mapping* m, vaddr_t base, size_t size,
                                      uint32_t arch_mmu_flags) {
  mutex_assert_held(&m->common.aspace->lock);
  if (m->common.state != VM_LIFECYCLE_ALIVE) return ZX_ERR_BAD_STATE;
  ZX_DEBUG_ASSERT(!(arch_mmu_flags & ARCH_MMU_FLAG_CACHE_MASK));
  vm_object_lock(m->object);
  uint32_t cache = mpr_first_region_flags(&m->protection_ranges) & ARCH_MMU_FLAG_CACHE_MASK;
  struct protect_ctx ctx = {m, arch_mmu_flags | cache};
  zx_status_t status = mpr_update(&m->protection_ranges, vm_mapping_base(m), vm_mapping_size(m),
                                  base, size, ctx.new_flags, protect_run_cb, &ctx);
  vm_object_unlock(m->object);
  return status;
}

zx_status_t vm_mapping_debug_protect(struct vm_mapping* m, vaddr_t base, size_t size,
                                     uint32_t arch_mmu_flags) {
  struct vm_aspace* aspace = m->common.aspace;
  mutex_lock(&aspace->lock);
  zx_status_t status = vm_mapping_protect_locked(m, base, size, arch_mmu_flags);
  mutex_unlock(&aspace->lock);
  return status;
}

// ---- merging
// --------------------------------------------------------------------------------------

// True when |right| may be merged into |left| (spec §2 MarkMergeable rules).
static bool can_merge(struct vm_mapping* left, struct vm_mapping* right) {
  if (left->object != right->object) return false;
  if (left->common.state != VM_LIFECYCLE_ALIVE || right->common.state != VM_LIFECYCLE_ALIVE) {
    return false;
  }
  if (!left->mergeable || !right->mergeable) return false;
  vaddr_t left_end;
  if (__builtin_add_overflow(vm_mapping_base(left), vm_mapping_size(left), &left_end) ||
      left_end != vm_mapping_base(right)) {
    return false;
  }
  uint64_t left_offset_end;
  if (__builtin_add_overflow(left->object_offset, vm_mapping_size(left), &left_offset_end) ||
      left_offset_end != right->object_offset) {
    return false;
  }
  if (left->common.flags != right->common.flags) return false;
  uint32_t lc = mpr_first_region_flags(&left->protection_ranges) & ARCH_MMU_FLAG_CACHE_MASK;
  uint32_t rc = mpr_first_region_flags(&right->protection_ranges) & ARCH_MMU_FLAG_CACHE_MASK;
  if (lc != rc) return false;
  ZX_DEBUG_ASSERT(left->private_clone == right->private_clone);
  return true;
}

// Merges |right| into |left|, both ALIVE neighbours in one VMAR. Returns the new mapping (no
// reference for the caller: the parent's tree holds it) or NULL if nothing merged (including on
// allocation failure, which is silently ignored as Zircon does). Region and aspace locks held.
static struct vm_mapping* merge_pair(struct vm_mapping* left, struct vm_mapping* right) {
  if (!can_merge(left, right)) return NULL;
  struct vm_mapping* merged;
  size_t size = vm_mapping_size(left) + vm_mapping_size(right);
  if (vm_mapping_create_not_ready(left->common.aspace, vm_mapping_base(left), size,
                                  left->common.flags, left->object, left->object_offset,
                                  mpr_first_region_flags(&left->protection_ranges),
                                  left->private_clone, &merged) != ZX_OK) {
    return NULL;
  }
  merged->mergeable = true;
  struct vm_object* object = left->object;
  vm_object_lock(object);
  if (mpr_merge_right_neighbor(&left->protection_ranges, vm_mapping_base(left),
                               vm_mapping_size(left), &right->protection_ranges,
                               vm_mapping_base(right), vm_mapping_size(right)) != ZX_OK) {
    vm_object_unlock(object);
    mapping_release(merged);
    return NULL;
  }
  move_protection_ranges(&merged->protection_ranges, &left->protection_ranges);
  struct vm_object *dropped_left = NULL, *dropped_right = NULL;
  ZX_ASSERT(destroy_locked_object(left, false, &dropped_left) == ZX_OK);
  ZX_ASSERT(destroy_locked_object(right, false, &dropped_right) == ZX_OK);
  activate_locked_object(merged);
  vm_object_unlock(object);

  struct vm_address_region* parent = left->common.parent;
  destroy_locked_region(left);
  destroy_locked_region(right);
  vm_object_release(dropped_left);
  vm_object_release(dropped_right);
  vm_address_region_insert_child_locked(parent, &merged->common);
  mapping_release(merged);
  return merged;
}

// The mapping neighbour of |m| in its VMAR on the given side, or NULL.
static struct vm_mapping* neighbour(struct vm_mapping* m, bool right) {
  struct vm_address_region* parent = m->common.parent;
  struct vm_region_node* n =
      right ? vm_region_list_right_of(&parent->children, &m->common.region_node)
            : vm_region_list_left_of(&parent->children, &m->common.region_node);
  if (n == NULL) return NULL;
  struct vm_address_region_or_mapping* r = vm_region_from_node(n);
  return r->is_mapping ? vm_mapping_from(r) : NULL;
}

void vm_mapping_mark_mergeable(struct vm_mapping* m) {
  struct vm_aspace* aspace = m->common.aspace;
  mutex_lock(&aspace->region_lock);
  mutex_lock(&aspace->lock);
  if (m->common.state == VM_LIFECYCLE_ALIVE) {
    m->mergeable = true;
    struct vm_mapping* current = m;
    struct vm_mapping* right = neighbour(current, true);
    if (right != NULL) {
      struct vm_mapping* merged = merge_pair(current, right);
      if (merged != NULL) current = merged;
    }
    struct vm_mapping* left = neighbour(current, false);
    if (left != NULL) (void)merge_pair(left, current);
  }
  mutex_unlock(&aspace->lock);
  mutex_unlock(&aspace->region_lock);
  mapping_release(m);  // the caller handed over its reference
}

// ---- ForceWritable
// --------------------------------------------------------------------------------

// Replaces |m| by a mapping of a private copy-on-write clone of its range (spec §2 ForceWritable):
// same base, size, flags, protection runs and mergeability, offset 0 in the clone, private_clone.
// The clone joins the VMO's hierarchy, so one lock covers the old and the new object. Region and
// aspace locks held. On ZX_OK |*out| holds a reference to the new mapping; |m| is DEAD.
static zx_status_t force_writable_clone_locked(struct vm_mapping* m, struct vm_mapping** out) {
  size_t size = vm_mapping_size(m);
  struct vm_object_paged* clone;
  zx_status_t status = vm_object_paged_create_child(vm_object_paged_from_object(m->object),
                                                    VM_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
                                                    m->object_offset, size, &clone);
  if (status != ZX_OK) return status;
  struct vm_mapping* nm;
  status = vm_mapping_create_not_ready(m->common.aspace, vm_mapping_base(m), size, m->common.flags,
                                       &clone->base, 0,
                                       mpr_first_region_flags(&m->protection_ranges), true, &nm);
  vm_object_paged_release(clone);  // the new mapping holds it (or it dies here)
  if (status != ZX_OK) return status;
  nm->mergeable = m->mergeable;
  struct vm_object* object = m->object;
  struct vm_object* dropped = NULL;
  vm_object_lock(object);
  move_protection_ranges(&nm->protection_ranges, &m->protection_ranges);
  ZX_ASSERT(destroy_locked_object(m, true, &dropped) == ZX_OK);
  activate_locked_object(nm);  // same hierarchy lock as |object|
  vm_object_unlock(object);
  struct vm_address_region* parent = m->common.parent;
  destroy_locked_region(m);
  vm_object_release(dropped);
  vm_address_region_insert_child_locked(parent, &nm->common);
  *out = nm;  // the creation reference is the caller's
  return ZX_OK;
}

zx_status_t vm_mapping_force_writable(struct vm_mapping* m, struct vm_mapping** out) {
  struct vm_aspace* aspace = m->common.aspace;
  zx_status_t status = ZX_OK;
  mutex_lock(&aspace->region_lock);
  mutex_lock(&aspace->lock);
  if (m->common.state != VM_LIFECYCLE_ALIVE) {
    status = ZX_ERR_BAD_STATE;
  } else if (m->private_clone || (m->common.flags & VMAR_FLAG_CAN_MAP_WRITE) ||
             m->object->type != VM_OBJECT_TYPE_PAGED) {
    // Writing is already legitimate, already private, or cannot be made private.
    vm_address_region_or_mapping_acquire(&m->common);
    *out = m;
  } else {
    status = force_writable_clone_locked(m, out);
  }
  mutex_unlock(&aspace->lock);
  mutex_unlock(&aspace->region_lock);
  return status;
}

// ---- accessors
// ------------------------------------------------------------------------------------

struct vm_object* vm_mapping_vmo_locked(struct vm_mapping* m) {
  mutex_assert_held(&m->common.aspace->lock);
  if (m->object != NULL) vm_object_acquire(m->object);
  return m->object;
}

struct vm_object* vm_mapping_vmo(struct vm_mapping* m) {
  mutex_lock(&m->common.aspace->lock);
  struct vm_object* object = vm_mapping_vmo_locked(m);
  mutex_unlock(&m->common.aspace->lock);
  return object;
}

uint32_t vm_mapping_arch_mmu_flags_locked(struct vm_mapping* m, vaddr_t va) {
  mutex_assert_held(&m->common.aspace->lock);
  return vm_mapping_arch_mmu_flags_range_locked(m, va).mmu_flags;
}

uint32_t vm_mapping_arch_mmu_flags_locked_object(struct vm_mapping* m, vaddr_t va) {
  return vm_mapping_flags_range_at_addr_locked_object(m, va).mmu_flags;
}

struct flags_range vm_mapping_arch_mmu_flags_range_locked(struct vm_mapping* m, vaddr_t va) {
  return vm_mapping_flags_range_at_addr_locked(m, va);
}

struct flags_range vm_mapping_flags_range_at_addr_locked(struct vm_mapping* m, vaddr_t va) {
  mutex_assert_held(&m->common.aspace->lock);
  return mpr_flags_range_at_addr(&m->protection_ranges, vm_mapping_base(m), vm_mapping_size(m), va);
}

struct flags_range vm_mapping_flags_range_at_addr_locked_object(struct vm_mapping* m, vaddr_t va) {
  vm_mapping_assert_object_lock(m);
  return mpr_flags_range_at_addr(&m->protection_ranges, vm_mapping_base(m), vm_mapping_size(m), va);
}

uint64_t vm_mapping_object_offset(const struct vm_mapping* m) { return m->object_offset; }

uint64_t vm_mapping_mapping_subtree_max_offset(struct vm_mapping* m) {
  vm_mapping_assert_object_lock(m);
  return m->vmo_node.subtree_max_last_offset;
}

struct mutex* vm_mapping_object_lock(struct vm_mapping* m) {
  // |object| is stable while the aspace lock is held (it changes only with both locks held).
  mutex_assert_held(&m->common.aspace->lock);
  ZX_DEBUG_ASSERT(m->object != NULL);
  return &m->object->hierarchy->lock;
}

void vm_mapping_assert_object_lock(struct vm_mapping* m) {
  // Only meaningful while the mapping has its object; a DEAD mapping has no VMO lock to hold.
  if (m->object != NULL) vm_object_assert_held(m->object);
}

zx_status_t vm_mapping_enumerate_protection_ranges_locked(struct vm_mapping* m, vaddr_t base,
                                                          size_t size, vm_mapping_protection_fn fn,
                                                          void* ctx) {
  mutex_assert_held(&m->common.aspace->lock);
  if (m->common.state != VM_LIFECYCLE_ALIVE) return ZX_OK;
  return mpr_enumerate(&m->protection_ranges, vm_mapping_base(m), vm_mapping_size(m), base, size,
                       fn, ctx);
}

zx_status_t vm_mapping_enumerate_protection_ranges_locked_object(struct vm_mapping* m, vaddr_t base,
                                                                 size_t size,
                                                                 vm_mapping_protection_fn fn,
                                                                 void* ctx) {
  vm_mapping_assert_object_lock(m);
  if (m->common.state != VM_LIFECYCLE_ALIVE) return ZX_OK;
  return mpr_enumerate(&m->protection_ranges, vm_mapping_base(m), vm_mapping_size(m), base, size,
                       fn, ctx);
}

struct vm_aspace* vm_mapping_node_aspace(struct vm_object_mapping_node* node) {
  return containerof(node, struct vm_mapping, vmo_node)->common.aspace;
}

struct vm_mapping_key vm_mapping_get_key(const struct vm_mapping* m) {
  struct vm_mapping_key key = {m->object_offset, (uint64_t)(uintptr_t)m};
  return key;
}

// ---- attribution, dump
// ----------------------------------------------------------------------------

struct vm_attribution_counts vm_mapping_get_attributed_memory(struct vm_mapping* m) {
  struct vm_attribution_counts counts = {0};
  mutex_lock(&m->common.aspace->lock);
  if (m->common.state != VM_LIFECYCLE_ALIVE) {
    mutex_unlock(&m->common.aspace->lock);
    return counts;
  }
  struct vm_object* object = vm_mapping_vmo_locked(m);
  uint64_t offset = m->object_offset;
  uint64_t size = vm_mapping_size(m);
  mutex_unlock(&m->common.aspace->lock);
  counts = vm_object_get_attributed_memory_in_range(object, offset, size);
  vm_object_release(object);
  return counts;
}

static void indent(const struct printer* out, unsigned depth) {
  for (unsigned i = 0; i < depth; i++) printer_printf(out, "  ");
}

void vm_mapping_dump_locked(struct vm_mapping* m, unsigned depth, bool verbose,
                            const struct printer* out) {
  mutex_assert_held(&m->common.aspace->lock);
  vaddr_t base = vm_mapping_base(m);
  size_t size = vm_mapping_size(m);
  indent(out, depth);
  printer_printf(out, "map %p [%#lx %#lx] sz %#lx state %d mergeable %s\n", (void*)m,
                 (unsigned long)base, (unsigned long)(base + size - 1), (unsigned long)size,
                 (int)m->common.state, m->mergeable ? "true" : "false");
  if (m->common.state != VM_LIFECYCLE_ALIVE) return;
  // Each run line is indented one level deeper.
  struct vm_mapping_run_printer rp = {out, depth + 1};
  (void)vm_mapping_enumerate_protection_ranges_locked(m, base, size, vm_mapping_dump_run, &rp);
  struct vm_attribution_counts c =
      vm_object_get_attributed_memory_in_range(m->object, m->object_offset, size);
  char name[ZX_MAX_NAME_LEN];
  vm_object_get_name(m->object, name);
  indent(out, depth + 1);
  printer_printf(out, "vmo %p/k%lu off %#lx bytes (%lu/%lu) ref %lu '%s'\n", (void*)m->object,
                 (unsigned long)vm_object_user_id(m->object), (unsigned long)m->object_offset,
                 (unsigned long)c.uncompressed_bytes, (unsigned long)c.compressed_bytes,
                 (unsigned long)atomic_load(&m->object->refcount), name);
  (void)verbose;  // The VMO's own dump comes with the VMO dump support of the zx layer.
}

zx_status_t vm_mapping_dump_run(void* ctx, vaddr_t base, size_t len, uint32_t flags) {
  struct vm_mapping_run_printer* rp = ctx;
  indent(rp->out, rp->depth);
  printer_printf(rp->out, "[%#lx %#lx] mmufl %#x\n", (unsigned long)base,
                 (unsigned long)(base + len - 1), flags);
  return ZX_ERR_NEXT;
}
