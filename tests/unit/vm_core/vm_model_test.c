// Randomized model-based test of the VMAR layer and the fault path. A sub-VMAR of a few MiB is
// driven with random maps (specific, overwriting and placed), unmaps (partial too), protects,
// simulated user reads/writes/fetches, direct VMO decommit/zero/write, MarkMergeable and
// range_op, and checked after every step against a per-page model: what each address maps
// (VMO, offset), what it allows (protection, ceiling) and what it reads (a byte model of each
// VMO). vm_aspace_check runs after every step. The seed is printed; ZXVM_TEST_SEED replays it.
#include "base/prng.h"
#include "vm_core_test_util.h"

#define P PAGE_SIZE
#define AS_BASE ((vaddr_t)0x1000000)
#define AS_SIZE ((size_t)0x2000000)
#define ARENA_PAGES 1024u  // 4 MiB
#define NUM_VMOS 3
#define VMO_PAGES 64u
#define MAX_MAP_PAGES 16u
#define STEPS 2000
#define RWX ARCH_MMU_FLAG_PERM_RWX_MASK

struct page_model {
  bool mapped;
  uint8_t vmo;
  uint32_t vmo_page;
  uint32_t prot;  // ARCH_MMU_FLAG_PERM_* incl. USER
  uint32_t can;   // VMAR_FLAG_CAN_MAP_* ceiling
};

struct model {
  struct prng rng;
  struct vm_aspace* as;
  struct vm_address_region* arena;
  vaddr_t base;
  struct vm_object* vmos[NUM_VMOS];
  uint8_t* bytes[NUM_VMOS];  // VMO contents
  struct page_model pages[ARENA_PAGES];
  uint64_t counts[16];
};

static uint64_t rnd(struct model* md, uint64_t bound) { return prng_uniform(&md->rng, bound); }

static uint32_t can_of(uint32_t prot) {
  uint32_t c = 0;
  if (prot & ARCH_MMU_FLAG_PERM_READ) c |= VMAR_FLAG_CAN_MAP_READ;
  if (prot & ARCH_MMU_FLAG_PERM_WRITE) c |= VMAR_FLAG_CAN_MAP_WRITE;
  if (prot & ARCH_MMU_FLAG_PERM_EXECUTE) c |= VMAR_FLAG_CAN_MAP_EXECUTE;
  return c;
}

static uint32_t random_prot(struct model* md, bool allow_none) {
  static const uint32_t kProts[] = {VT_PERM_R, VT_PERM_RW, VT_PERM_RX, VT_PERM_RWX,
                                    ARCH_MMU_FLAG_PERM_USER};
  return kProts[rnd(md, allow_none ? 5 : 4)];
}

// ---- operations -----------------------------------------------------------------------------

static bool model_range_free(struct model* md, size_t first, size_t n) {
  for (size_t i = first; i < first + n; i++) {
    if (md->pages[i].mapped) return false;
  }
  return true;
}

static bool model_has_free_run(struct model* md, size_t n) {
  size_t run = 0;
  for (size_t i = 0; i < ARENA_PAGES; i++) {
    run = md->pages[i].mapped ? 0 : run + 1;
    if (run >= n) return true;
  }
  return false;
}

static void op_map(struct model* md) {
  size_t n = 1 + rnd(md, MAX_MAP_PAGES);
  uint8_t vi = (uint8_t)rnd(md, NUM_VMOS);
  uint32_t vmo_page = (uint32_t)rnd(md, VMO_PAGES - n + 1);
  uint32_t prot = random_prot(md, false);
  uint64_t kind = rnd(md, 3);  // 0 placed, 1 specific, 2 overwrite
  size_t first = rnd(md, ARENA_PAGES - n + 1);
  uint32_t flags = kind == 0 ? 0 : kind == 1 ? VMAR_FLAG_SPECIFIC : VMAR_FLAG_SPECIFIC_OVERWRITE;
  zx_status_t expect = ZX_OK;
  if (kind == 0 && !model_has_free_run(md, n)) expect = ZX_ERR_NO_RESOURCES;
  if (kind == 1 && !model_range_free(md, first, n)) expect = ZX_ERR_ALREADY_EXISTS;
  struct vm_mapping* m = NULL;
  vaddr_t base = 0;
  zx_status_t s = vm_address_region_create_vm_mapping(
      md->arena, kind == 0 ? 0 : first * P, n * P, 0, flags, md->vmos[vi], (uint64_t)vmo_page * P,
      prot, "model", &m, &base);
  assert_status(expect, s);
  if (s != ZX_OK) return;
  if (kind != 0) assert_int_equal(base, md->base + first * P);
  first = (base - md->base) / P;
  if (kind != 2) assert_true(model_range_free(md, first, n));
  for (size_t i = 0; i < n; i++) {
    md->pages[first + i] =
        (struct page_model){true, vi, vmo_page + (uint32_t)i, prot, can_of(prot)};
  }
  if (rnd(md, 2)) {
    vm_mapping_mark_mergeable(m);  // hands over our reference
  } else {
    vt_release(m);
  }
}

static void op_unmap(struct model* md) {
  size_t n = 1 + rnd(md, 2 * MAX_MAP_PAGES);
  size_t first = rnd(md, ARENA_PAGES - n + 1);
  assert_ok(vm_address_region_unmap(md->arena, md->base + first * P, n * P, VM_OP_CHILDREN_NO,
                                    rnd(md, 2) != 0));
  for (size_t i = first; i < first + n; i++) md->pages[i].mapped = false;
}

static void op_protect(struct model* md) {
  size_t n = 1 + rnd(md, MAX_MAP_PAGES);
  size_t first = rnd(md, ARENA_PAGES - n + 1);
  uint32_t prot = random_prot(md, true);
  zx_status_t expect = ZX_OK;
  for (size_t i = first; i < first + n && expect == ZX_OK; i++) {
    if (!md->pages[i].mapped)
      expect = ZX_ERR_NOT_FOUND;
    else if (can_of(prot) & ~md->pages[i].can)
      expect = ZX_ERR_ACCESS_DENIED;
  }
  assert_status(expect, vm_address_region_protect(md->arena, md->base + first * P, n * P, prot,
                                                  VM_OP_CHILDREN_NO));
  if (expect != ZX_OK) return;
  for (size_t i = first; i < first + n; i++) md->pages[i].prot = prot;
}

static void op_access(struct model* md) {
  size_t pi = rnd(md, ARENA_PAGES + 8);  // a few pages past the arena: not found either way
  size_t off = rnd(md, P / 8) * 8;
  vaddr_t va = md->base + pi * P + off;
  uint64_t kind = rnd(md, 3);
  uint32_t access = kind == 0   ? ARCH_ACCESS_READ
                    : kind == 1 ? ARCH_ACCESS_WRITE
                                : ARCH_ACCESS_EXECUTE;
  struct page_model* pm = pi < ARENA_PAGES ? &md->pages[pi] : NULL;
  zx_status_t expect = ZX_OK;
  uint32_t need = kind == 0   ? ARCH_MMU_FLAG_PERM_READ
                  : kind == 1 ? ARCH_MMU_FLAG_PERM_WRITE
                              : ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_EXECUTE;
  if (pm == NULL || !pm->mapped) {
    expect = ZX_ERR_NOT_FOUND;
  } else if ((pm->prot & need) != need) {
    expect = ZX_ERR_ACCESS_DENIED;
  }
  uint64_t value = prng_next(&md->rng);
  uint64_t got = value;
  assert_status(expect, vm_aspace_user_access(md->as, va, &got, 8, access));
  if (expect != ZX_OK) return;
  uint8_t* model_bytes = md->bytes[pm->vmo] + (size_t)pm->vmo_page * P + off;
  if (kind == 1) {
    memcpy(model_bytes, &value, 8);
  } else {
    assert_memory_equal(&got, model_bytes, 8);
  }
}

static void op_vmo_direct(struct model* md) {
  uint8_t vi = (uint8_t)rnd(md, NUM_VMOS);
  struct vm_object_paged* vmo = vt_paged(md->vmos[vi]);
  uint64_t what = rnd(md, 3);
  if (what == 0) {
    uint64_t first = rnd(md, VMO_PAGES), n = 1 + rnd(md, VMO_PAGES - first);
    assert_ok(vm_object_paged_decommit_range(vmo, first * P, n * P));
    memset(md->bytes[vi] + first * P, 0, n * P);
  } else if (what == 1) {
    uint64_t off = rnd(md, VMO_PAGES * P), len = rnd(md, VMO_PAGES * P - off + 1);
    assert_ok(vm_object_paged_zero_range(vmo, off, len));
    memset(md->bytes[vi] + off, 0, len);
  } else {
    uint64_t off = rnd(md, VMO_PAGES * P - 16), v = prng_next(&md->rng);
    assert_ok(vm_object_paged_write(vmo, &v, off, 8));
    memcpy(md->bytes[vi] + off, &v, 8);
  }
}

static void op_mark_mergeable(struct model* md) {
  size_t pi = rnd(md, ARENA_PAGES);
  struct vm_address_region_or_mapping* r =
      vm_address_region_find_region(md->arena, md->base + pi * P);
  assert_true((r != NULL) == md->pages[pi].mapped);
  if (r == NULL) return;
  assert_true(r->is_mapping);
  vm_mapping_mark_mergeable(vm_mapping_from(r));
}

static void op_range_op(struct model* md) {
  static const uint32_t kOps[] = {ZX_VMAR_OP_COMMIT,  ZX_VMAR_OP_DECOMMIT,  ZX_VMAR_OP_MAP_RANGE,
                                  ZX_VMAR_OP_ZERO,    ZX_VMAR_OP_DONT_NEED, ZX_VMAR_OP_ALWAYS_NEED,
                                  ZX_VMAR_OP_PREFETCH};
  uint32_t op = kOps[rnd(md, countof(kOps))];
  size_t n = 1 + rnd(md, MAX_MAP_PAGES);
  size_t first = rnd(md, ARENA_PAGES - n + 1);
  uint32_t need = (op == ZX_VMAR_OP_COMMIT || op == ZX_VMAR_OP_DECOMMIT || op == ZX_VMAR_OP_ZERO)
                      ? VMAR_FLAG_CAN_MAP_WRITE
                  : op == ZX_VMAR_OP_PREFETCH ? VMAR_FLAG_CAN_MAP_READ
                                              : 0;
  zx_status_t expect = ZX_OK;
  for (size_t i = first; i < first + n && expect == ZX_OK; i++) {
    if (!md->pages[i].mapped)
      expect = ZX_ERR_BAD_STATE;
    else if ((md->pages[i].can & need) != need)
      expect = ZX_ERR_ACCESS_DENIED;
  }
  assert_status(expect, vm_address_region_range_op(md->arena, op, md->base + first * P, n * P,
                                                   VM_OP_CHILDREN_NO, NULL, 0));
  if (expect != ZX_OK || (op != ZX_VMAR_OP_DECOMMIT && op != ZX_VMAR_OP_ZERO)) return;
  for (size_t i = first; i < first + n; i++) {
    memset(md->bytes[md->pages[i].vmo] + (size_t)md->pages[i].vmo_page * P, 0, P);
  }
}

// ---- verification ---------------------------------------------------------------------------

// Every page of the arena: mapped exactly as modelled (VMO, offset, protection, ceiling).
static void verify_layout(struct model* md) {
  mutex_lock(&md->as->lock);
  for (size_t i = 0; i < ARENA_PAGES; i++) {
    vaddr_t va = md->base + i * P;
    struct vm_mapping* m = vm_aspace_find_mapping_locked(md->as, va);
    struct page_model* pm = &md->pages[i];
    if (!pm->mapped) {
      assert_null(m);
      continue;
    }
    assert_non_null(m);
    assert_ptr_equal(m->object, md->vmos[pm->vmo]);
    assert_int_equal(m->object_offset + (va - vm_mapping_base(m)), (uint64_t)pm->vmo_page * P);
    uint32_t f = vm_mapping_arch_mmu_flags_locked(m, va) & ~ARCH_MMU_FLAG_CACHE_MASK;
    assert_int_equal(f, pm->prot);
    assert_int_equal(m->common.flags & VMAR_CAN_RWX_FLAGS, pm->can);
  }
  mutex_unlock(&md->as->lock);
}

static void step(struct model* md) {
  uint64_t r = rnd(md, 100);
  unsigned op;
  if (r < 20)
    op = 0;
  else if (r < 30)
    op = 1;
  else if (r < 42)
    op = 2;
  else if (r < 75)
    op = 3;
  else if (r < 83)
    op = 4;
  else if (r < 90)
    op = 5;
  else
    op = 6;
  md->counts[op]++;
  switch (op) {
    case 0:
      op_map(md);
      break;
    case 1:
      op_unmap(md);
      break;
    case 2:
      op_protect(md);
      break;
    case 3:
      op_access(md);
      break;
    case 4:
      op_vmo_direct(md);
      break;
    case 5:
      op_mark_mergeable(md);
      break;
    default:
      op_range_op(md);
      break;
  }
}

static void vm_model_random_ops_match_model(void** state) {
  (void)state;
  static struct model md;
  memset(&md, 0, sizeof(md));
  uint64_t seed = test_seed("vm_model_random_ops_match_model");
  prng_seed(&md.rng, seed);
  md.as = vt_aspace(AS_BASE, AS_SIZE, (seed & 1) ? 30 : 0, seed | 1);
  struct vm_address_region* root = vm_aspace_root_vmar(md.as);
  assert_ok(vm_address_region_create_sub_vmar(root, 0, ARENA_PAGES * P, 0,
                                              VMAR_CAN_RWX_FLAGS | VMAR_FLAG_CAN_MAP_SPECIFIC,
                                              "arena", &md.arena));
  md.base = vm_region_base(&md.arena->common);
  for (int i = 0; i < NUM_VMOS; i++) {
    md.vmos[i] = vt_vmo(VMO_PAGES * P, 0);
    md.bytes[i] = calloc(VMO_PAGES, P);
    assert_non_null(md.bytes[i]);
  }
  for (int s = 0; s < STEPS; s++) {
    step(&md);
    vm_aspace_check(md.as);
    verify_layout(&md);
  }
  // The whole arena reads as modelled at the end, then goes away cleanly.
  for (size_t i = 0; i < ARENA_PAGES; i++) {
    if (!md.pages[i].mapped || !(md.pages[i].prot & ARCH_MMU_FLAG_PERM_READ)) continue;
    uint8_t buf[64];
    assert_ok(vt_read(md.as, md.base + i * P + 512, buf, sizeof(buf)));
    assert_memory_equal(buf, md.bytes[md.pages[i].vmo] + (size_t)md.pages[i].vmo_page * P + 512,
                        sizeof(buf));
  }
  printf("[model] map %" PRIu64 " unmap %" PRIu64 " protect %" PRIu64 " access %" PRIu64
         " vmo %" PRIu64 " merge %" PRIu64 " range_op %" PRIu64 "; children at end %zu\n",
         md.counts[0], md.counts[1], md.counts[2], md.counts[3], md.counts[4], md.counts[5],
         md.counts[6], vm_address_region_child_count(md.arena));
  vt_release(md.arena);
  vt_release(root);
  vt_aspace_free(md.as);
  for (int i = 0; i < NUM_VMOS; i++) {
    vm_object_release(md.vmos[i]);
    free(md.bytes[i]);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(vm_model_random_ops_match_model, vt_setup, vt_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
