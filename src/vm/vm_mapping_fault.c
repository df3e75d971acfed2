// The VMO-facing half of VmMapping: the page-fault algorithm (spec §4), MapRange and
// DecommitRange, the callbacks a VMO makes on its mappings when pages change
// (Aspace*LockedObject), and the PTE-level invariant check.
//
// The fault path is a chain of small named steps over one context struct (struct fault_ctx):
// fault_check_permission -> fault_compute_window -> fault_require_pages -> fault_map_optimistic
// -> coalescer flushes. It runs under the VMO lock only; the mapping's geometry is constant and
// its protection ranges cannot change while that lock is held.
//
// Invariant kept by the fault path: write permission reaches a PTE only for a page the VMO
// reported writable (owned, not the zero page), so copy-on-write, zero-page replacement and dirty
// tracking always see a write fault first.
#include "base/checked_math.h"
#include "pmm/pmm.h"
#include "vm/page_request.h"
#include "vm/vm_aspace.h"
#include "vm/vm_mapping_priv.h"
#include "vm/vm_object_paged.h"
#include "vm/vm_pager.h"

// A fault in flight on a mapping (Zircon's CurrentlyFaulting): the VMO range of its required
// pages. A VMO that replaces zero pages in that range while the fault runs (the fault's own page
// lookup does exactly that) must not unmap them behind the fault's back; it marks
// |unmap_skipped| and the fault, if it fails, unmaps its range itself.
struct vm_currently_faulting {
  uint64_t offset;
  uint64_t len;
  bool completed;
  bool unmap_skipped;
};

// ---- arch helpers
// ---------------------------------------------------------------------------------

zx_status_t vm_mapping_arch_unmap(struct vm_mapping* m, vaddr_t base, size_t size,
                                  uint32_t extra_options) {
  struct arch_aspace* arch = m->common.aspace->arch;
  uint32_t options = extra_options;
  if (arch_aspace_is_user(arch)) options |= ARCH_UNMAP_OPTION_ENLARGE;
  return arch_aspace_unmap(arch, base, size / PAGE_SIZE, options, NULL);
}

// The virtual range of |m| that maps VMO bytes [|offset|, |offset|+|len|), page-expanded; false if
// they do not intersect.
static bool vmo_range_to_va(struct vm_mapping* m, uint64_t offset, uint64_t len, vaddr_t* out_base,
                            size_t* out_size) {
  if (len == 0) return false;
  uint64_t first = ROUNDDOWN_PAGE(offset);
  uint64_t last;
  if (__builtin_add_overflow(offset, len - 1, &last)) last = UINT64_MAX;
  last = ROUNDDOWN_PAGE(last) + (PAGE_SIZE - 1);
  uint64_t ibase, ilen;
  if (!range_intersect(m->object_offset, vm_mapping_size(m), first, last - first + 1, &ibase,
                       &ilen)) {
    return false;
  }
  *out_base = vm_mapping_base(m) + (ibase - m->object_offset);
  *out_size = ilen;
  return true;
}

// ---- Aspace*LockedObject
// -------------------------------------------------------------------------

void vm_mapping_aspace_unmap_locked_object(struct vm_mapping* m, uint64_t offset, uint64_t len,
                                           uint32_t unmap_options) {
  vm_mapping_assert_object_lock(m);
  ZX_DEBUG_ASSERT(m->common.state == VM_LIFECYCLE_ALIVE);
  vaddr_t base;
  size_t size;
  if (!vmo_range_to_va(m, offset, len, &base, &size)) return;
  struct vm_currently_faulting* cf = m->currently_faulting;
  if (!(unmap_options & VM_UNMAP_HARVEST) && cf != NULL &&
      ranges_intersect(cf->offset, cf->len, offset, len)) {
    // A range change during a fault on this mapping comes from that fault's own page lookups
    // (the VMO lock serialises everything else): a zero page being replaced, or (zxvm extends
    // Zircon's OnlyHasZeroPages rule here) an ancestor's page being forked by a copy-on-write
    // write. Either way the fault installs the new page over the old entry with Upgrade
    // semantics (a different paddr is replaced exactly), or unmaps its whole range itself if it
    // fails, so unmapping the entry now and remapping it a moment later would be wasted work.
    // Entries outside the fault's range are unmapped as usual.
    cf->unmap_skipped = true;
    uint64_t fault_va = vm_mapping_base(m) + (cf->offset - m->object_offset);
    if (base < fault_va) {
      ZX_ASSERT(vm_mapping_arch_unmap(m, base, min_u64(size, fault_va - base), 0) == ZX_OK);
    }
    vaddr_t end = base + size, fault_end = fault_va + cf->len;
    if (end > fault_end) {
      vaddr_t from = max_u64(base, fault_end);
      ZX_ASSERT(vm_mapping_arch_unmap(m, from, end - from, 0) == ZX_OK);
    }
    return;
  }
  uint32_t extra = (unmap_options & VM_UNMAP_HARVEST) ? ARCH_UNMAP_OPTION_HARVEST : 0;
  zx_status_t status = vm_mapping_arch_unmap(m, base, size, extra);
  ZX_ASSERT_MSG(status == ZX_OK, "arch unmap failed: %d", status);
}

static zx_status_t remove_write_run(void* ctx, vaddr_t base, size_t len, uint32_t flags) {
  struct vm_mapping* m = ctx;
  if (flags & ARCH_MMU_FLAG_PERM_WRITE) {
    zx_status_t status =
        vm_mapping_protect_or_unmap(m, base, len, flags & ~ARCH_MMU_FLAG_PERM_WRITE);
    ZX_ASSERT_MSG(status == ZX_OK, "remove write failed: %d", status);
  }
  return ZX_ERR_NEXT;
}

void vm_mapping_aspace_remove_write_locked_object(struct vm_mapping* m, uint64_t offset,
                                                  uint64_t len) {
  vm_mapping_assert_object_lock(m);
  ZX_DEBUG_ASSERT(m->common.state == VM_LIFECYCLE_ALIVE);
  if (!(m->common.flags & VMAR_FLAG_CAN_MAP_WRITE)) return;  // nothing can be writable
  vaddr_t base;
  size_t size;
  if (!vmo_range_to_va(m, offset, len, &base, &size)) return;
  zx_status_t status =
      vm_mapping_enumerate_protection_ranges_locked_object(m, base, size, remove_write_run, m);
  ZX_ASSERT(status == ZX_OK);
}

void vm_mapping_aspace_debug_unpin_locked_object(struct vm_mapping* m, uint64_t offset,
                                                 uint64_t len) {
  vm_mapping_assert_object_lock(m);
  vaddr_t base;
  size_t size;
  if (!vmo_range_to_va(m, offset, len, &base, &size)) return;
  // Pages being unpinned must never be mapped by a kernel mapping that relies on the pin.
  ZX_DEBUG_ASSERT_MSG(arch_aspace_is_user(m->common.aspace->arch) ||
                          (m->common.flags & VMAR_FLAG_DEBUG_DYNAMIC_KERNEL_MAPPING),
                      "unpinning pages mapped by kernel mapping %p", (void*)m);
}

void vm_mapping_range_change(struct vm_object_mapping_node* node, uint32_t op, uint64_t offset,
                             uint64_t len) {
  struct vm_mapping* m = containerof(node, struct vm_mapping, vmo_node);
  switch (op) {
    case RANGE_CHANGE_OP_UNMAP:
      vm_mapping_aspace_unmap_locked_object(m, offset, len, VM_UNMAP_NONE);
      break;
    case RANGE_CHANGE_OP_UNMAP_ZERO_PAGE:
      vm_mapping_aspace_unmap_locked_object(m, offset, len, VM_UNMAP_ONLY_HAS_ZERO_PAGES);
      break;
    case RANGE_CHANGE_OP_UNMAP_AND_HARVEST:
      vm_mapping_aspace_unmap_locked_object(m, offset, len, VM_UNMAP_HARVEST);
      break;
    case RANGE_CHANGE_OP_REMOVE_WRITE:
      vm_mapping_aspace_remove_write_locked_object(m, offset, len);
      break;
    case RANGE_CHANGE_OP_DEBUG_UNPIN:
      vm_mapping_aspace_debug_unpin_locked_object(m, offset, len);
      break;
    default:
      ZX_PANIC("unknown range change op %u", op);
  }
}

// ---- coalescer
// -----------------------------------------------------------------------------------

// Batches contiguous virtual pages with equal flags into one arch map call.
struct coalescer {
  struct arch_aspace* arch;
  enum arch_existing_entry_action action;
  vaddr_t base;
  uint32_t flags;
  size_t count;
  size_t total;  // pages handed to arch map, failed batches included (spec §4 step 8)
  paddr_t pages[VM_PAGE_FAULT_MAX_OPTIMISTIC_PAGES];
};

static zx_status_t coalescer_flush(struct coalescer* c) {
  if (c->count == 0) return ZX_OK;
  size_t mapped = 0;
  zx_status_t status =
      arch_aspace_map(c->arch, c->base, c->pages, c->count, c->flags, c->action, &mapped);
  c->total += c->count;
  c->count = 0;
  return status;
}

static zx_status_t coalescer_append(struct coalescer* c, vaddr_t va, paddr_t pa, uint32_t flags) {
  if (c->count > 0 && (c->count == countof(c->pages) || c->flags != flags ||
                       c->base + c->count * PAGE_SIZE != va)) {
    zx_status_t status = coalescer_flush(c);
    if (status != ZX_OK) return status;
  }
  if (c->count == 0) {
    c->base = va;
    c->flags = flags;
  }
  c->pages[c->count++] = pa;
  return ZX_OK;
}

// Free batch slots left if |va| is appended next (0 when it would start a new batch).
static size_t coalescer_slots_after(const struct coalescer* c) {
  return countof(c->pages) - c->count;
}

// ---- page fault
// ------------------------------------------------------------------------------------

struct fault_ctx {
  struct vm_mapping* m;
  struct vm_object_paged* vmo;
  vaddr_t va;
  uint32_t pf_flags;
  size_t additional_pages;
  struct multi_page_request* page_request;
  struct flags_range range;
  uint64_t vmo_offset;
  size_t required;     // pages that must be resolved (>= 1)
  size_t fault_pages;  // window including optimistic pages
  struct coalescer co;
};

// The VMO offset at which faults and MapRange of |m| stop: the VMO's size or, for a mapping made
// with ZX_VM_FAULT_BEYOND_STREAM_SIZE, the stream's end.
static uint64_t fault_limit_locked(const struct vm_mapping* m, struct vm_object_paged* vmo)
    REQUIRES(&vmo->base.hierarchy->lock) {
  return (m->common.flags & VMAR_FLAG_FAULT_BEYOND_STREAM_SIZE)
             ? vm_object_paged_stream_end_locked(vmo)
             : vm_object_paged_get_size_locked(vmo);
}

static zx_status_t fault_check_permission(struct fault_ctx* f) {
  uint32_t needed = 0;
  if (f->pf_flags & VMM_PF_FLAG_USER) needed |= ARCH_MMU_FLAG_PERM_USER;
  needed |= (f->pf_flags & VMM_PF_FLAG_WRITE) ? ARCH_MMU_FLAG_PERM_WRITE : ARCH_MMU_FLAG_PERM_READ;
  if (f->pf_flags & VMM_PF_FLAG_INSTRUCTION) needed |= ARCH_MMU_FLAG_PERM_EXECUTE;
  return (f->range.mmu_flags & needed) == needed ? ZX_OK : ZX_ERR_ACCESS_DENIED;
}

static zx_status_t fault_compute_window(struct fault_ctx* f) {
  vm_object_assert_held(&f->vmo->base);
  // region_top is exclusive and wraps to 0 at the top of the address space: modular arithmetic.
  uint64_t prot_pages = (uint64_t)(f->range.region_top - f->va) / PAGE_SIZE;
  uint64_t vmo_size = fault_limit_locked(f->m, f->vmo);
  if (f->vmo_offset >= vmo_size) return ZX_ERR_OUT_OF_RANGE;
  uint64_t valid = min_u64(prot_pages, (vmo_size - f->vmo_offset) / PAGE_SIZE);
  ZX_DEBUG_ASSERT(valid >= 1);
  uint64_t want = f->additional_pages == SIZE_MAX ? UINT64_MAX : f->additional_pages + 1;
  f->required = (size_t)min_u64(valid, want);
  if (f->additional_pages == 0) {
    vaddr_t boundary = arch_aspace_next_user_page_table_offset(f->m->common.aspace->arch, f->va);
    uint64_t to_boundary = (uint64_t)(boundary - f->va) / PAGE_SIZE;
    if (to_boundary == 0) to_boundary = VM_PAGE_FAULT_MAX_OPTIMISTIC_PAGES;
    f->fault_pages =
        (size_t)min_u64(min_u64(VM_PAGE_FAULT_MAX_OPTIMISTIC_PAGES, valid), to_boundary);
  } else {
    f->fault_pages = f->required;
  }
  return ZX_OK;
}

// Resolves every required page (may allocate, replace zero pages, or ask a pager).
static zx_status_t fault_require_pages(struct fault_ctx* f) {
  vm_object_assert_held(&f->vmo->base);
  bool write = (f->pf_flags & VMM_PF_FLAG_WRITE) != 0;
  for (size_t i = 0; i < f->required; i++) {
    uint64_t offset = f->vmo_offset + i * PAGE_SIZE;
    struct vm_page* page;
    bool writable;
    zx_status_t status = vm_object_paged_lookup_page_locked(f->vmo, offset, write, f->page_request,
                                                            &page, &writable);
    if (status != ZX_OK) return status;
    ZX_DEBUG_ASSERT(!write || writable);
    uint32_t flags = f->range.mmu_flags;
    if (!writable) flags &= ~ARCH_MMU_FLAG_PERM_WRITE;
    status = coalescer_append(&f->co, f->va + i * PAGE_SIZE, vm_page_to_paddr(page), flags);
    if (status != ZX_OK) return status;
  }
  return ZX_OK;
}

// Maps already-present pages after the required one, without allocating or copying anything,
// stopping at the first absent page (the zero page ends the run too).
static zx_status_t fault_map_optimistic(struct fault_ctx* f) {
  vm_object_assert_held(&f->vmo->base);
  if (f->additional_pages != 0 || f->fault_pages <= 1) return ZX_OK;
  size_t extra = min_u64(coalescer_slots_after(&f->co), f->fault_pages - 1);
  uint32_t flags = f->co.count > 0 ? f->co.flags : f->range.mmu_flags;
  for (size_t i = 1; i <= extra; i++) {
    struct vm_page* page = vm_object_paged_maybe_page_locked(f->vmo, f->vmo_offset + i * PAGE_SIZE);
    if (page == NULL || page == pmm_zero_page()) break;
    // A clean page of a dirty-tracking pager VMO must not become writable without a fault.
    vm_cow_pages_assert_held(f->vmo->cow);
    if ((flags & ARCH_MMU_FLAG_PERM_WRITE) &&
        !vm_cow_pages_pager_page_writable_locked(f->vmo->cow, page)) {
      break;
    }
    zx_status_t status =
        coalescer_append(&f->co, f->va + i * PAGE_SIZE, vm_page_to_paddr(page), flags);
    if (status != ZX_OK) return status;
  }
  return ZX_OK;
}

// The algorithm of spec §4, VMO lock held, object_reset checked by the caller.
static struct vm_fault_result page_fault_locked_object(struct vm_mapping* m, vaddr_t va,
                                                       uint32_t pf_flags, size_t additional_pages,
                                                       struct multi_page_request* page_request) {
  struct vm_fault_result result = {ZX_OK, 0};
  ZX_DEBUG_ASSERT(IS_PAGE_ALIGNED(va));
  ZX_DEBUG_ASSERT(va >= vm_mapping_base(m) && va - vm_mapping_base(m) < vm_mapping_size(m));
  if (m->object->type != VM_OBJECT_TYPE_PAGED) {
    result.status = ZX_ERR_NOT_SUPPORTED;
    return result;
  }
  struct fault_ctx f = {
      .m = m,
      .vmo = vm_object_paged_from_object(m->object),
      .va = va,
      .pf_flags = pf_flags,
      .additional_pages = additional_pages,
      .page_request = page_request,
      .range = vm_mapping_flags_range_at_addr_locked_object(m, va),
      .vmo_offset = va - vm_mapping_base(m) + m->object_offset,
      .co = {.arch = m->common.aspace->arch, .action = ARCH_EXISTING_ENTRY_UPGRADE},
  };
  result.status = fault_check_permission(&f);
  if (result.status == ZX_OK) result.status = fault_compute_window(&f);
  if (result.status != ZX_OK) return result;

  struct vm_currently_faulting cf = {f.vmo_offset, f.required * PAGE_SIZE, false, false};
  ZX_ASSERT_MSG(m->currently_faulting == NULL, "two faults in flight on mapping %p", (void*)m);
  m->currently_faulting = &cf;
  zx_status_t status = fault_require_pages(&f);
  if (status == ZX_OK) status = fault_map_optimistic(&f);
  zx_status_t flush = coalescer_flush(&f.co);
  if (status == ZX_OK) status = flush;
  if (status == ZX_OK) cf.completed = true;
  if (cf.unmap_skipped && !cf.completed) {
    ZX_ASSERT(vm_mapping_arch_unmap(m, va, f.required * PAGE_SIZE, 0) == ZX_OK);
  }
  m->currently_faulting = NULL;
  result.status = status;
  result.pages_mapped = (uint32_t)f.co.total;
  return result;
}

struct vm_fault_result vm_mapping_page_fault(struct vm_mapping* m, vaddr_t va, uint32_t pf_flags,
                                             size_t additional_pages, struct vm_object* object,
                                             struct multi_page_request* page_request) {
  // |object| was read under the aspace lock and is kept alive by the caller; the mapping may
  // have died since, which object_reset tells once we hold the VMO lock.
  vm_object_lock(object);
  struct vm_fault_result result = {ZX_ERR_UNAVAILABLE, 0};
  if (!atomic_load(&m->object_reset)) {
    ZX_DEBUG_ASSERT(m->object == object);
    result = page_fault_locked_object(m, va, pf_flags, additional_pages, page_request);
  }
  vm_object_unlock(object);
  return result;
}

struct vm_fault_result vm_mapping_page_fault_locked(struct vm_mapping* m, vaddr_t va,
                                                    uint32_t pf_flags, size_t additional_pages,
                                                    struct multi_page_request* page_request) {
  mutex_assert_held(&m->common.aspace->lock);
  struct vm_fault_result result = {ZX_ERR_BAD_STATE, 0};
  if (m->common.state != VM_LIFECYCLE_ALIVE) return result;
  struct vm_object* object = m->object;
  vm_object_lock(object);
  result = page_fault_locked_object(m, va, pf_flags, additional_pages, page_request);
  vm_object_unlock(object);
  return result;
}

// ---- MapRange, DecommitRange
// ----------------------------------------------------------------------

struct map_range_ctx {
  struct vm_mapping* m;
  bool commit;
  struct coalescer co;
};

// Maps the pages of one protection run [base, base+len).
static zx_status_t map_range_run(void* ctx, vaddr_t base, size_t len, uint32_t flags) {
  struct map_range_ctx* c = ctx;
  struct vm_mapping* m = c->m;
  if (!(flags & ARCH_MMU_FLAG_PERM_RWX_MASK)) return ZX_ERR_NEXT;
  bool writing = (flags & ARCH_MMU_FLAG_PERM_WRITE) != 0;
  struct vm_object_paged* vmo = vm_object_paged_from_object(m->object);
  vm_object_assert_held(&vmo->base);
  uint64_t offset = base - vm_mapping_base(m) + m->object_offset;
  uint64_t vmo_size = fault_limit_locked(m, vmo);
  if (offset >= vmo_size) return ZX_ERR_STOP;  // a shrunk VMO or stream: nothing more to map
  uint64_t pages = min_u64(len, vmo_size - offset) / PAGE_SIZE;
  for (uint64_t i = 0; i < pages; i++) {
    struct vm_page* page = NULL;
    bool writable = false;
    if (c->commit) {
      zx_status_t status = vm_object_paged_lookup_page_locked(vmo, offset + i * PAGE_SIZE, true,
                                                              NULL, &page, &writable);
      if (status != ZX_OK) return status;
    } else {
      page = vm_object_paged_maybe_page_locked(vmo, offset + i * PAGE_SIZE);
      if (page == NULL) continue;
      vm_cow_pages_assert_held(vmo->cow);
      writable = vm_cow_pages_pager_page_writable_locked(vmo->cow, page);
    }
    uint32_t page_flags = (writing && !writable) ? flags & ~ARCH_MMU_FLAG_PERM_WRITE : flags;
    zx_status_t status =
        coalescer_append(&c->co, base + i * PAGE_SIZE, vm_page_to_paddr(page), page_flags);
    if (status != ZX_OK) return status;
  }
  return ZX_ERR_NEXT;
}

zx_status_t vm_mapping_map_range(struct vm_mapping* m, size_t offset, size_t len, bool commit,
                                 bool ignore_existing) {
  struct vm_aspace* aspace = m->common.aspace;
  uint64_t rounded;
  if (!roundup_page_u64(len, &rounded)) return ZX_ERR_INVALID_ARGS;
  if (rounded == 0) return ZX_ERR_INVALID_ARGS;
  mutex_lock(&aspace->lock);
  zx_status_t status = ZX_OK;
  if (m->common.state != VM_LIFECYCLE_ALIVE) {
    status = ZX_ERR_BAD_STATE;
  } else if (!IS_PAGE_ALIGNED(offset) || !range_in_bounds(offset, rounded, vm_mapping_size(m))) {
    status = ZX_ERR_INVALID_ARGS;
  } else if (m->object->type != VM_OBJECT_TYPE_PAGED) {
    status = ZX_ERR_NOT_SUPPORTED;
  } else {
    struct map_range_ctx c = {
        .m = m,
        .commit = commit,
        .co = {.arch = aspace->arch,
               .action = ignore_existing ? ARCH_EXISTING_ENTRY_SKIP : ARCH_EXISTING_ENTRY_ERROR},
    };
    vm_object_lock(m->object);
    status = vm_mapping_enumerate_protection_ranges_locked_object(m, vm_mapping_base(m) + offset,
                                                                  rounded, map_range_run, &c);
    zx_status_t flush = coalescer_flush(&c.co);
    if (status == ZX_OK) status = flush;
    vm_object_unlock(m->object);
  }
  mutex_unlock(&aspace->lock);
  return status;
}

zx_status_t vm_mapping_decommit_range(struct vm_mapping* m, size_t offset, size_t len) {
  struct vm_aspace* aspace = m->common.aspace;
  mutex_lock(&aspace->lock);
  zx_status_t status;
  if (m->common.state != VM_LIFECYCLE_ALIVE) {
    status = ZX_ERR_BAD_STATE;
  } else if (!range_in_bounds(offset, len, vm_mapping_size(m))) {
    status = ZX_ERR_OUT_OF_RANGE;
  } else if (m->object->type != VM_OBJECT_TYPE_PAGED) {
    status = ZX_ERR_NOT_SUPPORTED;
  } else {
    // The VMO unmaps the range from every mapping of it, this one included.
    status = vm_object_paged_decommit_range(vm_object_paged_from_object(m->object),
                                            m->object_offset + offset, len);
  }
  mutex_unlock(&aspace->lock);
  return status;
}

// ---- invariant check
// -------------------------------------------------------------------------------

// M5 for one page: a present PTE maps what the VMO holds there within the run's permissions.
static void check_pte(struct vm_mapping* m, struct vm_object_paged* vmo, vaddr_t va) {
  vm_object_assert_held(&vmo->base);
  paddr_t pa;
  arch_mmu_flags_t hw;
  if (arch_aspace_query(m->common.aspace->arch, va, &pa, &hw) != ZX_OK) return;
  struct flags_range run = vm_mapping_flags_range_at_addr_locked_object(m, va);
  uint32_t perms = hw & (ARCH_MMU_FLAG_PERM_RWX_MASK | ARCH_MMU_FLAG_PERM_USER);
  uint32_t allowed = run.mmu_flags & (ARCH_MMU_FLAG_PERM_RWX_MASK | ARCH_MMU_FLAG_PERM_USER);
  // x86 cannot express write-only or execute-only: a present entry is always readable.
  allowed |= ARCH_MMU_FLAG_PERM_READ;
  ZX_ASSERT_MSG((perms & ~allowed) == 0, "PTE at %#lx has flags %#x beyond run flags %#x",
                (unsigned long)va, hw, run.mmu_flags);
  uint64_t offset = va - vm_mapping_base(m) + m->object_offset;
  bool owned;
  struct vm_page* page = vm_object_paged_peek_page_locked(vmo, offset, &owned);
  // A page shared copy-on-write with other VMOs is only ever mapped read-only.
  ZX_ASSERT_MSG(page == NULL || owned || !(hw & ARCH_MMU_FLAG_PERM_WRITE),
                "shared page mapped writable at %#lx", (unsigned long)va);
  if (page == NULL) {
    ZX_ASSERT_MSG(pa == pmm_zero_page_paddr(), "PTE at %#lx maps %#lx but VMO offset %#lx is empty",
                  (unsigned long)va, (unsigned long)pa, (unsigned long)offset);
    ZX_ASSERT_MSG(!(hw & ARCH_MMU_FLAG_PERM_WRITE), "zero page mapped writable at %#lx",
                  (unsigned long)va);
  } else {
    ZX_ASSERT_MSG(pa == vm_page_to_paddr(page), "PTE at %#lx maps %#lx, VMO holds %#lx",
                  (unsigned long)va, (unsigned long)pa, (unsigned long)vm_page_to_paddr(page));
  }
}

void vm_mapping_check_locked(struct vm_mapping* m) {
  mutex_assert_held(&m->common.aspace->lock);
  ZX_ASSERT_MSG(m->common.magic == VM_MAPPING_MAGIC, "bad mapping magic %#x", m->common.magic);
  vaddr_t base = vm_mapping_base(m);
  size_t size = vm_mapping_size(m);
  ZX_ASSERT(size > 0 && IS_PAGE_ALIGNED(base) && IS_PAGE_ALIGNED(size));
  ZX_ASSERT(base + (size - 1) >= base);  // M1
  ZX_ASSERT_MSG(m->common.state == VM_LIFECYCLE_ALIVE, "mapping %p in tree but state %d", (void*)m,
                (int)m->common.state);
  ZX_ASSERT(m->object != NULL && !atomic_load(&m->object_reset) && m->common.parent != NULL);
  vm_object_lock(m->object);
  mpr_check(&m->protection_ranges, base, size);     // M3
  ZX_ASSERT(wavl_node_in_tree(&m->vmo_node.node));  // M2
  ZX_ASSERT(m->vmo_node.object_offset == m->object_offset && m->vmo_node.size == size);
  uint32_t cache = mpr_first_region_flags(&m->protection_ranges) & ARCH_MMU_FLAG_CACHE_MASK;
  ZX_ASSERT_MSG(cache == (m->object->cache_policy & ARCH_MMU_FLAG_CACHE_MASK),
                "mapping cache bits %#x, VMO policy %#x", cache, m->object->cache_policy);
  ZX_ASSERT(m->currently_faulting == NULL);
  if (m->object->type == VM_OBJECT_TYPE_PAGED) {
    struct vm_object_paged* vmo = vm_object_paged_from_object(m->object);
    for (vaddr_t va = base; va - base < size; va += PAGE_SIZE) {
      struct flags_range run = vm_mapping_flags_range_at_addr_locked_object(m, va);
      uint32_t ceiling = 0;  // M4
      if (m->common.flags & VMAR_FLAG_CAN_MAP_READ) ceiling |= ARCH_MMU_FLAG_PERM_READ;
      if (m->common.flags & VMAR_FLAG_CAN_MAP_WRITE) ceiling |= ARCH_MMU_FLAG_PERM_WRITE;
      if (m->common.flags & VMAR_FLAG_CAN_MAP_EXECUTE) ceiling |= ARCH_MMU_FLAG_PERM_EXECUTE;
      ZX_ASSERT_MSG((run.mmu_flags & ARCH_MMU_FLAG_PERM_RWX_MASK & ~ceiling) == 0,
                    "run flags %#x beyond ceiling (vmar flags %#x)", run.mmu_flags,
                    m->common.flags);
      check_pte(m, vmo, va);
    }
  }
  vm_object_unlock(m->object);
}
