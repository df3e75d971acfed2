// Unit tests for the arch layer's contract (arch_aspace.h) on the soft backend: map / query /
// unmap at table boundaries, the three existing-entry actions (Zircon's arch_noncontiguous_map and
// arch_noncontiguous_map_with_upgrade), protect, out-of-memory atomicity, freeing of empty tables,
// accessed-bit harvesting and FreeUnaccessed (vmaspace_free_unaccessed_page_tables_test), the
// simulated CPU's permission checks, and a randomized comparison against a flat model.
//
// Leaf physical addresses are made up (outside the pmm arena): the arch layer stores them and
// never touches the memory, so only page-table pages come from the pmm.
#include "test_util.h"
// zxvm headers after cmocka.
#include "arch/arch_aspace.h"
#include "arch/soft/soft_pte.h"
#include "base/alloc_fail.h"
#include "base/prng.h"
#include "pmm/pmm.h"

#define ARENA_PAGES 4096u
#define KB4 ((vaddr_t)PAGE_SIZE)
#define MB2 ((vaddr_t)1 << 21)
#define GB1 ((vaddr_t)1 << 30)
#define GB512 ((vaddr_t)1 << 39)
#define USER_TOP ((vaddr_t)1 << 47)
#define KERNEL_BASE ((vaddr_t)0xffff800000000000ull)
#define FAKE_PA ((paddr_t)0x40000000000ull)  // far above the arena

#define RW (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_WRITE)
#define R ARCH_MMU_FLAG_PERM_READ
#define RX (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_EXECUTE)
#define U ARCH_MMU_FLAG_PERM_USER

static int setup(void** state) {
  (void)state;
  return pmm_init(ARENA_PAGES * PAGE_SIZE) == ZX_OK ? 0 : -1;
}

static int teardown(void** state) {
  (void)state;
  pmm_shutdown();  // panics if a page-table page leaked
  return 0;
}

static uint64_t pmm_mmu_pages(void) {
  struct pmm_counts c;
  pmm_get_counts(&c);
  return c.by_state[VM_PAGE_STATE_MMU];
}

static struct arch_aspace_counts counts_of(struct arch_aspace* a) {
  struct arch_aspace_counts c;
  arch_aspace_get_counts(a, &c);
  return c;
}

// Full consistency: the backend's own checker plus the pmm's view of MMU pages.
static void check_all(struct arch_aspace* a) {
  arch_aspace_check(a);
  pmm_check();
  assert_int_equal(arch_debug_total_table_pages(), pmm_mmu_pages());
}

static struct arch_aspace* make_user(vaddr_t base, size_t size) {
  struct arch_aspace* a = NULL;
  assert_ok(arch_aspace_create(ARCH_BACKEND_SOFT, base, size, ARCH_ASPACE_FLAG_USER, &a));
  return a;
}

static void fill_pages(paddr_t* pages, size_t n, paddr_t first) {
  for (size_t i = 0; i < n; i++) pages[i] = first + i * PAGE_SIZE;
}

static void expect_mapped(struct arch_aspace* a, vaddr_t va, paddr_t pa, arch_mmu_flags_t flags) {
  paddr_t got_pa = 0;
  arch_mmu_flags_t got_flags = 0;
  assert_ok(arch_aspace_query(a, va, &got_pa, &got_flags));
  assert_int_equal(pa, got_pa);
  assert_int_equal(flags, got_flags);
}

static void expect_absent(struct arch_aspace* a, vaddr_t va) {
  paddr_t pa;
  assert_status(ZX_ERR_NOT_FOUND, arch_aspace_query(a, va, &pa, NULL));
}

// ---- create ----

static void arch_aspace_create_invalid_args(void** state) {
  struct arch_aspace* a = NULL;
  assert_status(ZX_ERR_INVALID_ARGS, arch_aspace_create(ARCH_BACKEND_SOFT, 0, 0, 1, &a));
  assert_status(ZX_ERR_INVALID_ARGS, arch_aspace_create(ARCH_BACKEND_SOFT, 0, KB4, 2, &a));
  assert_status(ZX_ERR_INVALID_ARGS, arch_aspace_create(ARCH_BACKEND_SOFT, 1, KB4, 1, &a));
  assert_status(ZX_ERR_INVALID_ARGS, arch_aspace_create(ARCH_BACKEND_SOFT, 0, 100, 1, &a));
  // Crossing from the low canonical half into the hole, or starting in the hole.
  assert_status(ZX_ERR_OUT_OF_RANGE,
                arch_aspace_create(ARCH_BACKEND_SOFT, USER_TOP - KB4, 2 * KB4, 1, &a));
  assert_status(ZX_ERR_OUT_OF_RANGE, arch_aspace_create(ARCH_BACKEND_SOFT, USER_TOP, KB4, 0, &a));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                arch_aspace_create(ARCH_BACKEND_SOFT, KERNEL_BASE, SIZE_MAX - KB4 + 1, 0, &a));
  assert_status(ZX_ERR_NOT_SUPPORTED, arch_aspace_create(ARCH_BACKEND_HOST, 0, KB4, 1, &a));
  assert_null(a);
  assert_int_equal(0, pmm_mmu_pages());

  // The whole high half, ending exactly at 2^64, is a valid kernel aspace.
  assert_ok(arch_aspace_create(ARCH_BACKEND_SOFT, KERNEL_BASE, (size_t)0 - KERNEL_BASE,
                               ARCH_ASPACE_FLAG_KERNEL, &a));
  assert_false(arch_aspace_is_user(a));
  assert_int_equal(1, counts_of(a).table_pages);
  assert_int_equal(1, pmm_mmu_pages());
  arch_aspace_destroy(a);
  pmm_check();
  assert_int_equal(0, pmm_mmu_pages());
}

static void arch_aspace_create_out_of_memory(void** state) {
  struct arch_aspace* a = NULL;
  bool failed_once = false;
  for (uint64_t n = 1; n < 10; n++) {
    alloc_fail_arm(n);
    zx_status_t status = arch_aspace_create(ARCH_BACKEND_SOFT, 0, GB1, 1, &a);
    bool fired = alloc_fail_fired();
    alloc_fail_arm(0);
    if (!fired) {
      assert_ok(status);
      break;
    }
    failed_once = true;
    assert_status(ZX_ERR_NO_MEMORY, status);
    assert_int_equal(0, pmm_mmu_pages());
  }
  assert_true(failed_once);
  arch_aspace_destroy(a);
}

// ---- map / query / unmap ----

struct boundary_case {
  const char* name;
  vaddr_t va;
  size_t pages;
};

static void round_trip(struct arch_aspace* a, const struct boundary_case* c) {
  paddr_t pages[8];
  assert_true(c->pages <= countof(pages));
  fill_pages(pages, c->pages, FAKE_PA + 0x100000);
  pages[0] = FAKE_PA;  // non-contiguous on purpose
  size_t mapped = 0;
  assert_ok(arch_aspace_map(a, c->va, pages, c->pages, RW | U, ARCH_EXISTING_ENTRY_ERROR, &mapped));
  assert_int_equal(c->pages, mapped);
  check_all(a);
  assert_int_equal(c->pages, counts_of(a).present_entries);
  for (size_t i = 0; i < c->pages; i++) {
    expect_mapped(a, c->va + i * PAGE_SIZE, pages[i], RW | U);
    // The offset inside the page is carried through.
    paddr_t pa;
    assert_ok(arch_aspace_query(a, c->va + i * PAGE_SIZE + 123, &pa, NULL));
    assert_int_equal(pages[i] + 123, pa);
  }
  if (c->va != arch_aspace_base(a)) expect_absent(a, c->va - PAGE_SIZE);
  size_t unmapped = 0;
  assert_ok(arch_aspace_unmap(a, c->va, c->pages, ARCH_UNMAP_OPTION_NONE, &unmapped));
  assert_int_equal(c->pages, unmapped);
  for (size_t i = 0; i < c->pages; i++) expect_absent(a, c->va + i * PAGE_SIZE);
  check_all(a);
  struct arch_aspace_counts counts = counts_of(a);
  assert_int_equal(0, counts.present_entries);
  assert_int_equal(1, counts.table_pages);  // only the root is left
}

static void arch_map_query_unmap_at_boundaries(void** state) {
  struct arch_aspace* a = make_user(0, USER_TOP);
  const struct boundary_case cases[] = {
      {"first page", 0, 1},
      {"first pages", 0, 8},
      {"last page", USER_TOP - KB4, 1},
      {"last pages", USER_TOP - 8 * KB4, 8},
      {"2 MiB boundary", MB2 - 2 * KB4, 4},
      {"1 GiB boundary", GB1 - 3 * KB4, 6},
      {"512 GiB boundary", GB512 - 4 * KB4, 8},
      {"second 2 MiB span", MB2, 1},
  };
  for (size_t i = 0; i < countof(cases); i++) {
    print_message("case %s\n", cases[i].name);
    round_trip(a, &cases[i]);
  }
  arch_aspace_destroy(a);

  // An aspace not starting at 0, and a kernel aspace at the very top of the address space.
  a = make_user(GB1 + MB2, 4 * MB2);
  const struct boundary_case inner[] = {
      {"base", GB1 + MB2, 2}, {"end", GB1 + 5 * MB2 - 2 * KB4, 2}, {"mid", GB1 + 2 * MB2 - KB4, 2}};
  for (size_t i = 0; i < countof(inner); i++) round_trip(a, &inner[i]);
  paddr_t pa = FAKE_PA;
  assert_status(ZX_ERR_OUT_OF_RANGE,
                arch_aspace_map(a, GB1 + MB2 - KB4, &pa, 1, R, ARCH_EXISTING_ENTRY_ERROR, NULL));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                arch_aspace_map(a, GB1 + 5 * MB2, &pa, 1, R, ARCH_EXISTING_ENTRY_ERROR, NULL));
  assert_status(ZX_ERR_OUT_OF_RANGE, arch_aspace_query(a, GB1, NULL, NULL));
  arch_aspace_destroy(a);

  struct arch_aspace* k = NULL;
  assert_ok(arch_aspace_create(ARCH_BACKEND_SOFT, KERNEL_BASE, (size_t)0 - KERNEL_BASE,
                               ARCH_ASPACE_FLAG_KERNEL, &k));
  const struct boundary_case top[] = {{"kernel base", KERNEL_BASE, 2},
                                      {"kernel top", (vaddr_t)0 - 4 * KB4, 4}};
  for (size_t i = 0; i < countof(top); i++) round_trip(k, &top[i]);
  arch_aspace_destroy(k);
  assert_int_equal(0, pmm_mmu_pages());
}

static void arch_map_invalid_args(void** state) {
  struct arch_aspace* a = make_user(0, GB1);
  paddr_t pa = FAKE_PA, bad_pa = FAKE_PA + 1, huge_pa = (paddr_t)1 << 52;
  const enum arch_existing_entry_action E = ARCH_EXISTING_ENTRY_ERROR;
  assert_status(ZX_ERR_INVALID_ARGS, arch_aspace_map(a, 0x1001, &pa, 1, R, E, NULL));
  assert_status(ZX_ERR_INVALID_ARGS, arch_aspace_map(a, 0, &pa, 1, 0, E, NULL));
  assert_status(ZX_ERR_INVALID_ARGS, arch_aspace_map(a, 0, &pa, 1, U, E, NULL));
  assert_status(ZX_ERR_INVALID_ARGS,
                arch_aspace_map(a, 0, &pa, 1, R | ARCH_MMU_FLAG_INVALID, E, NULL));
  assert_status(ZX_ERR_INVALID_ARGS, arch_aspace_map(a, 0, &pa, 1, R | 0x100, E, NULL));
  assert_status(ZX_ERR_INVALID_ARGS, arch_aspace_map(a, 0, &bad_pa, 1, R, E, NULL));
  assert_status(ZX_ERR_INVALID_ARGS, arch_aspace_map(a, 0, &huge_pa, 1, R, E, NULL));
  assert_status(ZX_ERR_INVALID_ARGS, arch_aspace_map(a, 0, NULL, 1, R, E, NULL));
  assert_status(ZX_ERR_INVALID_ARGS, arch_aspace_map(a, 0, &pa, 1, R, 7, NULL));
  assert_status(ZX_ERR_OUT_OF_RANGE, arch_aspace_map(a, GB1, &pa, 1, R, E, NULL));
  assert_status(ZX_ERR_OUT_OF_RANGE, arch_aspace_map_contiguous(a, GB1 - KB4, FAKE_PA, 2, R, NULL));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                arch_aspace_map_contiguous(a, KB4, FAKE_PA, SIZE_MAX / PAGE_SIZE, R, NULL));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                arch_aspace_map_contiguous(a, KB4, FAKE_PA, SIZE_MAX, R, NULL));
  assert_status(ZX_ERR_INVALID_ARGS,
                arch_aspace_map_contiguous(a, 0, ((paddr_t)1 << 52) - KB4, 2, R, NULL));
  size_t mapped = 99;
  assert_ok(arch_aspace_map(a, 0, NULL, 0, R, E, &mapped));
  assert_int_equal(0, mapped);
  assert_status(ZX_ERR_INVALID_ARGS, arch_aspace_unmap(a, 0x10, 1, 0, NULL));
  assert_status(ZX_ERR_INVALID_ARGS, arch_aspace_unmap(a, 0, 1, 1u << 5, NULL));
  assert_status(ZX_ERR_OUT_OF_RANGE, arch_aspace_unmap(a, GB1 - KB4, 2, 0, NULL));
  assert_status(ZX_ERR_INVALID_ARGS, arch_aspace_protect(a, 0, 1, R | ARCH_MMU_FLAG_INVALID, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE, arch_aspace_protect(a, GB1, 1, R, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE, arch_aspace_harvest_accessed(a, GB1, 1, NULL, NULL));
  assert_status(ZX_ERR_OUT_OF_RANGE, arch_aspace_mark_accessed(a, GB1, 1));
  assert_status(ZX_ERR_OUT_OF_RANGE, arch_aspace_free_unaccessed(a, GB1, 1, NULL));
  // Nothing was mapped by any of these.
  assert_int_equal(0, counts_of(a).present_entries);
  assert_int_equal(1, counts_of(a).table_pages);
  check_all(a);
  arch_aspace_destroy(a);
}

static void arch_map_flags_round_trip(void** state) {
  struct arch_aspace* a = make_user(0, GB1);
  // Every permission combination with at least one RWX bit, user or not, every cache policy.
  vaddr_t va = 0;
  for (arch_mmu_flags_t f = 0; f < 0x40; f++) {
    if ((f & ARCH_MMU_FLAG_PERM_RWX_MASK) == 0) continue;
    assert_ok(arch_aspace_map_contiguous(a, va, FAKE_PA + va, 1, f, NULL));
    // x86: present implies readable, so write-only and execute-only read back with READ.
    expect_mapped(a, va, FAKE_PA + va, f | ARCH_MMU_FLAG_PERM_READ);
    va += PAGE_SIZE;
  }
  // NS has no x86 encoding and is dropped.
  assert_ok(arch_aspace_map_contiguous(a, va, FAKE_PA, 1, R | ARCH_MMU_FLAG_NS, NULL));
  expect_mapped(a, va, FAKE_PA, R);
  check_all(a);
  arch_aspace_destroy(a);
}

// ---- existing-entry actions ----

static void arch_map_error_existing_leaves_no_partial_entries(void** state) {
  struct arch_aspace* a = make_user(0, USER_TOP);
  paddr_t pages[8];
  fill_pages(pages, 8, FAKE_PA);
  // Four pages right after a 2 MiB boundary, so an overlap from the left needs another table.
  const vaddr_t va = GB1 + MB2;
  assert_ok(arch_aspace_map(a, va, pages, 4, R, ARCH_EXISTING_ENTRY_ERROR, NULL));
  struct arch_aspace_counts before = counts_of(a);

  assert_status(ZX_ERR_ALREADY_EXISTS,
                arch_aspace_map(a, va, pages + 4, 4, RW, ARCH_EXISTING_ENTRY_ERROR, NULL));
  // Partial overlaps: left side (2 new + 2 existing), right side, one page in the middle,
  // and a range that covers the existing one entirely.
  assert_status(ZX_ERR_ALREADY_EXISTS,
                arch_aspace_map(a, va - 2 * KB4, pages, 4, RW, ARCH_EXISTING_ENTRY_ERROR, NULL));
  assert_status(ZX_ERR_ALREADY_EXISTS,
                arch_aspace_map(a, va + 3 * KB4, pages, 4, RW, ARCH_EXISTING_ENTRY_ERROR, NULL));
  assert_status(ZX_ERR_ALREADY_EXISTS,
                arch_aspace_map(a, va + 2 * KB4, pages, 1, RW, ARCH_EXISTING_ENTRY_ERROR, NULL));
  assert_status(ZX_ERR_ALREADY_EXISTS,
                arch_aspace_map(a, va - 2 * KB4, pages, 8, RW, ARCH_EXISTING_ENTRY_ERROR, NULL));
  assert_status(ZX_ERR_ALREADY_EXISTS,
                arch_aspace_map_contiguous(a, va - 2 * KB4, FAKE_PA, 3, RW, NULL));

  for (int i = -2; i < 0; i++) expect_absent(a, va + (vaddr_t)(i * (int)KB4));
  for (size_t i = 4; i < 8; i++) expect_absent(a, va + i * KB4);
  for (size_t i = 0; i < 4; i++) expect_mapped(a, va + i * KB4, pages[i], R);
  struct arch_aspace_counts after = counts_of(a);
  assert_int_equal(before.present_entries, after.present_entries);
  assert_int_equal(before.table_pages, after.table_pages);
  assert_int_equal(before.tlb_flushes, after.tlb_flushes);
  check_all(a);
  arch_aspace_destroy(a);
}

static void arch_map_upgrade_adds_write_never_downgrades_remaps(void** state) {
  struct arch_aspace* a = make_user(0, GB1);
  paddr_t pages[4];
  fill_pages(pages, 4, FAKE_PA);
  assert_ok(arch_aspace_map(a, 0, pages, 4, R | U, ARCH_EXISTING_ENTRY_ERROR, NULL));
  uint64_t flushes = counts_of(a).tlb_flushes;

  // Same paddrs with write: entries gain write.
  assert_ok(arch_aspace_map(a, 0, pages, 2, RW | U, ARCH_EXISTING_ENTRY_UPGRADE, NULL));
  expect_mapped(a, 0, pages[0], RW | U);
  expect_mapped(a, KB4, pages[1], RW | U);
  expect_mapped(a, 2 * KB4, pages[2], R | U);
  assert_int_equal(flushes + 1, counts_of(a).tlb_flushes);

  // Same paddrs with fewer permissions: nothing is taken away, and nothing changes (no flush).
  assert_ok(arch_aspace_map(a, 0, pages, 2, R | U, ARCH_EXISTING_ENTRY_UPGRADE, NULL));
  expect_mapped(a, 0, pages[0], RW | U);
  expect_mapped(a, KB4, pages[1], RW | U);
  assert_int_equal(flushes + 1, counts_of(a).tlb_flushes);

  // Different paddrs: the entry is replaced with the new page and exactly the new flags.
  paddr_t other[4];
  fill_pages(other, 4, FAKE_PA + 0x1000000);
  assert_ok(arch_aspace_map(a, KB4, other, 2, R | U, ARCH_EXISTING_ENTRY_UPGRADE, NULL));
  expect_mapped(a, KB4, other[0], R | U);
  expect_mapped(a, 2 * KB4, other[1], R | U);
  expect_mapped(a, 0, pages[0], RW | U);
  assert_int_equal(flushes + 2, counts_of(a).tlb_flushes);

  // A replaced page starts with clean accessed/dirty bits; an upgraded same page keeps them.
  paddr_t pa;
  uint32_t pf;
  assert_ok(arch_soft_translate(a, 0, ARCH_ACCESS_WRITE | ARCH_ACCESS_USER, &pa, &pf));
  assert_ok(arch_soft_translate(a, 3 * KB4, ARCH_ACCESS_READ, &pa, &pf));
  assert_ok(arch_aspace_map(a, 0, pages, 1, RX | U, ARCH_EXISTING_ENTRY_UPGRADE, NULL));
  expect_mapped(a, 0, pages[0], RW | U | ARCH_MMU_FLAG_PERM_EXECUTE);
  pte_t e = arch_soft_debug_leaf_entry(a, 0);
  assert_true((e & PTE_A) && (e & PTE_D));
  assert_ok(arch_aspace_map(a, 3 * KB4, other + 3, 1, R | U, ARCH_EXISTING_ENTRY_UPGRADE, NULL));
  e = arch_soft_debug_leaf_entry(a, 3 * KB4);
  assert_false(e & (PTE_A | PTE_D));

  // Upgrade over a range with holes maps the holes too.
  assert_ok(arch_aspace_map(a, 2 * KB4, pages, 4, RW, ARCH_EXISTING_ENTRY_UPGRADE, NULL));
  expect_mapped(a, 4 * KB4, pages[2], RW);
  expect_mapped(a, 5 * KB4, pages[3], RW);
  assert_int_equal(6, counts_of(a).present_entries);
  check_all(a);
  arch_aspace_destroy(a);
}

static void arch_map_skip_keeps_existing(void** state) {
  struct arch_aspace* a = make_user(0, GB1);
  paddr_t pages[6], other[6];
  fill_pages(pages, 6, FAKE_PA);
  fill_pages(other, 6, FAKE_PA + 0x1000000);
  assert_ok(arch_aspace_map(a, 2 * KB4, pages, 2, R, ARCH_EXISTING_ENTRY_ERROR, NULL));
  uint64_t flushes = counts_of(a).tlb_flushes;
  size_t mapped = 0;
  assert_ok(arch_aspace_map(a, 0, other, 6, RW | U, ARCH_EXISTING_ENTRY_SKIP, &mapped));
  assert_int_equal(6, mapped);
  for (size_t i = 0; i < 6; i++) {
    if (i == 2 || i == 3) {
      expect_mapped(a, i * KB4, pages[i - 2], R);
    } else {
      expect_mapped(a, i * KB4, other[i], RW | U);
    }
  }
  assert_int_equal(flushes, counts_of(a).tlb_flushes);  // adding entries needs no flush
  assert_int_equal(6, counts_of(a).present_entries);
  check_all(a);
  arch_aspace_destroy(a);
}

// ---- protect ----

static void arch_protect_middle_of_range(void** state) {
  struct arch_aspace* a = make_user(0, USER_TOP);
  const vaddr_t va = MB2 - 4 * KB4;  // straddles a last-level table boundary
  assert_ok(arch_aspace_map_contiguous(a, va, FAKE_PA, 8, RW | U, NULL));
  assert_ok(arch_aspace_unmap(a, va + 6 * KB4, 1, 0, NULL));  // a hole stays a hole
  assert_ok(arch_aspace_protect(a, va + 2 * KB4, 5, RX | U, ARCH_UNMAP_OPTION_NONE));
  for (size_t i = 0; i < 8; i++) {
    vaddr_t v = va + i * KB4;
    if (i == 6) {
      expect_absent(a, v);
    } else if (i >= 2 && i < 7) {
      expect_mapped(a, v, FAKE_PA + i * KB4, RX | U);
    } else {
      expect_mapped(a, v, FAKE_PA + i * KB4, RW | U);
    }
  }
  // Protect keeps accessed/dirty bits.
  paddr_t pa;
  uint32_t pf;
  assert_ok(arch_soft_translate(a, va, ARCH_ACCESS_WRITE, &pa, &pf));
  assert_ok(arch_aspace_protect(a, va, 1, R, 0));
  pte_t e = arch_soft_debug_leaf_entry(a, va);
  assert_true((e & PTE_A) && (e & PTE_D) && !(e & PTE_W));
  check_all(a);

  // Protect with no RWX bit unmaps, and frees the tables left empty.
  assert_ok(arch_aspace_protect(a, va + 3 * KB4, 2, U, 0));
  expect_absent(a, va + 3 * KB4);
  expect_absent(a, va + 4 * KB4);
  expect_mapped(a, va + 5 * KB4, FAKE_PA + 5 * KB4, RX | U);
  assert_int_equal(5, counts_of(a).present_entries);
  assert_ok(arch_aspace_protect(a, va, 8, 0, 0));
  assert_int_equal(0, counts_of(a).present_entries);
  assert_int_equal(1, counts_of(a).table_pages);
  check_all(a);
  arch_aspace_destroy(a);
}

// ---- out of memory ----

struct entry_list {
  size_t count;
  vaddr_t va[64];
  paddr_t pa[64];
  arch_mmu_flags_t flags[64];
};

static void record_entry(void* ctx, vaddr_t va, paddr_t pa, arch_mmu_flags_t flags) {
  struct entry_list* l = ctx;
  assert_true(l->count < countof(l->va));
  if (l->count > 0) assert_true(va > l->va[l->count - 1]);  // ascending
  l->va[l->count] = va;
  l->pa[l->count] = pa;
  l->flags[l->count] = flags;
  l->count++;
}

static void expect_same_entries(const struct entry_list* a, const struct entry_list* b) {
  assert_int_equal(a->count, b->count);
  for (size_t i = 0; i < a->count; i++) {
    assert_int_equal(a->va[i], b->va[i]);
    assert_int_equal(a->pa[i], b->pa[i]);
    assert_int_equal(a->flags[i], b->flags[i]);
  }
}

// Sweeps the allocation-failure hook over every table allocation of one map call: each failure
// must return ZX_ERR_NO_MEMORY with every entry and table exactly as before.
static void oom_sweep(enum arch_existing_entry_action action) {
  struct arch_aspace* a = make_user(0, USER_TOP);
  // Existing entries: two pages just below 512 GiB (inside the second map's range), one far to
  // the right of 512 GiB (so its PDPT exists but not the PD the second map needs), one far left.
  assert_ok(arch_aspace_map_contiguous(a, GB512 - 2 * KB4, FAKE_PA, 2, R, NULL));
  assert_ok(arch_aspace_map_contiguous(a, GB512 + 3 * GB1, FAKE_PA + 0x10000, 1, R, NULL));
  assert_ok(arch_aspace_map_contiguous(a, GB512 - 3 * GB1, FAKE_PA + 0x20000, 1, R, NULL));
  struct entry_list before = {0};
  arch_aspace_check_entries(a, record_entry, &before);
  assert_int_equal(4, before.count);
  struct arch_aspace_counts counts_before = counts_of(a);

  paddr_t pages[16];
  fill_pages(pages, 16, FAKE_PA + 0x100000);
  // 16 pages crossing a 2 MiB boundary (needs two PTs), then 16 crossing 512 GiB (needs a PD and
  // a PT on the right; overlaps the two existing pages on the left).
  const vaddr_t map_va = GB512 - 2 * MB2 - 4 * KB4;
  const vaddr_t map2_va = GB512 - 4 * KB4;
  uint64_t n;
  for (n = 1;; n++) {
    alloc_fail_arm(n);
    zx_status_t status = arch_aspace_map(a, map_va, pages, 16, RW, action, NULL);
    if (status == ZX_OK) status = arch_aspace_map(a, map2_va, pages, 16, RW, action, NULL);
    bool fired = alloc_fail_fired();
    alloc_fail_arm(0);
    if (!fired) {
      assert_ok(status);
      break;
    }
    assert_status(ZX_ERR_NO_MEMORY, status);
    // The first map may have succeeded before the second failed: undo it, then compare.
    assert_ok(arch_aspace_unmap(a, map_va, 16, 0, NULL));
    check_all(a);
    struct entry_list after = {0};
    arch_aspace_check_entries(a, record_entry, &after);
    expect_same_entries(&before, &after);
    assert_int_equal(counts_before.table_pages, counts_of(a).table_pages);
  }
  assert_int_equal(5, n);  // four table allocations swept, the fifth run succeeded
  assert_int_equal(4 + 16 + 14, counts_of(a).present_entries);
  check_all(a);
  arch_aspace_destroy(a);
  pmm_check();
  assert_int_equal(0, pmm_mmu_pages());
}

static void arch_map_out_of_memory_changes_nothing(void** state) {
  oom_sweep(ARCH_EXISTING_ENTRY_SKIP);
  oom_sweep(ARCH_EXISTING_ENTRY_UPGRADE);
}

// ---- tables freed, next page-table offset ----

static void arch_unmap_frees_empty_tables(void** state) {
  struct arch_aspace* a = make_user(0, USER_TOP);
  const vaddr_t vas[] = {0,     MB2 + KB4,       GB1,           5 * GB1 + 7 * MB2,
                         GB512, 3 * GB512 + GB1, USER_TOP - KB4};
  for (size_t i = 0; i < countof(vas); i++) {
    assert_ok(arch_aspace_map_contiguous(a, vas[i], FAKE_PA + i * KB4, 1, R, NULL));
  }
  struct arch_aspace_counts c = counts_of(a);
  // root + PDPTs {0, 1, 3, 255} + PDs {0/0, 0/1, 0/5, 1/0, 3/1, 255/511} + one PT per page.
  assert_int_equal(1 + 4 + 6 + 7, c.table_pages);
  assert_int_equal(7, c.present_entries);
  check_all(a);
  // Unmapping a partial range of one table keeps it.
  assert_ok(arch_aspace_map_contiguous(a, KB4, FAKE_PA, 1, R, NULL));
  size_t unmapped;
  assert_ok(arch_aspace_unmap(a, 0, 1, 0, &unmapped));
  assert_int_equal(1, unmapped);
  assert_int_equal(c.table_pages, counts_of(a).table_pages);
  // One unmap over the whole user range frees every table but the root.
  assert_ok(arch_aspace_unmap(a, 0, USER_TOP / PAGE_SIZE, ARCH_UNMAP_OPTION_ENLARGE, &unmapped));
  assert_int_equal(7, unmapped);
  c = counts_of(a);
  assert_int_equal(1, c.table_pages);
  assert_int_equal(0, c.present_entries);
  assert_int_equal(1, pmm_mmu_pages());
  check_all(a);
  // Unmapping nothing is fine and changes nothing.
  uint64_t flushes = c.tlb_flushes;
  assert_ok(arch_aspace_unmap(a, GB1, 10, 0, &unmapped));
  assert_int_equal(0, unmapped);
  assert_int_equal(flushes, counts_of(a).tlb_flushes);
  arch_aspace_destroy(a);
}

static void arch_destroy_unmaps_everything(void** state) {
  struct arch_aspace* a = make_user(0, USER_TOP);
  assert_ok(arch_aspace_map_contiguous(a, GB1 - 4 * KB4, FAKE_PA, 100, RW, NULL));
  assert_ok(arch_aspace_map_contiguous(a, GB512 * 7, FAKE_PA, 3, RW, NULL));
  assert_true(pmm_mmu_pages() > 1);
  arch_aspace_destroy(a);
  pmm_check();
  assert_int_equal(0, pmm_mmu_pages());
  assert_int_equal(0, arch_debug_total_table_pages());
}

static void arch_next_user_page_table_offset(void** state) {
  struct arch_aspace* a = make_user(0, USER_TOP);
  assert_int_equal(MB2, arch_aspace_next_user_page_table_offset(a, 0));
  assert_int_equal(MB2, arch_aspace_next_user_page_table_offset(a, KB4));
  assert_int_equal(MB2, arch_aspace_next_user_page_table_offset(a, MB2 - KB4));
  assert_int_equal(MB2, arch_aspace_next_user_page_table_offset(a, MB2 - 1));
  assert_int_equal(2 * MB2, arch_aspace_next_user_page_table_offset(a, MB2));
  assert_int_equal(GB1, arch_aspace_next_user_page_table_offset(a, GB1 - KB4));
  assert_int_equal(USER_TOP, arch_aspace_next_user_page_table_offset(a, USER_TOP - KB4));
  assert_int_equal(0, arch_aspace_next_user_page_table_offset(a, (vaddr_t)0 - KB4));
  // Pages from a va to the boundary, as the fault path's optimistic window uses it (§7 31).
  for (vaddr_t off = 0; off < MB2; off += 97 * KB4) {
    vaddr_t va = 3 * MB2 + off;
    size_t to_boundary = (arch_aspace_next_user_page_table_offset(a, va) - va) / PAGE_SIZE;
    assert_int_equal(512 - off / PAGE_SIZE, to_boundary);
  }
  arch_aspace_destroy(a);
}

// ---- accessed bits ----

struct harvest_log {
  size_t count;
  vaddr_t va[32];
  paddr_t pa[32];
};

static void log_accessed(void* ctx, paddr_t pa, vaddr_t va) {
  struct harvest_log* log = ctx;
  assert_true(log->count < countof(log->va));
  log->va[log->count] = va;
  log->pa[log->count] = pa;
  log->count++;
}

static void touch(struct arch_aspace* a, vaddr_t va) {
  paddr_t pa;
  uint32_t pf;
  assert_ok(arch_soft_translate(a, va, ARCH_ACCESS_READ | ARCH_ACCESS_USER, &pa, &pf));
}

static void arch_harvest_and_mark_accessed(void** state) {
  struct arch_aspace* a = make_user(0, GB1);
  assert_ok(arch_aspace_map_contiguous(a, 0, FAKE_PA, 4, R | U, NULL));
  struct harvest_log log = {0};
  // Freshly mapped leaves are not accessed.
  assert_ok(arch_aspace_harvest_accessed(a, 0, 4, log_accessed, &log));
  assert_int_equal(0, log.count);
  touch(a, KB4);
  touch(a, 3 * KB4 + 17);
  assert_ok(arch_aspace_harvest_accessed(a, 0, 4, log_accessed, &log));
  assert_int_equal(2, log.count);
  assert_int_equal(KB4, log.va[0]);
  assert_int_equal(FAKE_PA + KB4, log.pa[0]);
  assert_int_equal(3 * KB4, log.va[1]);
  log.count = 0;
  assert_ok(arch_aspace_harvest_accessed(a, 0, 4, log_accessed, &log));
  assert_int_equal(0, log.count);  // harvesting cleared them
  assert_ok(arch_aspace_mark_accessed(a, 0, 2));
  assert_ok(arch_aspace_harvest_accessed(a, 0, 4, log_accessed, &log));
  assert_int_equal(2, log.count);
  assert_int_equal(0, log.va[0]);
  assert_int_equal(KB4, log.va[1]);

  // Unmap with HARVEST reports accessed entries to the hook; without it, nothing is reported.
  log.count = 0;
  arch_aspace_set_accessed_hook(a, log_accessed, &log);
  touch(a, 2 * KB4);
  touch(a, 0);
  assert_ok(arch_aspace_unmap(a, 0, 1, ARCH_UNMAP_OPTION_NONE, NULL));
  assert_int_equal(0, log.count);
  assert_ok(arch_aspace_unmap(a, KB4, 3, ARCH_UNMAP_OPTION_HARVEST, NULL));
  assert_int_equal(1, log.count);
  assert_int_equal(2 * KB4, log.va[0]);
  assert_int_equal(FAKE_PA + 2 * KB4, log.pa[0]);
  check_all(a);
  arch_aspace_destroy(a);
}

static void arch_free_unaccessed_page_tables(void** state) {
  struct arch_aspace* a = make_user(0, USER_TOP);
  const vaddr_t va = 3 * GB1 + 5 * MB2;
  const size_t whole = (size_t)(GB512 / PAGE_SIZE);
  paddr_t pa = FAKE_PA;
  size_t freed = 99;
  assert_ok(arch_aspace_map(a, va, &pa, 1, R | U, ARCH_EXISTING_ENTRY_ERROR, NULL));

  // First pass: the fresh tables count as accessed, so the page stays mapped.
  assert_ok(arch_aspace_free_unaccessed(a, 0, whole, &freed));
  assert_int_equal(0, freed);
  assert_status(ZX_ERR_ALREADY_EXISTS,
                arch_aspace_map(a, va, &pa, 1, R | U, ARCH_EXISTING_ENTRY_ERROR, NULL));
  // Second pass with no access in between: unmapped, every table but the root freed.
  assert_ok(arch_aspace_free_unaccessed(a, 0, whole, &freed));
  assert_int_equal(3, freed);
  expect_absent(a, va);
  assert_int_equal(1, counts_of(a).table_pages);
  check_all(a);
  assert_ok(arch_aspace_map(a, va, &pa, 1, R | U, ARCH_EXISTING_ENTRY_ERROR, NULL));

  // An access between passes keeps the tables; two quiet passes then free them.
  assert_ok(arch_aspace_free_unaccessed(a, 0, whole, &freed));
  touch(a, va);
  assert_ok(arch_aspace_free_unaccessed(a, 0, whole, &freed));
  assert_int_equal(0, freed);
  expect_mapped(a, va, pa, R | U);
  // So does a map into the same last-level table.
  assert_ok(arch_aspace_map(a, va + KB4, &pa, 1, R | U, ARCH_EXISTING_ENTRY_ERROR, NULL));
  assert_ok(arch_aspace_free_unaccessed(a, 0, whole, &freed));
  assert_int_equal(0, freed);
  expect_mapped(a, va, pa, R | U);

  // A range that covers only part of the last-level table never frees it.
  assert_ok(arch_aspace_free_unaccessed(a, va, 2, &freed));
  assert_ok(arch_aspace_free_unaccessed(a, va, 2, &freed));
  assert_int_equal(0, freed);
  expect_mapped(a, va, pa, R | U);

  // Leaves still marked accessed are reported to the hook when their table goes. The last full
  // pass cleared the PD entry's accessed bit, so a pass over exactly the PT's span frees it; the
  // PD and PDPT above it are then empty and are freed too (no empty table is ever kept).
  struct harvest_log log = {0};
  arch_aspace_set_accessed_hook(a, log_accessed, &log);
  assert_ok(arch_aspace_free_unaccessed(a, va & ~(MB2 - 1), 512, &freed));
  assert_int_equal(3, freed);
  assert_int_equal(1, log.count);  // |va| was touched and never harvested; va + 4 KiB was not
  assert_int_equal(va, log.va[0]);
  expect_absent(a, va);
  expect_absent(a, va + KB4);
  assert_int_equal(1, counts_of(a).table_pages);
  assert_ok(arch_aspace_free_unaccessed(a, 0, whole, &freed));
  assert_int_equal(0, freed);
  check_all(a);
  arch_aspace_destroy(a);

  struct arch_aspace* k = NULL;
  assert_ok(arch_aspace_create(ARCH_BACKEND_SOFT, KERNEL_BASE, GB1, 0, &k));
  assert_status(ZX_ERR_NOT_SUPPORTED, arch_aspace_free_unaccessed(k, KERNEL_BASE, 1, NULL));
  arch_aspace_destroy(k);
}

// ---- simulated CPU ----

struct translate_case {
  arch_mmu_flags_t map_flags;
  uint32_t access;
  bool ok;
  uint32_t pf;  // without HW_FAULT, added below
};

static void arch_translate_permission_checks(void** state) {
  struct arch_aspace* a = make_user(0, GB1);
  const uint32_t RD = ARCH_ACCESS_READ, WR = ARCH_ACCESS_WRITE, EX = ARCH_ACCESS_EXECUTE,
                 US = ARCH_ACCESS_USER;
  const uint32_t PW = VMM_PF_FLAG_WRITE, PU = VMM_PF_FLAG_USER, PI = VMM_PF_FLAG_INSTRUCTION;
  const arch_mmu_flags_t X = ARCH_MMU_FLAG_PERM_EXECUTE, W = ARCH_MMU_FLAG_PERM_WRITE;
  const struct translate_case cases[] = {
      {R | U, RD | US, true, 0},
      {R | U, RD, true, 0},
      {R | U, WR | US, false, PW | PU},
      {R | U, WR, false, PW},
      {R | U, EX | US, false, PI | PU},
      {RW | U, WR | US, true, 0},
      {RW | U, EX, false, PI},
      {R, RD | US, false, PU},
      {R, RD, true, 0},
      {RW, WR | US, false, PW | PU},
      {RW, WR, true, 0},
      {RX | U, EX | US, true, 0},
      {RX, EX | US, false, PI | PU},
      {X | U, RD | US, true, 0},  // execute-only reads (x86)
      {W | U, RD | US, true, 0},
      {W | U, WR | US, true, 0},
  };
  for (size_t i = 0; i < countof(cases); i++) {
    const struct translate_case* c = &cases[i];
    vaddr_t va = i * KB4;
    assert_ok(arch_aspace_map_contiguous(a, va, FAKE_PA + va, 1, c->map_flags, NULL));
    paddr_t pa = 0;
    uint32_t pf = 0;
    zx_status_t status = arch_soft_translate(a, va + 0x123, c->access, &pa, &pf);
    print_message("case %zu: flags %#x access %#x -> %d pf %#x\n", i, c->map_flags, c->access,
                  status, pf);
    pte_t e = arch_soft_debug_leaf_entry(a, va);
    if (c->ok) {
      assert_ok(status);
      assert_int_equal(FAKE_PA + va + 0x123, pa);
      assert_true(e & PTE_A);
      assert_int_equal((c->access & WR) != 0, (e & PTE_D) != 0);
    } else {
      assert_status(ZX_ERR_NOT_FOUND, status);
      assert_int_equal(c->pf | VMM_PF_FLAG_HW_FAULT, pf);
      assert_false(e & (PTE_A | PTE_D));  // a faulting access marks nothing
    }
  }
  // Not present: at the leaf, at an upper level, outside the aspace.
  paddr_t pa;
  uint32_t pf = 0;
  vaddr_t absent[] = {countof(cases) * KB4, 100 * MB2, GB1 - KB4, GB1, (vaddr_t)0 - KB4};
  for (size_t i = 0; i < countof(absent); i++) {
    assert_status(
        ZX_ERR_NOT_FOUND,
        arch_soft_translate(a, absent[i], ARCH_ACCESS_WRITE | ARCH_ACCESS_USER, &pa, &pf));
    assert_int_equal(
        VMM_PF_FLAG_NOT_PRESENT | VMM_PF_FLAG_WRITE | VMM_PF_FLAG_USER | VMM_PF_FLAG_HW_FAULT, pf);
  }
  assert_status(ZX_ERR_NOT_FOUND, arch_soft_translate(a, absent[0], ARCH_ACCESS_EXECUTE, &pa, &pf));
  assert_int_equal(VMM_PF_FLAG_NOT_PRESENT | VMM_PF_FLAG_INSTRUCTION | VMM_PF_FLAG_HW_FAULT, pf);
  // Bad access kinds.
  assert_status(ZX_ERR_INVALID_ARGS, arch_soft_translate(a, 0, 0, &pa, &pf));
  assert_status(ZX_ERR_INVALID_ARGS, arch_soft_translate(a, 0, ARCH_ACCESS_USER, &pa, &pf));
  assert_status(ZX_ERR_INVALID_ARGS,
                arch_soft_translate(a, 0, ARCH_ACCESS_READ | ARCH_ACCESS_WRITE, &pa, &pf));
  assert_status(ZX_ERR_INVALID_ARGS, arch_soft_translate(a, 0, 1u << 7, &pa, &pf));
  struct arch_aspace_counts c = counts_of(a);
  assert_true(c.translations > 0 && c.faults > 0);
  check_all(a);
  arch_aspace_destroy(a);
}

static void arch_translate_kernel_aspace_high_half(void** state) {
  struct arch_aspace* k = NULL;
  assert_ok(arch_aspace_create(ARCH_BACKEND_SOFT, KERNEL_BASE, (size_t)0 - KERNEL_BASE, 0, &k));
  const vaddr_t va = (vaddr_t)0 - 2 * KB4;
  assert_ok(arch_aspace_map_contiguous(k, va, FAKE_PA, 2, RW, NULL));
  paddr_t pa;
  uint32_t pf;
  assert_ok(arch_soft_translate(k, va + KB4 + 8, ARCH_ACCESS_WRITE, &pa, &pf));
  assert_int_equal(FAKE_PA + KB4 + 8, pa);
  assert_status(ZX_ERR_NOT_FOUND,
                arch_soft_translate(k, va, ARCH_ACCESS_READ | ARCH_ACCESS_USER, &pa, &pf));
  assert_int_equal(VMM_PF_FLAG_USER | VMM_PF_FLAG_HW_FAULT, pf);
  // Same low 48 bits, other canonical half: outside the aspace.
  assert_status(ZX_ERR_NOT_FOUND,
                arch_soft_translate(k, va & 0x0000ffffffffffffull, ARCH_ACCESS_READ, &pa, &pf));
  struct entry_list l = {0};
  arch_aspace_check_entries(k, record_entry, &l);
  assert_int_equal(2, l.count);
  assert_int_equal(va, l.va[0]);
  assert_int_equal(va + KB4, l.va[1]);
  check_all(k);
  arch_aspace_destroy(k);
}

// ---- randomized comparison with a flat model ----

#define MODEL_PAGES 1536u  // 6 MiB straddling a 1 GiB boundary: 4 PTs, 2 PDs
#define MODEL_BASE (GB1 - 768 * KB4)

struct model_page {
  bool present;
  bool accessed;
  paddr_t pa;
  arch_mmu_flags_t flags;  // as query reports them
};

static arch_mmu_flags_t normalize(arch_mmu_flags_t f) {
  return (f & (ARCH_MMU_FLAG_CACHE_MASK | ARCH_MMU_FLAG_PERM_USER | ARCH_MMU_FLAG_PERM_RWX_MASK)) |
         ARCH_MMU_FLAG_PERM_READ;
}

static arch_mmu_flags_t random_flags(struct prng* p, bool allow_none) {
  arch_mmu_flags_t f = (arch_mmu_flags_t)prng_uniform(p, 0x40);
  if (!allow_none && (f & ARCH_MMU_FLAG_PERM_RWX_MASK) == 0) f |= ARCH_MMU_FLAG_PERM_READ;
  return f;
}

static void model_map(struct model_page* m, size_t first, const paddr_t* pages, size_t n,
                      arch_mmu_flags_t flags, enum arch_existing_entry_action action) {
  for (size_t i = 0; i < n; i++) {
    struct model_page* p = &m[first + i];
    arch_mmu_flags_t nf = normalize(flags);
    if (!p->present) {
      *p = (struct model_page){true, false, pages[i], nf};
    } else if (action == ARCH_EXISTING_ENTRY_UPGRADE) {
      if (p->pa == pages[i]) {
        p->flags = ((p->flags | nf) & ~ARCH_MMU_FLAG_CACHE_MASK) | (nf & ARCH_MMU_FLAG_CACHE_MASK);
      } else {
        *p = (struct model_page){true, false, pages[i], nf};
      }
    }
  }
}

static bool model_allows(const struct model_page* p, uint32_t access) {
  if (!p->present) return false;
  if ((access & ARCH_ACCESS_USER) && !(p->flags & ARCH_MMU_FLAG_PERM_USER)) return false;
  if ((access & ARCH_ACCESS_WRITE) && !(p->flags & ARCH_MMU_FLAG_PERM_WRITE)) return false;
  if ((access & ARCH_ACCESS_EXECUTE) && !(p->flags & ARCH_MMU_FLAG_PERM_EXECUTE)) return false;
  return true;
}

static void model_compare(struct arch_aspace* a, const struct model_page* m) {
  size_t present = 0;
  for (size_t i = 0; i < MODEL_PAGES; i++) {
    vaddr_t va = MODEL_BASE + i * PAGE_SIZE;
    if (m[i].present) {
      expect_mapped(a, va, m[i].pa, m[i].flags);
      present++;
    } else {
      expect_absent(a, va);
    }
  }
  assert_int_equal(present, counts_of(a).present_entries);
}

struct model_harvest {
  struct model_page* m;
  size_t reported;
};

static void model_harvest_cb(void* ctx, paddr_t pa, vaddr_t va) {
  struct model_harvest* h = ctx;
  size_t i = (va - MODEL_BASE) / PAGE_SIZE;
  assert_true(i < MODEL_PAGES);
  assert_true(h->m[i].present && h->m[i].accessed);
  assert_int_equal(h->m[i].pa, pa);
  h->m[i].accessed = false;
  h->reported++;
}

static void random_step(struct arch_aspace* a, struct model_page* m, struct prng* p) {
  size_t first = prng_uniform(p, MODEL_PAGES);
  size_t n = 1 + prng_uniform(p, prng_uniform(p, 4) == 0 ? 300 : 24);
  if (first + n > MODEL_PAGES) n = MODEL_PAGES - first;
  vaddr_t va = MODEL_BASE + first * PAGE_SIZE;
  switch (prng_uniform(p, 6)) {
    case 0:
    case 1: {  // map
      paddr_t pages[300];
      for (size_t i = 0; i < n; i++) {
        // Few distinct paddrs, so Upgrade meets both the same and a different page.
        pages[i] = FAKE_PA + (first + i + prng_uniform(p, 2) * 0x1000) * PAGE_SIZE;
      }
      enum arch_existing_entry_action action = (enum arch_existing_entry_action)prng_uniform(p, 3);
      arch_mmu_flags_t flags = random_flags(p, false);
      bool arm = prng_uniform(p, 8) == 0;
      if (arm) alloc_fail_arm(1 + prng_uniform(p, 3));
      zx_status_t status = arch_aspace_map(a, va, pages, n, flags, action, NULL);
      bool fired = arm && alloc_fail_fired();
      alloc_fail_arm(0);
      bool any_present = false;
      for (size_t i = 0; i < n; i++) any_present |= m[first + i].present;
      if (action == ARCH_EXISTING_ENTRY_ERROR && any_present) {
        assert_status(ZX_ERR_ALREADY_EXISTS, status);
      } else if (fired) {
        assert_status(ZX_ERR_NO_MEMORY, status);
      } else {
        assert_ok(status);
        model_map(m, first, pages, n, flags, action);
      }
      break;
    }
    case 2: {  // unmap
      size_t unmapped, expected = 0;
      for (size_t i = 0; i < n; i++) expected += m[first + i].present;
      assert_ok(arch_aspace_unmap(a, va, n, ARCH_UNMAP_OPTION_NONE, &unmapped));
      assert_int_equal(expected, unmapped);
      for (size_t i = 0; i < n; i++) m[first + i].present = false;
      break;
    }
    case 3: {  // protect (sometimes to nothing: unmap)
      arch_mmu_flags_t flags = random_flags(p, true);
      assert_ok(arch_aspace_protect(a, va, n, flags, ARCH_UNMAP_OPTION_NONE));
      for (size_t i = 0; i < n; i++) {
        if (!m[first + i].present) continue;
        if ((flags & ARCH_MMU_FLAG_PERM_RWX_MASK) == 0) {
          m[first + i].present = false;
        } else {
          m[first + i].flags = normalize(flags);
        }
      }
      break;
    }
    case 4: {  // simulated accesses
      for (size_t i = 0; i < n; i++) {
        static const uint32_t kinds[] = {ARCH_ACCESS_READ, ARCH_ACCESS_WRITE, ARCH_ACCESS_EXECUTE};
        uint32_t access = kinds[prng_uniform(p, 3)] | (prng_uniform(p, 2) ? ARCH_ACCESS_USER : 0);
        paddr_t pa;
        uint32_t pf = 0;
        zx_status_t status = arch_soft_translate(a, va + i * PAGE_SIZE, access, &pa, &pf);
        struct model_page* mp = &m[first + i];
        if (model_allows(mp, access)) {
          assert_ok(status);
          assert_int_equal(mp->pa, pa);
          mp->accessed = true;
        } else {
          assert_status(ZX_ERR_NOT_FOUND, status);
          assert_int_equal(mp->present ? 0 : VMM_PF_FLAG_NOT_PRESENT, pf & VMM_PF_FLAG_NOT_PRESENT);
        }
      }
      break;
    }
    case 5: {  // harvest
      struct model_harvest h = {m, 0};
      size_t expected = 0;
      for (size_t i = 0; i < n; i++) expected += m[first + i].present && m[first + i].accessed;
      assert_ok(arch_aspace_harvest_accessed(a, va, n, model_harvest_cb, &h));
      assert_int_equal(expected, h.reported);
      break;
    }
  }
}

static void arch_randomized_against_model(void** state) {
  struct prng p;
  prng_seed(&p, test_seed("arch_randomized_against_model"));
  struct arch_aspace* a = make_user(0, USER_TOP);
  static struct model_page m[MODEL_PAGES];
  for (size_t i = 0; i < MODEL_PAGES; i++) m[i] = (struct model_page){0};
  for (int step = 0; step < 3000; step++) {
    random_step(a, m, &p);
    check_all(a);
    if (step % 100 == 99) model_compare(a, m);
  }
  model_compare(a, m);
  struct arch_aspace_counts c = counts_of(a);
  print_message("final: %llu entries, %llu tables, %llu translations, %llu faults, %llu flushes\n",
                (unsigned long long)c.present_entries, (unsigned long long)c.table_pages,
                (unsigned long long)c.translations, (unsigned long long)c.faults,
                (unsigned long long)c.tlb_flushes);
  assert_true(c.translations > 0 && c.faults > 0);
  assert_ok(arch_aspace_unmap(a, MODEL_BASE, MODEL_PAGES, 0, NULL));
  assert_int_equal(1, counts_of(a).table_pages);
  arch_aspace_destroy(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(arch_aspace_create_invalid_args, setup, teardown),
      cmocka_unit_test_setup_teardown(arch_aspace_create_out_of_memory, setup, teardown),
      cmocka_unit_test_setup_teardown(arch_map_query_unmap_at_boundaries, setup, teardown),
      cmocka_unit_test_setup_teardown(arch_map_invalid_args, setup, teardown),
      cmocka_unit_test_setup_teardown(arch_map_flags_round_trip, setup, teardown),
      cmocka_unit_test_setup_teardown(arch_map_error_existing_leaves_no_partial_entries, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(arch_map_upgrade_adds_write_never_downgrades_remaps, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(arch_map_skip_keeps_existing, setup, teardown),
      cmocka_unit_test_setup_teardown(arch_protect_middle_of_range, setup, teardown),
      cmocka_unit_test_setup_teardown(arch_map_out_of_memory_changes_nothing, setup, teardown),
      cmocka_unit_test_setup_teardown(arch_unmap_frees_empty_tables, setup, teardown),
      cmocka_unit_test_setup_teardown(arch_destroy_unmaps_everything, setup, teardown),
      cmocka_unit_test_setup_teardown(arch_next_user_page_table_offset, setup, teardown),
      cmocka_unit_test_setup_teardown(arch_harvest_and_mark_accessed, setup, teardown),
      cmocka_unit_test_setup_teardown(arch_free_unaccessed_page_tables, setup, teardown),
      cmocka_unit_test_setup_teardown(arch_translate_permission_checks, setup, teardown),
      cmocka_unit_test_setup_teardown(arch_translate_kernel_aspace_high_half, setup, teardown),
      cmocka_unit_test_setup_teardown(arch_randomized_against_model, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
