// Protection runs of one mapping: first-region flags plus a WAVL tree of run starts. See
// mapping_protection_ranges.h for the invariants. All ranges are handled as [first, last] byte
// pairs so a mapping ending at 2^64 needs no special case; every function here runs under the
// owning aspace lock (the caller's).
#include "vm/mapping_protection_ranges.h"

#include "arch/arch_aspace.h"
#include "base/assert.h"
#include "base/platform.h"

_Static_assert(MPR_CACHE_MASK == ARCH_MMU_FLAG_CACHE_MASK, "cache mask differs from the arch's");

static struct mpr_node* node_of(const struct wavl_node* n) {
  return n ? wavl_entry(n, struct mpr_node, node) : NULL;
}

static int mpr_compare(const struct wavl_node* a, const struct wavl_node* b) {
  vaddr_t ka = node_of(a)->region_start, kb = node_of(b)->region_start;
  return ka < kb ? -1 : ka > kb;
}

static int mpr_compare_key(const void* key, const struct wavl_node* n) {
  vaddr_t k = *(const vaddr_t*)key, kn = node_of(n)->region_start;
  return k < kn ? -1 : k > kn;
}

static const struct wavl_ops mpr_ops = {
    .compare = mpr_compare,
    .compare_key = mpr_compare_key,
    .augment = NULL,
};

static struct mpr_node* mpr_first_node(const struct mapping_protection_ranges* mpr) {
  return node_of(wavl_first(&mpr->tree));
}

static struct mpr_node* mpr_next_node(const struct mpr_node* n) {
  return node_of(wavl_next(&n->node));
}

// First node starting strictly after |va|.
static struct mpr_node* mpr_node_after(const struct mapping_protection_ranges* mpr, vaddr_t va) {
  return node_of(wavl_upper_bound(&mpr->tree, &va));
}

// First node starting at or after |va|.
static struct mpr_node* mpr_node_at_or_after(const struct mapping_protection_ranges* mpr,
                                             vaddr_t va) {
  return node_of(wavl_lower_bound(&mpr->tree, &va));
}

// Last node starting at or before |va|, or NULL when |va| is in the first region.
static struct mpr_node* mpr_node_at_or_before(const struct mapping_protection_ranges* mpr,
                                              vaddr_t va) {
  struct wavl_node* after = wavl_upper_bound(&mpr->tree, &va);
  return node_of(after ? wavl_prev(after) : wavl_last(&mpr->tree));
}

static uint32_t mpr_flags_at(const struct mapping_protection_ranges* mpr, vaddr_t va) {
  struct mpr_node* n = mpr_node_at_or_before(mpr, va);
  return n ? n->arch_mmu_flags : mpr->first_region_arch_mmu_flags;
}

static void mpr_free_node(struct mapping_protection_ranges* mpr, struct mpr_node* n) {
  wavl_erase(&mpr->tree, &n->node);
  heap_free(n);
}

// Last byte of [base, base + size); false for an empty or wrapping range.
static bool last_byte(vaddr_t base, size_t size, vaddr_t* out_last) {
  return size != 0 && !__builtin_add_overflow(base, size - 1, out_last);
}

void mpr_init(struct mapping_protection_ranges* mpr, uint32_t flags) {
  mpr->first_region_arch_mmu_flags = flags;
  wavl_init(&mpr->tree, &mpr_ops);
}

void mpr_clear(struct mapping_protection_ranges* mpr) {
  struct mpr_node* n;
  while ((n = mpr_first_node(mpr)) != NULL) mpr_free_node(mpr, n);
}

void mpr_set_first_region_flags(struct mapping_protection_ranges* mpr, uint32_t flags) {
  ZX_DEBUG_ASSERT(mpr_is_single_region(mpr));
  mpr->first_region_arch_mmu_flags = flags;
}

struct flags_range mpr_flags_range_at_addr(const struct mapping_protection_ranges* mpr,
                                           vaddr_t base, size_t size, vaddr_t va) {
  vaddr_t last = base + (size - 1);
  ZX_DEBUG_ASSERT_MSG(size != 0 && va >= base && va <= last, "va %#lx base %#lx size %#lx",
                      (unsigned long)va, (unsigned long)base, (unsigned long)size);
  struct mpr_node* next = mpr_node_after(mpr, va);
  struct flags_range r;
  r.mmu_flags = mpr_flags_at(mpr, va);
  // Wraps to 0 when the run ends at 2^64, as documented.
  r.region_top = next ? next->region_start : last + 1;
  return r;
}

// Calls |fn| for each run intersecting [rfirst, rlast] (inside the mapping ending at |last|),
// clipped, with the run's first and last bytes. Stops at the first status other than ZX_ERR_NEXT
// and returns it; returns ZX_ERR_NEXT after the last run.
typedef zx_status_t (*run_fn)(void* ctx, vaddr_t run_first, vaddr_t run_last, uint32_t flags);

static zx_status_t mpr_walk(const struct mapping_protection_ranges* mpr, vaddr_t last,
                            vaddr_t rfirst, vaddr_t rlast, run_fn fn, void* ctx) {
  struct mpr_node* cur = mpr_node_at_or_before(mpr, rfirst);
  struct mpr_node* next = cur ? mpr_next_node(cur) : mpr_first_node(mpr);
  uint32_t flags = cur ? cur->arch_mmu_flags : mpr->first_region_arch_mmu_flags;
  vaddr_t run_first = rfirst;
  for (;;) {
    vaddr_t run_last = next ? next->region_start - 1 : last;
    if (run_last > rlast) run_last = rlast;
    zx_status_t status = fn(ctx, run_first, run_last, flags);
    if (status != ZX_ERR_NEXT) return status;
    if (run_last == rlast) return ZX_ERR_NEXT;
    run_first = next->region_start;
    flags = next->arch_mmu_flags;
    next = mpr_next_node(next);
  }
}

struct enumerate_ctx {
  mpr_enumerate_fn fn;
  void* ctx;
};

static zx_status_t enumerate_run(void* ctx, vaddr_t run_first, vaddr_t run_last, uint32_t flags) {
  struct enumerate_ctx* e = ctx;
  return e->fn(e->ctx, run_first, run_last - run_first + 1, flags);
}

zx_status_t mpr_enumerate(const struct mapping_protection_ranges* mpr, vaddr_t base, size_t size,
                          vaddr_t rbase, size_t rsize, mpr_enumerate_fn fn, void* ctx) {
  vaddr_t last, rlast;
  if (!last_byte(base, size, &last) || !last_byte(rbase, rsize, &rlast) || rbase < base ||
      rlast > last) {
    return ZX_ERR_INVALID_ARGS;
  }
  struct enumerate_ctx e = {fn, ctx};
  zx_status_t status = mpr_walk(mpr, last, rbase, rlast, enumerate_run, &e);
  return (status == ZX_ERR_NEXT || status == ZX_ERR_STOP) ? ZX_OK : status;
}

// --- update ---

struct update_ctx {
  uint32_t new_flags;
  size_t changed_runs;
  mpr_update_fn cb;
  void* cb_ctx;
};

static zx_status_t count_changed_run(void* ctx, vaddr_t run_first, vaddr_t run_last,
                                     uint32_t flags) {
  struct update_ctx* u = ctx;
  if (flags != u->new_flags) u->changed_runs++;
  return ZX_ERR_NEXT;
}

static zx_status_t report_changed_run(void* ctx, vaddr_t run_first, vaddr_t run_last,
                                      uint32_t flags) {
  struct update_ctx* u = ctx;
  if (flags != u->new_flags && u->cb) u->cb(u->cb_ctx, run_first, run_last - run_first + 1, flags);
  return ZX_ERR_NEXT;
}

// What a partial update needs, computed before anything changes.
struct update_plan {
  bool start_node;     // a node at pbase carrying the new flags
  bool end_node;       // a node at plast + 1 carrying end_flags
  bool coalesce_next;  // the node at plast + 1 now equals the new flags: erase it
  uint32_t end_flags;  // old flags at plast, continuing after the range
  size_t reusable;     // nodes inside [pbase, plast], erased by the update
  struct mpr_node* spare[2];
};

static void mpr_plan_update(const struct mapping_protection_ranges* mpr, vaddr_t base, vaddr_t last,
                            vaddr_t pbase, vaddr_t plast, uint32_t new_flags,
                            struct update_plan* plan) {
  *plan = (struct update_plan){0};
  plan->start_node = pbase != base && mpr_flags_at(mpr, pbase - 1) != new_flags;
  if (plast != last) {
    struct mpr_node* next = mpr_node_after(mpr, plast);
    if (next && next->region_start == plast + 1) {
      plan->coalesce_next = next->arch_mmu_flags == new_flags;
    } else {
      plan->end_flags = mpr_flags_at(mpr, plast);
      plan->end_node = plan->end_flags != new_flags;
    }
  }
  for (struct mpr_node* n = mpr_node_at_or_after(mpr, pbase); n && n->region_start <= plast;
       n = mpr_next_node(n)) {
    plan->reusable++;
  }
}

// Allocates the nodes the plan needs beyond the reusable ones. On failure frees what it got.
static zx_status_t mpr_alloc_spares(struct update_plan* plan) {
  size_t needed = (size_t)plan->start_node + (size_t)plan->end_node;
  for (size_t i = plan->reusable; i < needed; i++) {
    plan->spare[i] = heap_alloc(sizeof(struct mpr_node));
    if (plan->spare[i] == NULL) {
      for (size_t j = plan->reusable; j < i; j++) heap_free(plan->spare[j]);
      return ZX_ERR_NO_MEMORY;
    }
  }
  return ZX_OK;
}

static void mpr_insert_new(struct mapping_protection_ranges* mpr, struct mpr_node* n, vaddr_t start,
                           uint32_t flags) {
  wavl_node_init(&n->node);
  n->region_start = start;
  n->arch_mmu_flags = flags;
  wavl_insert(&mpr->tree, &n->node);
}

// The mutation half of a partial update; cannot fail.
static void mpr_apply_update(struct mapping_protection_ranges* mpr, vaddr_t base, vaddr_t pbase,
                             vaddr_t plast, uint32_t new_flags, struct update_plan* plan) {
  // Erase the nodes inside the range, keeping up to two for reuse.
  size_t kept = 0;
  struct mpr_node* n = mpr_node_at_or_after(mpr, pbase);
  while (n && n->region_start <= plast) {
    struct mpr_node* next = mpr_next_node(n);
    wavl_erase(&mpr->tree, &n->node);
    if (kept < 2) {
      plan->spare[kept++] = n;
    } else {
      heap_free(n);
    }
    n = next;
  }
  size_t used = 0;
  if (pbase == base) {
    mpr->first_region_arch_mmu_flags = new_flags;
  } else if (plan->start_node) {
    mpr_insert_new(mpr, plan->spare[used++], pbase, new_flags);
  }
  if (plan->end_node) {
    mpr_insert_new(mpr, plan->spare[used++], plast + 1, plan->end_flags);
  } else if (plan->coalesce_next) {
    mpr_free_node(mpr, mpr_node_after(mpr, plast));
  }
  for (; used < 2; used++) heap_free(plan->spare[used]);  // unused reusable nodes; NULL is fine
}

static void mpr_validate(const struct mapping_protection_ranges* mpr, vaddr_t base, size_t size) {
  if (ZXVM_TESTING_ENABLED) mpr_check(mpr, base, size);
}

zx_status_t mpr_update(struct mapping_protection_ranges* mpr, vaddr_t base, size_t size,
                       vaddr_t pbase, size_t psize, uint32_t new_flags, mpr_update_fn cb,
                       void* ctx) {
  vaddr_t last, plast;
  if (!last_byte(base, size, &last) || !last_byte(pbase, psize, &plast) || pbase < base ||
      plast > last) {
    return ZX_ERR_INVALID_ARGS;
  }
  bool whole = pbase == base && plast == last;
  if (!whole && ((new_flags ^ mpr->first_region_arch_mmu_flags) & MPR_CACHE_MASK) != 0) {
    return ZX_ERR_INVALID_ARGS;
  }
  struct update_ctx u = {.new_flags = new_flags, .cb = cb, .cb_ctx = ctx};
  (void)mpr_walk(mpr, last, pbase, plast, count_changed_run, &u);
  if (u.changed_runs == 0) return ZX_OK;

  if (whole) {
    // Unlike Zircon's fast path, report every old run: each may need its PTEs downgraded.
    (void)mpr_walk(mpr, last, pbase, plast, report_changed_run, &u);
    mpr_clear(mpr);
    mpr->first_region_arch_mmu_flags = new_flags;
    mpr_validate(mpr, base, size);
    return ZX_OK;
  }
  struct update_plan plan;
  mpr_plan_update(mpr, base, last, pbase, plast, new_flags, &plan);
  zx_status_t status = mpr_alloc_spares(&plan);
  if (status != ZX_OK) return status;
  (void)mpr_walk(mpr, last, pbase, plast, report_changed_run, &u);
  mpr_apply_update(mpr, base, pbase, plast, new_flags, &plan);
  mpr_validate(mpr, base, size);
  return ZX_OK;
}

// --- geometry changes ---

static void mpr_move_node(struct mapping_protection_ranges* from,
                          struct mapping_protection_ranges* to, struct mpr_node* n) {
  wavl_erase(&from->tree, &n->node);
  wavl_node_init(&n->node);
  wavl_insert(&to->tree, &n->node);
}

zx_status_t mpr_merge_right_neighbor(struct mapping_protection_ranges* left, vaddr_t left_base,
                                     size_t left_size, struct mapping_protection_ranges* right,
                                     vaddr_t right_base, size_t right_size) {
  vaddr_t left_last, right_last;
  if (!last_byte(left_base, left_size, &left_last) ||
      !last_byte(right_base, right_size, &right_last) || left_last == UINTPTR_MAX ||
      left_last + 1 != right_base) {
    return ZX_ERR_INVALID_ARGS;
  }
  uint32_t right_first = right->first_region_arch_mmu_flags;
  if (((left->first_region_arch_mmu_flags ^ right_first) & MPR_CACHE_MASK) != 0) {
    return ZX_ERR_INVALID_ARGS;
  }
  struct mpr_node* tail = node_of(wavl_last(&left->tree));
  uint32_t left_tail_flags = tail ? tail->arch_mmu_flags : left->first_region_arch_mmu_flags;
  if (left_tail_flags != right_first) {
    struct mpr_node* boundary = heap_alloc(sizeof(*boundary));
    if (boundary == NULL) return ZX_ERR_NO_MEMORY;
    mpr_insert_new(left, boundary, right_base, right_first);
  }
  struct mpr_node* n;
  while ((n = mpr_first_node(right)) != NULL) mpr_move_node(right, left, n);
  size_t merged_size;  // 2^64 (whole address space) is not representable: skip the check then
  if (!__builtin_add_overflow(left_size, right_size, &merged_size)) {
    mpr_validate(left, left_base, merged_size);
  }
  return ZX_OK;
}

zx_status_t mpr_split_at(struct mapping_protection_ranges* mpr, vaddr_t base, size_t size,
                         vaddr_t split_addr, struct mapping_protection_ranges* out) {
  vaddr_t last;
  if (!last_byte(base, size, &last) || split_addr <= base || split_addr > last) {
    return ZX_ERR_INVALID_ARGS;
  }
  mpr_init(out, mpr_flags_at(mpr, split_addr));
  struct mpr_node* n = mpr_node_at_or_after(mpr, split_addr);
  if (n && n->region_start == split_addr) {
    struct mpr_node* next = mpr_next_node(n);
    mpr_free_node(mpr, n);  // its flags are |out|'s first-region flags now
    n = next;
  }
  while (n) {
    struct mpr_node* next = mpr_next_node(n);
    mpr_move_node(mpr, out, n);
    n = next;
  }
  mpr_validate(mpr, base, split_addr - base);
  mpr_validate(out, split_addr, last - split_addr + 1);
  return ZX_OK;
}

void mpr_discard_below(struct mapping_protection_ranges* mpr, vaddr_t addr) {
  struct mpr_node* n;
  while ((n = mpr_first_node(mpr)) != NULL && n->region_start <= addr) {
    mpr->first_region_arch_mmu_flags = n->arch_mmu_flags;
    mpr_free_node(mpr, n);
  }
}

void mpr_discard_above(struct mapping_protection_ranges* mpr, vaddr_t addr) {
  struct mpr_node* n;
  while ((n = node_of(wavl_last(&mpr->tree))) != NULL && n->region_start >= addr) {
    mpr_free_node(mpr, n);
  }
}

// --- checker ---

const char* mpr_check_msg(const struct mapping_protection_ranges* mpr, vaddr_t base, size_t size) {
  vaddr_t last;
  if (!last_byte(base, size, &last)) return "mapping range is empty or wraps";
  wavl_check(&mpr->tree);
  uint32_t prev_flags = mpr->first_region_arch_mmu_flags;
  uint32_t cache = prev_flags & MPR_CACHE_MASK;
  for (struct mpr_node* n = mpr_first_node(mpr); n; n = mpr_next_node(n)) {
    if (n->region_start <= base) return "node at or below the mapping base";
    if (n->region_start > last) return "node at or after the mapping end";
    if (n->arch_mmu_flags == prev_flags) {
      return n == mpr_first_node(mpr) ? "first node repeats the first-region flags"
                                      : "adjacent nodes have equal flags";
    }
    if ((n->arch_mmu_flags & MPR_CACHE_MASK) != cache) return "runs differ in cache bits";
    prev_flags = n->arch_mmu_flags;
  }
  return NULL;
}

void mpr_check(const struct mapping_protection_ranges* mpr, vaddr_t base, size_t size) {
  const char* msg = mpr_check_msg(mpr, base, size);
  if (msg != NULL) {
    ZX_PANIC("protection ranges %p (base %#lx size %#lx, %zu nodes): %s", (const void*)mpr,
             (unsigned long)base, (unsigned long)size, mpr_node_count(mpr), msg);
  }
}
