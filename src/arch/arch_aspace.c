// The backend-independent half of the arch layer: argument validation, the arch lock, the
// counters, and dispatch to a backend's struct arch_aspace_ops. Every public function validates
// all of its arguments first, then takes the arch lock and calls exactly one _locked operation,
// so a backend sees only page-aligned, non-empty ranges inside its aspace and valid flags.
#include "arch/arch_aspace_priv.h"

static const struct lock_class arch_lock_class = {"arch_aspace", LOCK_RANK_ARCH};

static const struct arch_aspace_ops* backends[ARCH_BACKEND_COUNT_] = {
    [ARCH_BACKEND_SOFT] = &arch_soft_ops,
};

static uint64_t total_table_pages;  // (a) over every live arch aspace

#define ARCH_KNOWN_MMU_FLAGS 0xffu
#define CANONICAL_LOW_LAST ((vaddr_t)0x00007fffffffffffull)
#define CANONICAL_HIGH_BASE ((vaddr_t)0xffff800000000000ull)

void arch_account_table_pages(struct arch_aspace* aspace, int64_t delta) {
  aspace->counts.table_pages += (uint64_t)delta;
  __atomic_add_fetch(&total_table_pages, (uint64_t)delta, __ATOMIC_RELAXED);
}

uint64_t arch_debug_total_table_pages(void) {
  return __atomic_load_n(&total_table_pages, __ATOMIC_RELAXED);
}

zx_status_t arch_aspace_register_backend(enum arch_backend backend,
                                         const struct arch_aspace_ops* ops) {
  if ((unsigned)backend >= ARCH_BACKEND_COUNT_ || ops == NULL) return ZX_ERR_INVALID_ARGS;
  if (backends[backend] != NULL) return ZX_ERR_BAD_STATE;
  backends[backend] = ops;
  return ZX_OK;
}

zx_status_t arch_aspace_create(enum arch_backend backend, vaddr_t base, size_t size, uint32_t flags,
                               struct arch_aspace** out) {
  if (out == NULL || (flags & ~ARCH_ASPACE_FLAG_USER) != 0) return ZX_ERR_INVALID_ARGS;
  if ((unsigned)backend >= ARCH_BACKEND_COUNT_) return ZX_ERR_INVALID_ARGS;
  if (size == 0 || !IS_PAGE_ALIGNED(base) || !IS_PAGE_ALIGNED(size)) return ZX_ERR_INVALID_ARGS;
  vaddr_t last;
  if (__builtin_add_overflow(base, size - 1, &last)) return ZX_ERR_OUT_OF_RANGE;
  bool low = last <= CANONICAL_LOW_LAST;
  bool high = base >= CANONICAL_HIGH_BASE;
  if (!low && !high) return ZX_ERR_OUT_OF_RANGE;
  const struct arch_aspace_ops* ops = backends[backend];
  if (ops == NULL) return ZX_ERR_NOT_SUPPORTED;

  struct arch_aspace* aspace;
  zx_status_t status = ops->create(base, size, flags, &aspace);
  if (status != ZX_OK) return status;
  if (base == 0 && aspace->base != 0) {
    // The backend placed the aspace (host): the range is its reservation, canonical by nature.
    base = aspace->base;
    last = base + (size - 1);
  }
  aspace->magic = ARCH_ASPACE_MAGIC;
  aspace->backend = backend;
  aspace->ops = ops;
  aspace->base = base;
  aspace->size = size;
  aspace->last = last;
  aspace->flags = flags;
  mutex_init(&aspace->lock, &arch_lock_class);
  *out = aspace;
  return ZX_OK;
}

void arch_aspace_destroy(struct arch_aspace* aspace) {
  if (aspace == NULL) return;
  ZX_DEBUG_ASSERT_MAGIC(aspace, ARCH_ASPACE_MAGIC);
  mutex_destroy(&aspace->lock);
  aspace->magic = 0;
  aspace->ops->destroy(aspace);
}

void arch_aspace_set_accessed_hook(struct arch_aspace* aspace, arch_accessed_fn fn, void* ctx) {
  ZX_DEBUG_ASSERT_MAGIC(aspace, ARCH_ASPACE_MAGIC);
  mutex_lock(&aspace->lock);
  aspace->accessed_hook = fn;
  aspace->accessed_ctx = ctx;
  mutex_unlock(&aspace->lock);
}

void arch_aspace_set_fault_handler(struct arch_aspace* aspace, arch_fault_fn fn, void* ctx) {
  ZX_DEBUG_ASSERT_MAGIC(aspace, ARCH_ASPACE_MAGIC);
  __atomic_store_n(&aspace->fault_ctx, ctx, __ATOMIC_RELAXED);
  __atomic_store_n(&aspace->fault_fn, fn, __ATOMIC_RELEASE);
}

// Validates a range of |count| >= 1 pages at |va|: aligned, no overflow, inside the aspace.
static zx_status_t check_range(const struct arch_aspace* aspace, vaddr_t va, size_t count) {
  if (!IS_PAGE_ALIGNED(va)) return ZX_ERR_INVALID_ARGS;
  if (count > (SIZE_MAX >> PAGE_SIZE_SHIFT)) return ZX_ERR_OUT_OF_RANGE;
  vaddr_t last;
  if (__builtin_add_overflow(va, (count << PAGE_SIZE_SHIFT) - 1, &last)) {
    return ZX_ERR_OUT_OF_RANGE;
  }
  if (va < aspace->base || last > aspace->last) return ZX_ERR_OUT_OF_RANGE;
  return ZX_OK;
}

static zx_status_t check_flags(arch_mmu_flags_t flags) {
  if ((flags & ~ARCH_KNOWN_MMU_FLAGS) != 0 || (flags & ARCH_MMU_FLAG_INVALID) != 0) {
    return ZX_ERR_INVALID_ARGS;
  }
  return ZX_OK;
}

// Largest physical address a 4-level x86-64 entry can hold (bits 12..51).
#define ARCH_MAX_PADDR ((paddr_t)0x000fffffffffffffull)

static zx_status_t map_common(struct arch_aspace* aspace, vaddr_t va, const paddr_t* pages,
                              paddr_t contig_pa, size_t count, arch_mmu_flags_t flags,
                              enum arch_existing_entry_action action, size_t* mapped) {
  ZX_DEBUG_ASSERT_MAGIC(aspace, ARCH_ASPACE_MAGIC);
  zx_status_t status = check_flags(flags);
  if (status != ZX_OK) return status;
  if ((flags & ARCH_MMU_FLAG_PERM_RWX_MASK) == 0) return ZX_ERR_INVALID_ARGS;
  if ((unsigned)action > ARCH_EXISTING_ENTRY_UPGRADE) return ZX_ERR_INVALID_ARGS;
  if (!IS_PAGE_ALIGNED(va)) return ZX_ERR_INVALID_ARGS;
  if (count == 0) {
    if (mapped) *mapped = 0;
    return ZX_OK;
  }
  status = check_range(aspace, va, count);
  if (status != ZX_OK) return status;
  if (pages != NULL) {
    for (size_t i = 0; i < count; i++) {
      if (!IS_PAGE_ALIGNED(pages[i]) || pages[i] > ARCH_MAX_PADDR) return ZX_ERR_INVALID_ARGS;
    }
  } else {
    paddr_t contig_last;
    if (!IS_PAGE_ALIGNED(contig_pa) ||
        __builtin_add_overflow(contig_pa, (count << PAGE_SIZE_SHIFT) - 1, &contig_last) ||
        contig_last > ARCH_MAX_PADDR) {
      return ZX_ERR_INVALID_ARGS;
    }
  }
  mutex_lock(&aspace->lock);
  status = aspace->ops->map_locked(aspace, va, pages, contig_pa, count, flags, action);
  mutex_unlock(&aspace->lock);
  if (status == ZX_OK && mapped) *mapped = count;
  return status;
}

zx_status_t arch_aspace_map(struct arch_aspace* aspace, vaddr_t va, const paddr_t* pages,
                            size_t count, arch_mmu_flags_t flags,
                            enum arch_existing_entry_action action, size_t* mapped) {
  if (pages == NULL && count != 0) return ZX_ERR_INVALID_ARGS;
  return map_common(aspace, va, pages, 0, count, flags, action, mapped);
}

zx_status_t arch_aspace_map_contiguous(struct arch_aspace* aspace, vaddr_t va, paddr_t pa,
                                       size_t count, arch_mmu_flags_t flags, size_t* mapped) {
  return map_common(aspace, va, NULL, pa, count, flags, ARCH_EXISTING_ENTRY_ERROR, mapped);
}

#define ARCH_KNOWN_UNMAP_OPTIONS (ARCH_UNMAP_OPTION_ENLARGE | ARCH_UNMAP_OPTION_HARVEST)

zx_status_t arch_aspace_unmap(struct arch_aspace* aspace, vaddr_t va, size_t count,
                              uint32_t options, size_t* unmapped) {
  ZX_DEBUG_ASSERT_MAGIC(aspace, ARCH_ASPACE_MAGIC);
  if ((options & ~ARCH_KNOWN_UNMAP_OPTIONS) != 0 || !IS_PAGE_ALIGNED(va)) {
    return ZX_ERR_INVALID_ARGS;
  }
  size_t n = 0;
  if (count != 0) {
    zx_status_t status = check_range(aspace, va, count);
    if (status != ZX_OK) return status;
    mutex_lock(&aspace->lock);
    n = aspace->ops->unmap_locked(aspace, va, count, options);
    mutex_unlock(&aspace->lock);
  }
  if (unmapped) *unmapped = n;
  return ZX_OK;
}

zx_status_t arch_aspace_protect(struct arch_aspace* aspace, vaddr_t va, size_t count,
                                arch_mmu_flags_t flags, uint32_t options) {
  ZX_DEBUG_ASSERT_MAGIC(aspace, ARCH_ASPACE_MAGIC);
  zx_status_t status = check_flags(flags);
  if (status != ZX_OK) return status;
  if ((options & ~ARCH_KNOWN_UNMAP_OPTIONS) != 0 || !IS_PAGE_ALIGNED(va)) {
    return ZX_ERR_INVALID_ARGS;
  }
  if (count == 0) return ZX_OK;
  status = check_range(aspace, va, count);
  if (status != ZX_OK) return status;
  mutex_lock(&aspace->lock);
  if ((flags & ARCH_MMU_FLAG_PERM_RWX_MASK) == 0) {
    (void)aspace->ops->unmap_locked(aspace, va, count, options);
  } else {
    status = aspace->ops->protect_locked(aspace, va, count, flags);
  }
  mutex_unlock(&aspace->lock);
  return status;
}

zx_status_t arch_aspace_query(struct arch_aspace* aspace, vaddr_t va, paddr_t* pa,
                              arch_mmu_flags_t* flags) {
  ZX_DEBUG_ASSERT_MAGIC(aspace, ARCH_ASPACE_MAGIC);
  if (va < aspace->base || va > aspace->last) return ZX_ERR_OUT_OF_RANGE;
  paddr_t page_pa;
  arch_mmu_flags_t page_flags;
  mutex_lock(&aspace->lock);
  zx_status_t status = aspace->ops->query_locked(aspace, ROUNDDOWN_PAGE(va), &page_pa, &page_flags);
  mutex_unlock(&aspace->lock);
  if (status != ZX_OK) return status;
  if (pa) *pa = page_pa + (va & PAGE_MASK);
  if (flags) *flags = page_flags;
  return ZX_OK;
}

zx_status_t arch_aspace_harvest_accessed(struct arch_aspace* aspace, vaddr_t va, size_t count,
                                         arch_accessed_fn fn, void* ctx) {
  ZX_DEBUG_ASSERT_MAGIC(aspace, ARCH_ASPACE_MAGIC);
  if (!IS_PAGE_ALIGNED(va)) return ZX_ERR_INVALID_ARGS;
  if (count == 0) return ZX_OK;
  zx_status_t status = check_range(aspace, va, count);
  if (status != ZX_OK) return status;
  mutex_lock(&aspace->lock);
  aspace->ops->harvest_locked(aspace, va, count, fn, ctx);
  mutex_unlock(&aspace->lock);
  return ZX_OK;
}

zx_status_t arch_aspace_mark_accessed(struct arch_aspace* aspace, vaddr_t va, size_t count) {
  ZX_DEBUG_ASSERT_MAGIC(aspace, ARCH_ASPACE_MAGIC);
  if (!IS_PAGE_ALIGNED(va)) return ZX_ERR_INVALID_ARGS;
  if (count == 0) return ZX_OK;
  zx_status_t status = check_range(aspace, va, count);
  if (status != ZX_OK) return status;
  mutex_lock(&aspace->lock);
  aspace->ops->mark_accessed_locked(aspace, va, count);
  mutex_unlock(&aspace->lock);
  return ZX_OK;
}

zx_status_t arch_aspace_free_unaccessed(struct arch_aspace* aspace, vaddr_t va, size_t count,
                                        size_t* freed_tables) {
  ZX_DEBUG_ASSERT_MAGIC(aspace, ARCH_ASPACE_MAGIC);
  if (!arch_aspace_is_user(aspace)) return ZX_ERR_NOT_SUPPORTED;
  if (!IS_PAGE_ALIGNED(va)) return ZX_ERR_INVALID_ARGS;
  size_t n = 0;
  if (count != 0) {
    zx_status_t status = check_range(aspace, va, count);
    if (status != ZX_OK) return status;
    mutex_lock(&aspace->lock);
    n = aspace->ops->free_unaccessed_locked(aspace, va, count);
    mutex_unlock(&aspace->lock);
  }
  if (freed_tables) *freed_tables = n;
  return ZX_OK;
}

// 2 MiB: the span of one last-level table of 512 4 KiB entries.
#define ARCH_LAST_LEVEL_SPAN_SHIFT 21

vaddr_t arch_aspace_next_user_page_table_offset(const struct arch_aspace* aspace, vaddr_t va) {
  ZX_DEBUG_ASSERT_MAGIC(aspace, ARCH_ASPACE_MAGIC);
  const vaddr_t span_mask = ((vaddr_t)1 << ARCH_LAST_LEVEL_SPAN_SHIFT) - 1;
  return (va | span_mask) + 1;  // wraps to 0 in the top span, as documented
}

vaddr_t arch_aspace_base(const struct arch_aspace* aspace) { return aspace->base; }
size_t arch_aspace_size(const struct arch_aspace* aspace) { return aspace->size; }
bool arch_aspace_is_user(const struct arch_aspace* aspace) {
  return (aspace->flags & ARCH_ASPACE_FLAG_USER) != 0;
}
enum arch_backend arch_aspace_backend(const struct arch_aspace* aspace) { return aspace->backend; }

void arch_aspace_get_counts(struct arch_aspace* aspace, struct arch_aspace_counts* out) {
  ZX_DEBUG_ASSERT_MAGIC(aspace, ARCH_ASPACE_MAGIC);
  mutex_lock(&aspace->lock);
  *out = aspace->counts;
  mutex_unlock(&aspace->lock);
}

void arch_aspace_check_entries(struct arch_aspace* aspace, arch_entry_fn fn, void* ctx) {
  ZX_DEBUG_ASSERT_MAGIC(aspace, ARCH_ASPACE_MAGIC);
  mutex_lock(&aspace->lock);
  aspace->ops->enumerate_locked(aspace, fn, ctx);
  mutex_unlock(&aspace->lock);
}

void arch_aspace_check(struct arch_aspace* aspace) {
  ZX_ASSERT_MSG(aspace->magic == ARCH_ASPACE_MAGIC, "bad magic %#x", aspace->magic);
  mutex_lock(&aspace->lock);
  aspace->ops->check_locked(aspace);
  mutex_unlock(&aspace->lock);
}
