// The soft backend's page-table management: map, unmap, protect, query, accessed-bit harvesting
// and the debug walkers over x86-64 4-level tables kept in pmm pages (format in soft_pte.h).
//
// Invariants (checked by soft_check_locked):
//  1. Every table page is in VM_PAGE_STATE_MMU and its vm_page.object_page_index holds the number
//     of present entries in the table (that field is unused for MMU pages; it is ours).
//  2. No table except the root is empty: an operation that leaves a table with no present entry
//     frees it in the same call, so a tree of N leaves holds O(N) table pages.
//  3. The aspace's table_pages counter equals the number of table pages reachable from the root
//     (root included); present_entries equals the number of present leaves.
//  4. Every present leaf lies inside the aspace.
//
// Failure: a map first walks the range read-only (counting absent tables, and for the ERROR action
// looking for present entries), then allocates every table page it will need, and only then
// changes entries. So ZX_ERR_ALREADY_EXISTS and ZX_ERR_NO_MEMORY leave the tables untouched, and
// nothing else can fail.
#include "arch/soft/soft_pte.h"
#include "base/platform.h"

static inline uint64_t* table_count(struct vm_page* table_page) {
  return &table_page->object_page_index;
}

static inline struct vm_page* table_page_of(pte_t entry) {
  return paddr_to_vm_page((paddr_t)(entry & PTE_ADDR_MASK));
}

static pte_t leaf_bits_of(arch_mmu_flags_t flags) {
  pte_t bits = PTE_P;
  if (flags & ARCH_MMU_FLAG_PERM_WRITE) bits |= PTE_W;
  if (flags & ARCH_MMU_FLAG_PERM_USER) bits |= PTE_U;
  if (!(flags & ARCH_MMU_FLAG_PERM_EXECUTE)) bits |= PTE_NX;
  bits |= (pte_t)(flags & ARCH_MMU_FLAG_CACHE_MASK) << PTE_CACHE_SHIFT;
  return bits;
}

static arch_mmu_flags_t flags_of_leaf(pte_t entry) {
  arch_mmu_flags_t flags = ARCH_MMU_FLAG_PERM_READ;  // present implies readable on x86
  if (entry & PTE_W) flags |= ARCH_MMU_FLAG_PERM_WRITE;
  if (entry & PTE_U) flags |= ARCH_MMU_FLAG_PERM_USER;
  if (!(entry & PTE_NX)) flags |= ARCH_MMU_FLAG_PERM_EXECUTE;
  flags |= (arch_mmu_flags_t)((entry & PTE_CACHE_MASK) >> PTE_CACHE_SHIFT);
  return flags;
}

// One range operation. The walker descends the tables covering [va, last] and hands each
// last-level table's slice to |leaf|.
struct soft_walk;
typedef void (*soft_leaf_fn)(struct soft_walk* w, struct vm_page* pt_page, pte_t* pt,
                             unsigned first, unsigned last, vaddr_t va);

struct soft_walk {
  struct soft_aspace* sa;
  soft_leaf_fn leaf;
  bool create;      // absent tables are made from |prealloc|
  bool mark_path;   // upper entries walked get their accessed bit set
  bool free_empty;  // tables left empty are freed
  struct page_list prealloc;
  bool changed;    // a present entry changed or went away (costs a TLB flush)
  size_t entries;  // leaves removed (unmap)
  size_t tables_freed;
  // Operation arguments.
  vaddr_t va0;
  const paddr_t* pages;
  paddr_t contig_pa;
  pte_t leaf_bits;
  enum arch_existing_entry_action action;
  arch_accessed_fn fn;
  void* ctx;
  arch_entry_fn entry_fn;
};

static pte_t new_table(struct soft_walk* w) {
  struct vm_page* page = page_list_remove_head(&w->prealloc);
  ZX_ASSERT_MSG(page != NULL, "page-table preallocation too small");
  pmm_page_set_state(page, VM_PAGE_STATE_MMU);
  pmm_page_zero(page);
  *table_count(page) = 0;
  arch_account_table_pages(&w->sa->common, 1);
  // A fresh table counts as accessed (it is about to be used), see free_unaccessed.
  return (pte_t)vm_page_to_paddr(page) | PTE_UPPER_FLAGS | PTE_A;
}

static void free_table(struct soft_aspace* sa, struct vm_page* page) {
  ZX_DEBUG_ASSERT(*table_count(page) == 0);
  ZX_DEBUG_ASSERT(page->state == VM_PAGE_STATE_MMU);
  pmm_free_page(page);
  arch_account_table_pages(&sa->common, -1);
}

// Removes the entry |table[i]| pointing at the empty table |child_page| and frees that table.
static void drop_child(struct soft_walk* w, struct vm_page* page, pte_t* table, unsigned i,
                       struct vm_page* child_page) {
  table[i] = 0;
  (*table_count(page))--;
  free_table(w->sa, child_page);
  w->tables_freed++;
  w->changed = true;
}

static void walk(struct soft_walk* w, struct vm_page* page, pte_t* table, int level, vaddr_t va,
                 vaddr_t last) {
  if (level == 0) {
    w->leaf(w, page, table, soft_index(va, 0), soft_index(last, 0), va);
    return;
  }
  const vaddr_t span_mask = ((vaddr_t)1 << soft_entry_shift(level)) - 1;
  for (;;) {
    vaddr_t sub_last = (va | span_mask) < last ? (va | span_mask) : last;
    unsigned i = soft_index(va, level);
    pte_t e = table[i];
    if (e & PTE_P) {
      if (w->mark_path && !(e & PTE_A)) table[i] = e | PTE_A;
    } else if (w->create) {
      e = new_table(w);
      table[i] = e;
      (*table_count(page))++;
    }
    if (e & PTE_P) {
      struct vm_page* child_page = table_page_of(e);
      walk(w, child_page, soft_table_of(e), level - 1, va, sub_last);
      if (w->free_empty && *table_count(child_page) == 0) drop_child(w, page, table, i, child_page);
    }
    if (sub_last == last) return;
    va = sub_last + 1;
  }
}

static void walk_range(struct soft_walk* w, vaddr_t va, size_t count) {
  vaddr_t last = va + ((count << PAGE_SIZE_SHIFT) - 1);
  walk(w, w->sa->root_page, w->sa->root, SOFT_TOP_LEVEL, va, last);
}

// ---- map ----

// Tables at |level| and every level below needed to cover [va, last] when none exists.
static size_t tables_needed(int level, vaddr_t va, vaddr_t last) {
  size_t n = 0;
  for (int k = level; k >= 0; k--) {
    unsigned table_shift = soft_entry_shift(k + 1);
    n += (size_t)((last >> table_shift) - (va >> table_shift) + 1);
  }
  return n;
}

struct soft_plan {
  size_t missing_tables;
  bool present_found;
};

// Read-only pass of a map: counts absent tables; with |find_present| stops at a present leaf.
static void plan(pte_t* table, int level, vaddr_t va, vaddr_t last, bool find_present,
                 struct soft_plan* p) {
  if (level == 0) {
    if (!find_present) return;
    for (unsigned i = soft_index(va, 0), end = soft_index(last, 0); i <= end; i++) {
      if (table[i] & PTE_P) {
        p->present_found = true;
        return;
      }
    }
    return;
  }
  const vaddr_t span_mask = ((vaddr_t)1 << soft_entry_shift(level)) - 1;
  for (;;) {
    vaddr_t sub_last = (va | span_mask) < last ? (va | span_mask) : last;
    pte_t e = table[soft_index(va, level)];
    if (e & PTE_P) {
      plan(soft_table_of(e), level - 1, va, sub_last, find_present, p);
      if (p->present_found) return;
    } else {
      p->missing_tables += tables_needed(level - 1, va, sub_last);
    }
    if (sub_last == last) return;
    va = sub_last + 1;
  }
}

// Same paddr under UPGRADE: permissions only grow; the cache policy is the new one.
static pte_t upgrade_same_page(pte_t old, pte_t new_bits) {
  pte_t keep = old & (PTE_ADDR_MASK | PTE_P | PTE_A | PTE_D);
  pte_t grown = (old | new_bits) & (PTE_W | PTE_U);
  pte_t nx = old & new_bits & PTE_NX;
  return keep | grown | nx | (new_bits & PTE_CACHE_MASK);
}

static void map_leaf(struct soft_walk* w, struct vm_page* pt_page, pte_t* pt, unsigned first,
                     unsigned last, vaddr_t va) {
  for (unsigned i = first; i <= last; i++, va += PAGE_SIZE) {
    size_t n = (size_t)((va - w->va0) >> PAGE_SIZE_SHIFT);
    paddr_t pa = w->pages ? w->pages[n] : w->contig_pa + ((paddr_t)n << PAGE_SIZE_SHIFT);
    pte_t old = pt[i];
    if (!(old & PTE_P)) {
      pt[i] = (pte_t)pa | w->leaf_bits;
      (*table_count(pt_page))++;
      w->sa->common.counts.present_entries++;
      continue;
    }
    ZX_DEBUG_ASSERT(w->action != ARCH_EXISTING_ENTRY_ERROR);
    if (w->action == ARCH_EXISTING_ENTRY_SKIP) continue;
    pte_t next = (old & PTE_ADDR_MASK) == (pte_t)pa ? upgrade_same_page(old, w->leaf_bits)
                                                    : (pte_t)pa | w->leaf_bits;
    if (next != old) {
      pt[i] = next;
      w->changed = true;
    }
  }
}

static zx_status_t soft_map_locked(struct arch_aspace* a, vaddr_t va, const paddr_t* pages,
                                   paddr_t contig_pa, size_t count, arch_mmu_flags_t flags,
                                   enum arch_existing_entry_action action) {
  mutex_assert_held(&a->lock);
  struct soft_aspace* sa = soft_from_common(a);
  vaddr_t last = va + ((count << PAGE_SIZE_SHIFT) - 1);
  struct soft_plan p = {0};
  plan(sa->root, SOFT_TOP_LEVEL, va, last, action == ARCH_EXISTING_ENTRY_ERROR, &p);
  if (p.present_found) return ZX_ERR_ALREADY_EXISTS;

  struct soft_walk w = {.sa = sa,
                        .leaf = map_leaf,
                        .create = true,
                        .mark_path = true,
                        .va0 = va,
                        .pages = pages,
                        .contig_pa = contig_pa,
                        .leaf_bits = leaf_bits_of(flags),
                        .action = action};
  page_list_init(&w.prealloc);
  for (size_t i = 0; i < p.missing_tables; i++) {
    struct vm_page* page;
    if (pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &page, NULL) != ZX_OK) {
      if (!page_list_is_empty(&w.prealloc)) pmm_free_pages(&w.prealloc);
      return ZX_ERR_NO_MEMORY;
    }
    page_list_add_tail(&w.prealloc, page);
  }
  walk(&w, sa->root_page, sa->root, SOFT_TOP_LEVEL, va, last);
  ZX_ASSERT_MSG(page_list_is_empty(&w.prealloc), "%zu preallocated table pages left",
                w.prealloc.count);
  if (w.changed) a->counts.tlb_flushes++;
  return ZX_OK;
}

// ---- unmap, protect ----

static void unmap_leaf(struct soft_walk* w, struct vm_page* pt_page, pte_t* pt, unsigned first,
                       unsigned last, vaddr_t va) {
  for (unsigned i = first; i <= last; i++, va += PAGE_SIZE) {
    pte_t e = pt[i];
    if (!(e & PTE_P)) continue;
    if (w->fn && (e & PTE_A)) w->fn(w->ctx, (paddr_t)(e & PTE_ADDR_MASK), va);
    pt[i] = 0;
    (*table_count(pt_page))--;
    w->sa->common.counts.present_entries--;
    w->entries++;
    w->changed = true;
  }
}

static size_t soft_unmap_locked(struct arch_aspace* a, vaddr_t va, size_t count, uint32_t options) {
  mutex_assert_held(&a->lock);
  // ENLARGE is a hint we do not take: unmapping exactly the range is always correct.
  struct soft_walk w = {.sa = soft_from_common(a), .leaf = unmap_leaf, .free_empty = true};
  if (options & ARCH_UNMAP_OPTION_HARVEST) {
    w.fn = a->accessed_hook;
    w.ctx = a->accessed_ctx;
  }
  walk_range(&w, va, count);
  if (w.changed) a->counts.tlb_flushes++;
  return w.entries;
}

static void protect_leaf(struct soft_walk* w, struct vm_page* pt_page, pte_t* pt, unsigned first,
                         unsigned last, vaddr_t va) {
  for (unsigned i = first; i <= last; i++) {
    pte_t e = pt[i];
    if (!(e & PTE_P)) continue;
    pte_t next = (e & (PTE_ADDR_MASK | PTE_A | PTE_D)) | w->leaf_bits;
    if (next != e) {
      pt[i] = next;
      w->changed = true;
    }
  }
}

static zx_status_t soft_protect_locked(struct arch_aspace* a, vaddr_t va, size_t count,
                                       arch_mmu_flags_t flags) {
  mutex_assert_held(&a->lock);
  struct soft_walk w = {
      .sa = soft_from_common(a), .leaf = protect_leaf, .leaf_bits = leaf_bits_of(flags)};
  walk_range(&w, va, count);
  if (w.changed) a->counts.tlb_flushes++;
  return ZX_OK;
}

static zx_status_t soft_query_locked(struct arch_aspace* a, vaddr_t va, paddr_t* pa,
                                     arch_mmu_flags_t* flags) {
  mutex_assert_held(&a->lock);
  pte_t* table = soft_from_common(a)->root;
  for (int level = SOFT_TOP_LEVEL;; level--) {
    pte_t e = table[soft_index(va, level)];
    if (!(e & PTE_P)) return ZX_ERR_NOT_FOUND;
    if (level == 0) {
      *pa = (paddr_t)(e & PTE_ADDR_MASK);
      *flags = flags_of_leaf(e);
      return ZX_OK;
    }
    table = soft_table_of(e);
  }
}

// ---- accessed bits ----

static void harvest_leaf(struct soft_walk* w, struct vm_page* pt_page, pte_t* pt, unsigned first,
                         unsigned last, vaddr_t va) {
  for (unsigned i = first; i <= last; i++, va += PAGE_SIZE) {
    pte_t e = pt[i];
    if ((e & (PTE_P | PTE_A)) != (PTE_P | PTE_A)) continue;
    pt[i] = e & ~PTE_A;
    w->changed = true;
    if (w->fn) w->fn(w->ctx, (paddr_t)(e & PTE_ADDR_MASK), va);
  }
}

static void soft_harvest_locked(struct arch_aspace* a, vaddr_t va, size_t count,
                                arch_accessed_fn fn, void* ctx) {
  mutex_assert_held(&a->lock);
  struct soft_walk w = {.sa = soft_from_common(a), .leaf = harvest_leaf, .fn = fn, .ctx = ctx};
  walk_range(&w, va, count);
  if (w.changed) a->counts.tlb_flushes++;
}

static void mark_leaf(struct soft_walk* w, struct vm_page* pt_page, pte_t* pt, unsigned first,
                      unsigned last, vaddr_t va) {
  for (unsigned i = first; i <= last; i++) {
    if (pt[i] & PTE_P) pt[i] |= PTE_A;
  }
}

static void soft_mark_accessed_locked(struct arch_aspace* a, vaddr_t va, size_t count) {
  mutex_assert_held(&a->lock);
  struct soft_walk w = {.sa = soft_from_common(a), .leaf = mark_leaf, .mark_path = true};
  walk_range(&w, va, count);
}

// FreeUnaccessed over the tables below |table| (a table at |level| >= 1) for [va, last].
static void free_unaccessed(struct soft_walk* w, struct vm_page* page, pte_t* table, int level,
                            vaddr_t va, vaddr_t last) {
  const vaddr_t span_mask = ((vaddr_t)1 << soft_entry_shift(level)) - 1;
  for (;;) {
    vaddr_t sub_last = (va | span_mask) < last ? (va | span_mask) : last;
    unsigned i = soft_index(va, level);
    pte_t e = table[i];
    if (e & PTE_P) {
      struct vm_page* child_page = table_page_of(e);
      pte_t* child = soft_table_of(e);
      bool whole = (va & span_mask) == 0 && sub_last == (va | span_mask);
      if (whole && !(e & PTE_A)) {
        walk(w, child_page, child, level - 1, va, sub_last);  // unmaps it all, frees below
      } else {
        if (whole) {
          table[i] = e & ~PTE_A;
          w->changed = true;
        }
        if (level > 1) free_unaccessed(w, child_page, child, level - 1, va, sub_last);
      }
      if (*table_count(child_page) == 0) drop_child(w, page, table, i, child_page);
    }
    if (sub_last == last) return;
    va = sub_last + 1;
  }
}

static size_t soft_free_unaccessed_locked(struct arch_aspace* a, vaddr_t va, size_t count) {
  mutex_assert_held(&a->lock);
  struct soft_aspace* sa = soft_from_common(a);
  struct soft_walk w = {.sa = sa,
                        .leaf = unmap_leaf,
                        .free_empty = true,
                        .fn = a->accessed_hook,
                        .ctx = a->accessed_ctx};
  vaddr_t last = va + ((count << PAGE_SIZE_SHIFT) - 1);
  free_unaccessed(&w, sa->root_page, sa->root, SOFT_TOP_LEVEL, va, last);
  if (w.changed) a->counts.tlb_flushes++;
  return w.tables_freed;
}

// ---- debug walkers ----

static void enumerate_leaf(struct soft_walk* w, struct vm_page* pt_page, pte_t* pt, unsigned first,
                           unsigned last, vaddr_t va) {
  for (unsigned i = first; i <= last; i++, va += PAGE_SIZE) {
    pte_t e = pt[i];
    if (e & PTE_P) w->entry_fn(w->ctx, va, (paddr_t)(e & PTE_ADDR_MASK), flags_of_leaf(e));
  }
}

static void soft_enumerate_locked(struct arch_aspace* a, arch_entry_fn fn, void* ctx) {
  mutex_assert_held(&a->lock);
  struct soft_aspace* sa = soft_from_common(a);
  struct soft_walk w = {.sa = sa, .leaf = enumerate_leaf, .entry_fn = fn, .ctx = ctx};
  walk(&w, sa->root_page, sa->root, SOFT_TOP_LEVEL, a->base, a->last);
}

struct soft_check_totals {
  uint64_t tables;
  uint64_t leaves;
};

// Bits that must be zero: PS/PAT (7), global (8), software bit 11, 52..62; leaves: no more.
#define PTE_LEAF_RESERVED ((pte_t)0x7ff0000000000980ull)
#define PTE_UPPER_RESERVED (PTE_LEAF_RESERVED | PTE_D | PTE_CACHE_MASK | PTE_NX)

static void check_table(const struct arch_aspace* a, struct vm_page* page, pte_t* table, int level,
                        vaddr_t table_va, struct soft_check_totals* t) {
  ZX_ASSERT_MSG(page != NULL && page->state == VM_PAGE_STATE_MMU,
                "table at level %d for va %#lx is not an MMU page", level, (unsigned long)table_va);
  t->tables++;
  uint64_t present = 0;
  for (unsigned i = 0; i < SOFT_ENTRIES; i++) {
    pte_t e = table[i];
    if (!(e & PTE_P)) {
      ZX_ASSERT_MSG(e == 0, "non-present entry %#llx is not zero", (unsigned long long)e);
      continue;
    }
    present++;
    vaddr_t va = table_va | ((vaddr_t)i << soft_entry_shift(level));
    if (level == 0) {
      ZX_ASSERT_MSG((e & PTE_LEAF_RESERVED) == 0, "leaf %#llx at va %#lx has reserved bits",
                    (unsigned long long)e, (unsigned long)va);
      ZX_ASSERT_MSG(va >= a->base && va <= a->last, "leaf at va %#lx outside the aspace",
                    (unsigned long)va);
      t->leaves++;
      continue;
    }
    ZX_ASSERT_MSG((e & PTE_UPPER_FLAGS) == PTE_UPPER_FLAGS && (e & PTE_UPPER_RESERVED) == 0,
                  "bad upper entry %#llx at level %d", (unsigned long long)e, level);
    struct vm_page* child_page = table_page_of(e);
    check_table(a, child_page, soft_table_of(e), level - 1, va, t);
    ZX_ASSERT_MSG(*table_count(child_page) != 0, "empty table kept at level %d va %#lx", level - 1,
                  (unsigned long)va);
  }
  ZX_ASSERT_MSG(present == *table_count(page),
                "table at level %d va %#lx: %llu present entries, count says %llu", level,
                (unsigned long)table_va, (unsigned long long)present,
                (unsigned long long)*table_count(page));
}

static void soft_check_locked(struct arch_aspace* a) {
  mutex_assert_held(&a->lock);
  struct soft_aspace* sa = soft_from_common(a);
  struct soft_check_totals t = {0, 0};
  // Addresses of the high canonical half carry the sign extension of bit 47.
  vaddr_t root_va = a->base >= ((vaddr_t)1 << 47) ? (vaddr_t)0xffff000000000000ull : 0;
  check_table(a, sa->root_page, sa->root, SOFT_TOP_LEVEL, root_va, &t);
  ZX_ASSERT_MSG(t.tables == a->counts.table_pages, "%llu table pages, counter says %llu",
                (unsigned long long)t.tables, (unsigned long long)a->counts.table_pages);
  ZX_ASSERT_MSG(t.leaves == a->counts.present_entries, "%llu leaves, counter says %llu",
                (unsigned long long)t.leaves, (unsigned long long)a->counts.present_entries);
}

// ---- lifecycle ----

zx_status_t arch_soft_aspace_init(struct soft_aspace* sa) {
  struct vm_page* page;
  if (pmm_alloc_page(PMM_ALLOC_FLAG_ANY, &page, NULL) != ZX_OK) return ZX_ERR_NO_MEMORY;
  pmm_page_set_state(page, VM_PAGE_STATE_MMU);
  pmm_page_zero(page);
  *table_count(page) = 0;
  sa->root_page = page;
  sa->root = vm_page_to_physmap(page);
  arch_account_table_pages(&sa->common, 1);
  return ZX_OK;
}

static zx_status_t soft_create(vaddr_t base, size_t size, uint32_t flags,
                               struct arch_aspace** out) {
  struct soft_aspace* sa = heap_calloc(1, sizeof(*sa));
  if (sa == NULL) return ZX_ERR_NO_MEMORY;
  if (arch_soft_aspace_init(sa) != ZX_OK) {
    heap_free(sa);
    return ZX_ERR_NO_MEMORY;
  }
  *out = &sa->common;
  return ZX_OK;
}

void arch_soft_aspace_fini(struct soft_aspace* sa) {
  struct arch_aspace* a = &sa->common;
  struct soft_walk w = {.sa = sa, .leaf = unmap_leaf, .free_empty = true};
  walk(&w, sa->root_page, sa->root, SOFT_TOP_LEVEL, a->base, a->last);
  ZX_ASSERT(*table_count(sa->root_page) == 0);
  free_table(sa, sa->root_page);
  ZX_ASSERT_MSG(a->counts.table_pages == 0 && a->counts.present_entries == 0,
                "%llu table pages, %llu entries left at destroy",
                (unsigned long long)a->counts.table_pages,
                (unsigned long long)a->counts.present_entries);
}

static void soft_destroy(struct arch_aspace* a) {
  struct soft_aspace* sa = soft_from_common(a);
  arch_soft_aspace_fini(sa);
  heap_free(sa);
}

const struct arch_aspace_ops arch_soft_ops = {
    .name = "soft",
    .soft_layout = true,
    .create = soft_create,
    .destroy = soft_destroy,
    .map_locked = soft_map_locked,
    .unmap_locked = soft_unmap_locked,
    .protect_locked = soft_protect_locked,
    .query_locked = soft_query_locked,
    .harvest_locked = soft_harvest_locked,
    .mark_accessed_locked = soft_mark_accessed_locked,
    .free_unaccessed_locked = soft_free_unaccessed_locked,
    .enumerate_locked = soft_enumerate_locked,
    .check_locked = soft_check_locked,
};
