// VMAR tests: creation of sub-VMARs and mappings with every flag and every documented error in
// spec §5 order, placement (first fit, ASLR, upper limit, alignment, exhaustion), overwrite,
// unmap, protect, range_op, iterative destroy, the life cycle, attribution, dump and the
// zx_vm_option_t decoders.
#include "vm_core_test_util.h"

#define SMALL_BASE ((vaddr_t)0x1000000)
#define SMALL_SIZE ((size_t)0x4000000)
#define P PAGE_SIZE
#define ALL_CAN (VMAR_CAN_RWX_FLAGS | VMAR_FLAG_CAN_MAP_SPECIFIC)

struct fixture {
  struct vm_aspace* as;
  struct vm_address_region* root;
  struct vm_object* vmo;  // 64 pages
};

static struct fixture fx_make(void) {
  struct fixture f;
  f.as = vt_aspace(SMALL_BASE, SMALL_SIZE, 0, 0);
  f.root = vm_aspace_root_vmar(f.as);
  assert_non_null(f.root);
  f.vmo = vt_vmo(64 * P, 0);
  return f;
}

static void fx_free(struct fixture* f) {
  vt_release(f->root);
  vt_aspace_free(f->as);
  vm_object_release(f->vmo);
}

static zx_status_t sub(struct vm_address_region* parent, size_t offset, size_t size, uint8_t align,
                       uint32_t flags, struct vm_address_region** out) {
  struct vm_address_region* v = NULL;
  zx_status_t s = vm_address_region_create_sub_vmar(parent, offset, size, align, flags, "v", &v);
  if (s == ZX_OK) {
    if (out) *out = v;
    vt_release(v);
  }
  return s;
}

static zx_status_t map(struct vm_address_region* parent, size_t offset, size_t size, uint8_t align,
                       uint32_t flags, struct vm_object* vmo, uint64_t vmo_offset, uint32_t mmu,
                       vaddr_t* out_base) {
  struct vm_mapping* m = NULL;
  vaddr_t base = 0;
  zx_status_t s = vm_address_region_create_vm_mapping(parent, offset, size, align, flags, vmo,
                                                      vmo_offset, mmu, "m", &m, &base);
  if (s == ZX_OK) {
    if (out_base) *out_base = base;
    vt_release(m);
  }
  return s;
}

// ---- creation errors ------------------------------------------------------------------------

static void vmar_create_sub_vmar_errors_in_order(void** state) {
  (void)state;
  struct fixture f = fx_make();
  struct vm_address_region *r_only = NULL, *no_spec = NULL, *dead = NULL;
  assert_ok(sub(f.root, 0, 16 * P, 0,
                VMAR_FLAG_SPECIFIC | VMAR_FLAG_CAN_MAP_READ | VMAR_FLAG_CAN_MAP_SPECIFIC, &r_only));
  assert_ok(sub(f.root, 16 * P, 16 * P, 0, VMAR_FLAG_SPECIFIC | VMAR_CAN_RWX_FLAGS, &no_spec));
  assert_ok(sub(f.root, 32 * P, 16 * P, 0, VMAR_FLAG_SPECIFIC | ALL_CAN, &dead));
  vm_address_region_or_mapping_acquire(&dead->common);
  assert_ok(vm_address_region_or_mapping_destroy(&dead->common));

  // Unaligned size, then unknown flags: before anything else (even before the state).
  assert_status(ZX_ERR_INVALID_ARGS, sub(dead, 0, P + 1, 0, 0, NULL));
  assert_status(ZX_ERR_INVALID_ARGS, sub(dead, 0, P, 0, VMAR_FLAG_SPECIFIC_OVERWRITE, NULL));
  assert_status(ZX_ERR_INVALID_ARGS, sub(dead, 0, P, 0, VMAR_FLAG_ALLOW_FAULTS, NULL));
  // Then the state, before size 0.
  assert_status(ZX_ERR_BAD_STATE, sub(dead, 0, 0, 0, 0, NULL));
  assert_status(ZX_ERR_INVALID_ARGS, sub(r_only, 0, 0, 0, 0, NULL));
  // Ceiling before the offset rules.
  assert_status(
      ZX_ERR_ACCESS_DENIED,
      sub(r_only, 3, P, 0,
          VMAR_FLAG_CAN_MAP_WRITE | VMAR_FLAG_SPECIFIC | VMAR_FLAG_OFFSET_IS_UPPER_LIMIT, NULL));
  assert_status(ZX_ERR_INVALID_ARGS,
                sub(r_only, P, P, 0, VMAR_FLAG_SPECIFIC | VMAR_FLAG_OFFSET_IS_UPPER_LIMIT, NULL));
  assert_status(ZX_ERR_INVALID_ARGS, sub(r_only, P, P, 0, 0, NULL));  // offset without SPECIFIC
  assert_status(ZX_ERR_INVALID_ARGS, sub(r_only, 3, P, 0, VMAR_FLAG_SPECIFIC, NULL));
  assert_status(ZX_ERR_ACCESS_DENIED, sub(no_spec, P, P, 0, VMAR_FLAG_SPECIFIC, NULL));
  assert_status(ZX_ERR_ACCESS_DENIED,
                sub(no_spec, 4 * P, P, 0, VMAR_FLAG_OFFSET_IS_UPPER_LIMIT, NULL));
  // Ranges.
  assert_status(ZX_ERR_INVALID_ARGS, sub(r_only, 16 * P, P, 0, VMAR_FLAG_SPECIFIC, NULL));
  assert_status(ZX_ERR_INVALID_ARGS, sub(r_only, 15 * P, 2 * P, 0, VMAR_FLAG_SPECIFIC, NULL));
  assert_status(ZX_ERR_INVALID_ARGS, sub(r_only, 0, 17 * P, 0, 0, NULL));
  assert_status(ZX_ERR_INVALID_ARGS,
                sub(r_only, 17 * P, P, 0, VMAR_FLAG_OFFSET_IS_UPPER_LIMIT, NULL));
  assert_status(ZX_ERR_INVALID_ARGS,
                sub(r_only, 2 * P, 3 * P, 0, VMAR_FLAG_OFFSET_IS_UPPER_LIMIT, NULL));
  // SPECIFIC misaligned for the requested alignment.
  assert_status(ZX_ERR_INVALID_ARGS, sub(r_only, P, P, 13, VMAR_FLAG_SPECIFIC, NULL));
  assert_ok(sub(r_only, 2 * P, P, 13, VMAR_FLAG_SPECIFIC, NULL));
  // Occupied.
  assert_status(ZX_ERR_ALREADY_EXISTS, sub(r_only, 2 * P, P, 0, VMAR_FLAG_SPECIFIC, NULL));
  assert_status(ZX_ERR_ALREADY_EXISTS, sub(f.root, 0, 64 * P, 0, VMAR_FLAG_SPECIFIC, NULL));
  // Whole remaining range, ending exactly at the parent's end.
  assert_ok(sub(r_only, 3 * P, 13 * P, 0, VMAR_FLAG_SPECIFIC, NULL));
  vt_release(dead);
  fx_free(&f);
}

static void vmar_create_mapping_errors_in_order(void** state) {
  (void)state;
  struct fixture f = fx_make();
  struct vm_address_region *r_only = NULL, *dead = NULL;
  assert_ok(sub(f.root, 0, 16 * P, 0,
                VMAR_FLAG_SPECIFIC | VMAR_FLAG_CAN_MAP_READ | VMAR_FLAG_CAN_MAP_SPECIFIC, &r_only));
  assert_ok(sub(f.root, 32 * P, 16 * P, 0, VMAR_FLAG_SPECIFIC | ALL_CAN, &dead));
  vm_address_region_or_mapping_acquire(&dead->common);
  assert_ok(vm_address_region_or_mapping_destroy(&dead->common));
  struct vm_object* resizable = vt_vmo(4 * P, VM_OBJECT_PAGED_RESIZABLE);

  assert_status(ZX_ERR_INVALID_ARGS, map(dead, 0, P, 0, VMAR_FLAG_COMPACT, f.vmo, 0, VT_PERM_R, 0));
  assert_status(ZX_ERR_INVALID_ARGS,
                map(dead, 0, P, 0, VMAR_FLAG_CAN_MAP_SPECIFIC, f.vmo, 0, VT_PERM_R, 0));
  assert_status(ZX_ERR_INVALID_ARGS, map(dead, 0, P, 0, 0, f.vmo, 0, VT_PERM_R | 0x40, 0));
  assert_status(ZX_ERR_ACCESS_DENIED, map(r_only, 0, P, 0, 0, f.vmo, 3, VT_PERM_RW, 0));
  assert_status(ZX_ERR_ACCESS_DENIED, map(r_only, 0, P, 0, 0, f.vmo, 3, VT_PERM_RX, 0));
  assert_status(ZX_ERR_INVALID_ARGS, map(r_only, 0, P, 0, 0, f.vmo, 3, VT_PERM_R, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE, map(r_only, 0, SIZE_MAX, 0, 0, f.vmo, 0, VT_PERM_R, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                map(r_only, 0, 2 * P, 0, 0, f.vmo, UINT64_MAX - P + 1, VT_PERM_R, 0));
  assert_status(ZX_ERR_NOT_SUPPORTED,
                map(r_only, 0, P, 0, VMAR_FLAG_REQUIRE_NON_RESIZABLE, resizable, 0, VT_PERM_R, 0));
  assert_status(ZX_ERR_BAD_STATE, map(dead, 0, P, 0, 0, f.vmo, 0, VT_PERM_R, 0));
  assert_status(ZX_ERR_INVALID_ARGS, map(r_only, 0, 0, 0, 0, f.vmo, 0, VT_PERM_R, 0));
  // An explicit ceiling beyond the VMAR's is refused even if the permissions are not.
  assert_status(ZX_ERR_ACCESS_DENIED,
                map(r_only, 0, P, 0, VMAR_FLAG_CAN_MAP_WRITE, f.vmo, 0, VT_PERM_R, 0));
  assert_status(ZX_ERR_ALREADY_EXISTS,
                map(f.root, 0, P, 0, VMAR_FLAG_SPECIFIC, f.vmo, 0, VT_PERM_R, 0));
  // Success cases: size rounded up; ceiling = requested permissions (+ explicit CAN_MAP_*).
  vaddr_t base = 0;
  assert_ok(map(r_only, 0, 1, 0, 0, f.vmo, 0, VT_PERM_R, &base));
  struct vm_mapping* m = vt_mapping_at(f.as, base);
  assert_non_null(m);
  assert_int_equal(vm_mapping_size(m), P);
  assert_int_equal(m->common.flags & VMAR_CAN_RWX_FLAGS, VMAR_FLAG_CAN_MAP_READ);
  assert_ok(map(f.root, 20 * P, P, 0, VMAR_FLAG_SPECIFIC | VMAR_FLAG_CAN_MAP_EXECUTE, f.vmo, P,
                VT_PERM_RW, &base));
  m = vt_mapping_at(f.as, base);
  assert_int_equal(m->common.flags & VMAR_CAN_RWX_FLAGS, VMAR_CAN_RWX_FLAGS);
  assert_int_equal(m->object_offset, P);
  assert_int_equal(m->common.flags & (VMAR_FLAG_SPECIFIC | VMAR_FLAG_SPECIFIC_OVERWRITE), 0);
  // REQUIRE_NON_RESIZABLE with a fixed-size VMO and ALLOW_FAULTS are accepted.
  assert_ok(map(f.root, 21 * P, P, 0,
                VMAR_FLAG_SPECIFIC | VMAR_FLAG_REQUIRE_NON_RESIZABLE | VMAR_FLAG_ALLOW_FAULTS,
                f.vmo, 0, VT_PERM_R, NULL));
  vt_release(dead);
  vm_object_release(resizable);
  fx_free(&f);
}

// ---- placement ------------------------------------------------------------------------------

static void vmar_placement_first_fit_without_aslr(void** state) {
  (void)state;
  struct fixture f = fx_make();
  vaddr_t b[4] = {0};
  for (int i = 0; i < 4; i++) {
    assert_ok(map(f.root, 0, 3 * P, 0, 0, f.vmo, 0, VT_PERM_R, &b[i]));
    assert_int_equal(b[i], SMALL_BASE + (vaddr_t)i * 3 * P);
  }
  // A hole is reused by the next allocation that fits.
  assert_ok(vm_address_region_unmap(f.root, b[1], 3 * P, VM_OP_CHILDREN_NO, false));
  vaddr_t again = 0;
  assert_ok(map(f.root, 0, 2 * P, 0, 0, f.vmo, 0, VT_PERM_R, &again));
  assert_int_equal(again, b[1]);
  assert_ok(map(f.root, 0, 2 * P, 0, 0, f.vmo, 0, VT_PERM_R, &again));
  assert_int_equal(again, b[3] + 3 * P);
  fx_free(&f);
}

static void vmar_placement_alignment_all_powers(void** state) {
  (void)state;
  struct vm_aspace* as = vt_aspace(0, 0, 0, 0);
  struct vm_address_region* root = vm_aspace_root_vmar(as);
  struct vm_object* vmo = vt_vmo(P, 0);
  for (uint8_t a = 10; a <= 32; a++) {
    vaddr_t base = 0;
    struct vm_address_region* v = NULL;
    assert_ok(sub(root, 0, P, a, 0, &v));
    base = vm_region_base(&v->common);
    uint8_t eff = a < 12 ? 12 : a;
    assert_int_equal(base & (((vaddr_t)1 << eff) - 1), 0);
    assert_ok(map(root, 0, P, a, 0, vmo, 0, VT_PERM_R, &base));
    assert_int_equal(base & (((vaddr_t)1 << eff) - 1), 0);
  }
  vm_aspace_check(as);
  vt_release(root);
  vt_aspace_free(as);
  vm_object_release(vmo);
}

static void vmar_placement_no_resources_when_full(void** state) {
  (void)state;
  struct fixture f = fx_make();
  struct vm_address_region* v = NULL;
  assert_ok(sub(f.root, 0, 4 * P, 0, VMAR_FLAG_SPECIFIC | ALL_CAN, &v));
  vaddr_t b[4] = {0};
  for (int i = 0; i < 4; i++) assert_ok(map(v, 0, P, 0, 0, f.vmo, 0, VT_PERM_R, &b[i]));
  assert_status(ZX_ERR_NO_RESOURCES, map(v, 0, P, 0, 0, f.vmo, 0, VT_PERM_R, NULL));
  assert_ok(vm_address_region_unmap(v, b[0], P, VM_OP_CHILDREN_NO, false));
  assert_ok(vm_address_region_unmap(v, b[2], P, VM_OP_CHILDREN_NO, false));
  // Two free pages, but no two adjacent ones.
  assert_status(ZX_ERR_NO_RESOURCES, map(v, 0, 2 * P, 0, 0, f.vmo, 0, VT_PERM_R, NULL));
  assert_status(ZX_ERR_NO_RESOURCES, sub(v, 0, 2 * P, 0, 0, NULL));
  assert_ok(map(v, 0, P, 0, 0, f.vmo, 0, VT_PERM_R, NULL));
  fx_free(&f);
}

static void vmar_placement_upper_limit(void** state) {
  (void)state;
  struct fixture f = fx_make();
  struct vm_address_region* v = NULL;
  assert_ok(sub(f.root, 0, 32 * P, 0, VMAR_FLAG_SPECIFIC | ALL_CAN, &v));
  vaddr_t vb = vm_region_base(&v->common);
  for (int i = 0; i < 4; i++) {
    vaddr_t base = 0;
    assert_ok(
        map(v, 8 * P, 2 * P, 0, VMAR_FLAG_OFFSET_IS_UPPER_LIMIT, f.vmo, 4 * P, VT_PERM_R, &base));
    assert_true(base >= vb && base + 2 * P <= vb + 8 * P);
    // The supplied VMO offset is honoured.
    assert_int_equal(vt_mapping_at(f.as, base)->object_offset, 4 * P);
  }
  assert_status(ZX_ERR_NO_RESOURCES,
                map(v, 8 * P, P, 0, VMAR_FLAG_OFFSET_IS_UPPER_LIMIT, f.vmo, 0, VT_PERM_R, NULL));
  // Room remains above the limit.
  assert_ok(map(v, 0, P, 0, 0, f.vmo, 0, VT_PERM_R, NULL));
  assert_status(ZX_ERR_NO_RESOURCES,
                sub(v, 12 * P, 4 * P, 0, VMAR_FLAG_OFFSET_IS_UPPER_LIMIT, NULL));
  assert_ok(sub(v, 13 * P, 4 * P, 0, VMAR_FLAG_OFFSET_IS_UPPER_LIMIT, NULL));
  fx_free(&f);
}

static void vmar_placement_aslr_random_in_range_uniform(void** state) {
  (void)state;
  enum { SLOTS = 64, ROUNDS = 4096 };
  struct vm_aspace* as = vt_aspace(SMALL_BASE, SMALL_SIZE, 30, 12345);
  struct vm_address_region* root = vm_aspace_root_vmar(as);
  struct vm_object* vmo = vt_vmo(P, 0);
  struct vm_address_region* v = NULL;
  assert_ok(sub(root, 0, SLOTS * P, 0, VMAR_FLAG_SPECIFIC | ALL_CAN, &v));
  vaddr_t vb = vm_region_base(&v->common);
  unsigned hist[SLOTS] = {0};
  for (int i = 0; i < ROUNDS; i++) {
    vaddr_t base = 0;
    assert_ok(map(v, 0, P, 0, 0, vmo, 0, VT_PERM_R, &base));
    assert_true(base >= vb && base < vb + SLOTS * P);
    assert_int_equal(base & PAGE_MASK, 0);
    hist[(base - vb) / P]++;
    assert_ok(vm_address_region_unmap(v, base, P, VM_OP_CHILDREN_NO, false));
  }
  // Uniform: each slot expects 64; a fair generator stays well within [16, 160].
  for (int i = 0; i < SLOTS; i++) {
    assert_true(hist[i] >= 16);
    assert_true(hist[i] <= 160);
  }
  // Aligned random placement over the big root: distinct, aligned spots.
  vaddr_t prev = 0;
  int distinct = 0;
  for (int i = 0; i < 16; i++) {
    vaddr_t base = 0;
    assert_ok(map(root, 0, P, 16, 0, vmo, 0, VT_PERM_R, &base));
    assert_int_equal(base & 0xffff, 0);
    assert_true(base >= SMALL_BASE && base + P <= SMALL_BASE + SMALL_SIZE);
    distinct += base != prev;
    prev = base;
  }
  assert_true(distinct >= 15);
  // COMPACT: compact entropy (0) means first fit even with ASLR on.
  struct vm_address_region* c = NULL;
  assert_ok(sub(root, 0, 16 * P, 0, VMAR_FLAG_COMPACT | ALL_CAN, &c));
  vaddr_t cb = vm_region_base(&c->common);
  for (int i = 0; i < 4; i++) {
    vaddr_t base = 0;
    assert_ok(map(c, 0, P, 0, 0, vmo, 0, VT_PERM_R, &base));
    assert_int_equal(base, cb + (vaddr_t)i * P);
  }
  vt_release(root);
  vt_aspace_free(as);
  vm_object_release(vmo);
}

static void vmar_aspace_create_invalid(void** state) {
  (void)state;
  struct vm_aspace_config cfg;
  memset(&cfg, 0, sizeof(cfg));
  struct vm_aspace* as = NULL;
  cfg.aslr_enabled = true;
  cfg.aslr_entropy_bits = 37;
  assert_status(ZX_ERR_INVALID_ARGS, vm_aspace_create(&cfg, "x", &as));
  cfg.aslr_entropy_bits = 0;
  cfg.base = 0x1001;
  assert_status(ZX_ERR_INVALID_ARGS, vm_aspace_create(&cfg, "x", &as));
  cfg.base = 1ull << 47;
  cfg.size = 1ull << 30;
  assert_status(ZX_ERR_INVALID_ARGS, vm_aspace_create(&cfg, "x", &as));
  assert_ok(vm_aspace_create(NULL, "default", &as));
  assert_int_equal(as->base, USER_ASPACE_BASE);
  assert_int_equal(as->size, USER_ASPACE_SIZE);
  struct vm_address_region* root = vm_aspace_root_vmar(as);
  assert_int_equal(root->common.flags, ALL_CAN);
  vt_release(root);
  vt_aspace_free(as);
}

// ---- overwrite ------------------------------------------------------------------------------

static void vmar_specific_overwrite_cuts_mappings(void** state) {
  (void)state;
  struct fixture f = fx_make();
  vaddr_t b = SMALL_BASE;
  vt_map_at(f.root, 0, 4 * P, f.vmo, 0, VT_PERM_RW);
  vt_map_at(f.root, 4 * P, 4 * P, f.vmo, 4 * P, VT_PERM_RW);
  vt_map_at(f.root, 8 * P, 4 * P, f.vmo, 8 * P, VT_PERM_RW);
  struct vm_object* other = vt_vmo(8 * P, 0);
  vaddr_t base = 0;
  assert_status(ZX_ERR_ALREADY_EXISTS,
                map(f.root, 2 * P, 8 * P, 0, VMAR_FLAG_SPECIFIC, other, 0, VT_PERM_R, &base));
  assert_ok(map(f.root, 2 * P, 8 * P, 0, VMAR_FLAG_SPECIFIC_OVERWRITE, other, 0, VT_PERM_R, &base));
  assert_int_equal(base, b + 2 * P);
  struct vm_mapping* left = vt_mapping_at(f.as, b);
  struct vm_mapping* mid = vt_mapping_at(f.as, b + 5 * P);
  struct vm_mapping* right = vt_mapping_at(f.as, b + 11 * P);
  assert_int_equal(vm_mapping_base(left), b);
  assert_int_equal(vm_mapping_size(left), 2 * P);
  assert_ptr_equal(mid->object, other);
  assert_int_equal(vm_mapping_base(mid), b + 2 * P);
  assert_int_equal(vm_mapping_size(mid), 8 * P);
  assert_int_equal(vm_mapping_base(right), b + 10 * P);
  assert_int_equal(right->object_offset, 10 * P);
  // Crossing a sub-VMAR: refused, nothing changed.
  vt_sub_vmar(f.root, 14 * P, 2 * P, ALL_CAN);
  assert_status(ZX_ERR_INVALID_ARGS, map(f.root, 10 * P, 6 * P, 0, VMAR_FLAG_SPECIFIC_OVERWRITE,
                                         other, 0, VT_PERM_R, NULL));
  assert_ptr_equal(vt_mapping_at(f.as, b + 11 * P), right);
  // Over nothing it is plain SPECIFIC.
  assert_ok(map(f.root, 20 * P, P, 0, VMAR_FLAG_SPECIFIC_OVERWRITE, other, 0, VT_PERM_R, &base));
  assert_int_equal(base, b + 20 * P);
  vm_aspace_check(f.as);
  vm_object_release(other);
  fx_free(&f);
}

// ---- unmap ----------------------------------------------------------------------------------

static void fill_pattern(struct vm_aspace* as, vaddr_t base, size_t pages) {
  for (size_t i = 0; i < pages; i++) {
    uint64_t v = base + i * P;
    assert_ok(vt_write(as, base + i * P, &v, sizeof(v)));
  }
}

static void expect_pattern(struct vm_aspace* as, vaddr_t base, size_t pages) {
  for (size_t i = 0; i < pages; i++) {
    uint64_t v = 0;
    assert_ok(vt_read(as, base + i * P, &v, sizeof(v)));
    assert_int_equal(v, base + i * P);
  }
}

static void vmar_unmap_whole_and_partial(void** state) {
  (void)state;
  struct fixture f = fx_make();
  vaddr_t b = SMALL_BASE;
  vt_map_at(f.root, 0, 16 * P, f.vmo, 0, VT_PERM_RW);
  fill_pattern(f.as, b, 16);
  // Left cut, right cut, middle cut.
  assert_ok(vm_address_region_unmap(f.root, b, 2 * P, VM_OP_CHILDREN_NO, false));
  assert_ok(vm_address_region_unmap(f.root, b + 14 * P, 2 * P, VM_OP_CHILDREN_NO, false));
  assert_ok(vm_address_region_unmap(f.root, b + 6 * P, 3 * P, VM_OP_CHILDREN_NO, false));
  vm_aspace_check(f.as);
  assert_int_equal(vm_address_region_child_count(f.root), 2);
  struct vm_mapping* l = vt_mapping_at(f.as, b + 2 * P);
  struct vm_mapping* r = vt_mapping_at(f.as, b + 9 * P);
  assert_int_equal(vm_mapping_base(l), b + 2 * P);
  assert_int_equal(vm_mapping_size(l), 4 * P);
  assert_int_equal(l->object_offset, 2 * P);
  assert_int_equal(vm_mapping_base(r), b + 9 * P);
  assert_int_equal(vm_mapping_size(r), 5 * P);
  assert_int_equal(r->object_offset, 9 * P);
  uint64_t v;
  assert_status(ZX_ERR_NOT_FOUND, vt_read(f.as, b, &v, 8));
  assert_status(ZX_ERR_NOT_FOUND, vt_read(f.as, b + 7 * P, &v, 8));
  assert_status(ZX_ERR_NOT_FOUND, vt_read(f.as, b + 15 * P, &v, 8));
  expect_pattern(f.as, b + 2 * P, 4);
  expect_pattern(f.as, b + 9 * P, 5);
  // Whole mapping; unaligned size rounds up.
  assert_ok(vm_address_region_unmap(f.root, b + 2 * P, 4 * P - 100, VM_OP_CHILDREN_NO, false));
  assert_null(vt_mapping_at(f.as, b + 2 * P));
  // Argument errors.
  assert_status(ZX_ERR_INVALID_ARGS, vm_address_region_unmap(f.root, b, 0, VM_OP_CHILDREN_NO, 0));
  assert_status(ZX_ERR_INVALID_ARGS,
                vm_address_region_unmap(f.root, b + 1, P, VM_OP_CHILDREN_NO, false));
  assert_status(ZX_ERR_INVALID_ARGS,
                vm_address_region_unmap(f.root, b - P, 2 * P, VM_OP_CHILDREN_NO, false));
  assert_status(ZX_ERR_INVALID_ARGS,
                vm_address_region_unmap(f.root, b, SIZE_MAX, VM_OP_CHILDREN_NO, false));
  fx_free(&f);
}

static void vmar_unmap_across_mappings_and_gaps(void** state) {
  (void)state;
  struct fixture f = fx_make();
  vaddr_t b = SMALL_BASE;
  vt_map_at(f.root, 0, 4 * P, f.vmo, 0, VT_PERM_RW);
  vt_map_at(f.root, 6 * P, 2 * P, f.vmo, 0, VT_PERM_RW);
  vt_map_at(f.root, 10 * P, 4 * P, f.vmo, 0, VT_PERM_RW);
  fill_pattern(f.as, b, 4);
  assert_ok(vm_address_region_unmap(f.root, b + 2 * P, 10 * P, VM_OP_CHILDREN_NO, false));
  vm_aspace_check(f.as);
  assert_int_equal(vm_address_region_child_count(f.root), 2);
  assert_int_equal(vm_mapping_size(vt_mapping_at(f.as, b)), 2 * P);
  assert_int_equal(vm_mapping_base(vt_mapping_at(f.as, b + 13 * P)), b + 12 * P);
  expect_pattern(f.as, b, 2);
  // An empty range is fine.
  assert_ok(vm_address_region_unmap(f.root, b + 30 * P, P, VM_OP_CHILDREN_NO, false));
  fx_free(&f);
}

static void vmar_unmap_sub_vmar_rules(void** state) {
  (void)state;
  struct fixture f = fx_make();
  vaddr_t b = SMALL_BASE;
  struct vm_address_region* v = vt_sub_vmar(f.root, 4 * P, 8 * P, ALL_CAN);
  vm_address_region_or_mapping_acquire(&v->common);
  vt_map_at(f.root, 0, 4 * P, f.vmo, 0, VT_PERM_RW);
  vt_map_at(v, 2 * P, 4 * P, f.vmo, 0, VT_PERM_RW);
  // Partly covered sub-VMAR: refused whatever op_children, and nothing changed (the mapping
  // before it stays whole).
  assert_status(ZX_ERR_INVALID_ARGS,
                vm_address_region_unmap(f.root, b, 8 * P, VM_OP_CHILDREN_YES, false));
  assert_int_equal(vm_mapping_size(vt_mapping_at(f.as, b)), 4 * P);
  // Fully covered but no op_children right.
  assert_status(ZX_ERR_INVALID_ARGS,
                vm_address_region_unmap(f.root, b, 12 * P, VM_OP_CHILDREN_NO, false));
  assert_int_equal(vm_mapping_size(vt_mapping_at(f.as, b)), 4 * P);
  // allow_partial descends and cuts inside, keeping the sub-VMAR.
  assert_ok(vm_address_region_unmap(f.root, b + 2 * P, 5 * P, VM_OP_CHILDREN_NO, true));
  assert_int_equal(v->common.state, VM_LIFECYCLE_ALIVE);
  assert_int_equal(vm_mapping_size(vt_mapping_at(f.as, b)), 2 * P);
  struct vm_mapping* inner = vt_mapping_at(f.as, b + 7 * P);
  assert_non_null(inner);
  assert_int_equal(vm_mapping_base(inner), b + 7 * P);
  assert_int_equal(vm_mapping_size(inner), 3 * P);
  vm_aspace_check(f.as);
  // Fully covered with op_children: destroyed.
  assert_ok(vm_address_region_unmap(f.root, b, 12 * P, VM_OP_CHILDREN_YES, false));
  assert_int_equal(v->common.state, VM_LIFECYCLE_DEAD);
  assert_int_equal(vm_address_region_child_count(f.root), 0);
  // Through a dead VMAR.
  assert_status(ZX_ERR_BAD_STATE, vm_address_region_unmap(v, b + 4 * P, P, VM_OP_CHILDREN_NO, 0));
  vt_release(v);
  fx_free(&f);
}

// ---- protect --------------------------------------------------------------------------------

static void vmar_protect_across_mappings(void** state) {
  (void)state;
  struct fixture f = fx_make();
  vaddr_t b = SMALL_BASE;
  for (int i = 0; i < 3; i++) vt_map_at(f.root, (size_t)i * 4 * P, 4 * P, f.vmo, 0, VT_PERM_RW);
  fill_pattern(f.as, b, 12);
  assert_ok(vm_address_region_protect(f.root, b + 2 * P, 8 * P, VT_PERM_R, VM_OP_CHILDREN_NO));
  vm_aspace_check(f.as);
  for (int i = 0; i < 12; i++) {
    uint32_t want = (i >= 2 && i < 10) ? VT_PERM_R : VT_PERM_RW;
    assert_int_equal(vt_prot_at(f.as, b + (vaddr_t)i * P), want);
    uint64_t v = 7;
    assert_status(want == VT_PERM_R ? ZX_ERR_ACCESS_DENIED : ZX_OK,
                  vt_write(f.as, b + (vaddr_t)i * P + 8, &v, 8));
  }
  // Back to RW (within the ceiling): writes work again, through a fault.
  assert_ok(vm_address_region_protect(f.root, b, 12 * P, VT_PERM_RW, VM_OP_CHILDREN_NO));
  uint64_t v = 9;
  assert_ok(vt_write(f.as, b + 5 * P + 8, &v, 8));
  // Errors.
  assert_status(ZX_ERR_INVALID_ARGS,
                vm_address_region_protect(f.root, b, 0, VT_PERM_R, VM_OP_CHILDREN_NO));
  assert_status(ZX_ERR_INVALID_ARGS,
                vm_address_region_protect(f.root, b + 8, P, VT_PERM_R, VM_OP_CHILDREN_NO));
  assert_status(ZX_ERR_INVALID_ARGS,
                vm_address_region_protect(f.root, b - P, P, VT_PERM_R, VM_OP_CHILDREN_NO));
  assert_status(ZX_ERR_INVALID_ARGS,
                vm_address_region_protect(f.root, b, P, VT_PERM_R | 1, VM_OP_CHILDREN_NO));
  fx_free(&f);
}

static void expect_prots(struct vm_aspace* as, vaddr_t b, const uint32_t* want, int pages) {
  for (int i = 0; i < pages; i++) assert_int_equal(vt_prot_at(as, b + (vaddr_t)i * P), want[i]);
}

static void vmar_protect_failures_change_nothing(void** state) {
  (void)state;
  struct fixture f = fx_make();
  vaddr_t b = SMALL_BASE;
  vt_map_at(f.root, 0, 2 * P, f.vmo, 0, VT_PERM_RW);
  vt_map_at(f.root, 2 * P, 2 * P, f.vmo, 0, VT_PERM_R);  // ceiling R
  vt_map_at(f.root, 5 * P, 2 * P, f.vmo, 0, VT_PERM_RW);
  assert_ok(vm_address_region_protect(f.root, b, P, VT_PERM_R, VM_OP_CHILDREN_NO));
  const uint32_t want[] = {VT_PERM_R,     VT_PERM_RW, VT_PERM_R, VT_PERM_R,
                           VT_NO_MAPPING, VT_PERM_RW, VT_PERM_RW};
  // Ceiling: the first mapping would be raised first, but nothing may change.
  assert_status(ZX_ERR_ACCESS_DENIED,
                vm_address_region_protect(f.root, b, 4 * P, VT_PERM_RW, VM_OP_CHILDREN_NO));
  expect_prots(f.as, b, want, 7);
  assert_status(ZX_ERR_ACCESS_DENIED,
                vm_address_region_protect(f.root, b, 2 * P, VT_PERM_RWX, VM_OP_CHILDREN_NO));
  expect_prots(f.as, b, want, 7);
  // Hole: nothing changes either.
  assert_status(ZX_ERR_NOT_FOUND,
                vm_address_region_protect(f.root, b, 7 * P, VT_PERM_R, VM_OP_CHILDREN_NO));
  expect_prots(f.as, b, want, 7);
  assert_status(ZX_ERR_NOT_FOUND,
                vm_address_region_protect(f.root, b + 5 * P, 3 * P, VT_PERM_R, VM_OP_CHILDREN_NO));
  assert_status(ZX_ERR_NOT_FOUND,
                vm_address_region_protect(f.root, b + 8 * P, P, VT_PERM_R, VM_OP_CHILDREN_NO));
  expect_prots(f.as, b, want, 7);
  fx_free(&f);
}

static void vmar_protect_through_sub_vmars(void** state) {
  (void)state;
  struct fixture f = fx_make();
  vaddr_t b = SMALL_BASE;
  struct vm_address_region* v = vt_sub_vmar(f.root, 2 * P, 4 * P, ALL_CAN);
  vt_map_at(f.root, 0, 2 * P, f.vmo, 0, VT_PERM_RW);
  vt_map_at(v, 0, 4 * P, f.vmo, 0, VT_PERM_RW);
  assert_status(ZX_ERR_INVALID_ARGS,
                vm_address_region_protect(f.root, b, 6 * P, VT_PERM_R, VM_OP_CHILDREN_NO));
  assert_int_equal(vt_prot_at(f.as, b), VT_PERM_RW);
  assert_ok(vm_address_region_protect(f.root, b + P, 3 * P, VT_PERM_R, VM_OP_CHILDREN_YES));
  assert_int_equal(vt_prot_at(f.as, b), VT_PERM_RW);
  assert_int_equal(vt_prot_at(f.as, b + P), VT_PERM_R);
  assert_int_equal(vt_prot_at(f.as, b + 3 * P), VT_PERM_R);
  assert_int_equal(vt_prot_at(f.as, b + 4 * P), VT_PERM_RW);
  // Raising through the parent is refused even within the ceiling; directly it is fine.
  assert_status(ZX_ERR_ACCESS_DENIED, vm_address_region_protect(f.root, b + 2 * P, 2 * P,
                                                                VT_PERM_RW, VM_OP_CHILDREN_YES));
  assert_int_equal(vt_prot_at(f.as, b + 2 * P), VT_PERM_R);
  assert_ok(vm_address_region_protect(v, b + 2 * P, 2 * P, VT_PERM_RW, VM_OP_CHILDREN_NO));
  assert_int_equal(vt_prot_at(f.as, b + 2 * P), VT_PERM_RW);
  // A hole inside the sub-VMAR is a hole.
  assert_ok(vm_address_region_unmap(v, b + 5 * P, P, VM_OP_CHILDREN_NO, false));
  assert_status(ZX_ERR_NOT_FOUND,
                vm_address_region_protect(f.root, b, 6 * P, VT_PERM_R, VM_OP_CHILDREN_YES));
  assert_int_equal(vt_prot_at(f.as, b), VT_PERM_RW);
  vm_aspace_check(f.as);
  fx_free(&f);
}

// ---- range_op -------------------------------------------------------------------------------

static uint64_t committed(struct vm_object* vmo) {
  struct vm_object_paged_stats s;
  vm_object_paged_get_stats(vt_paged(vmo), &s);
  return s.committed_bytes;
}

static uint64_t present(struct vm_aspace* as) {
  struct arch_aspace_counts c;
  arch_aspace_get_counts(as->arch, &c);
  return c.present_entries;
}

static void vmar_range_op_statuses_and_effects(void** state) {
  (void)state;
  struct fixture f = fx_make();
  vaddr_t b = SMALL_BASE;
  struct vm_address_region* v = vt_sub_vmar(f.root, 8 * P, 4 * P, ALL_CAN);
  vt_map_at(f.root, 0, 4 * P, f.vmo, 0, VT_PERM_RW);
  vt_map_at(f.root, 4 * P, 2 * P, f.vmo, 4 * P, VT_PERM_R);
  vt_map_at(v, 0, 4 * P, f.vmo, 8 * P, VT_PERM_RW);
  char buf[8];
  const enum vm_op_children Y = VM_OP_CHILDREN_YES, N = VM_OP_CHILDREN_NO;
  assert_status(ZX_ERR_INVALID_ARGS,
                vm_address_region_range_op(f.root, ZX_VMAR_OP_COMMIT, b, P, Y, buf, 0));
  assert_status(ZX_ERR_INVALID_ARGS,
                vm_address_region_range_op(f.root, ZX_VMAR_OP_COMMIT, b, P, Y, NULL, 8));
  assert_status(ZX_ERR_INVALID_ARGS, vm_address_region_range_op(f.root, 4, b, P, Y, NULL, 0));
  assert_status(ZX_ERR_INVALID_ARGS,
                vm_address_region_range_op(f.root, ZX_VMAR_OP_COMMIT, b, 0, Y, NULL, 0));
  assert_status(ZX_ERR_INVALID_ARGS,
                vm_address_region_range_op(f.root, ZX_VMAR_OP_COMMIT, b + 1, P, Y, NULL, 0));
  assert_status(ZX_ERR_OUT_OF_RANGE,
                vm_address_region_range_op(f.root, ZX_VMAR_OP_COMMIT, b - P, P, Y, NULL, 0));
  assert_status(ZX_ERR_BAD_STATE,
                vm_address_region_range_op(f.root, ZX_VMAR_OP_MAP_RANGE, b, 7 * P, Y, NULL, 0));
  assert_status(ZX_ERR_ACCESS_DENIED,
                vm_address_region_range_op(f.root, ZX_VMAR_OP_COMMIT, b, 6 * P, Y, NULL, 0));
  assert_int_equal(committed(f.vmo), 0);  // validated before anything was done
  assert_status(ZX_ERR_ACCESS_DENIED,
                vm_address_region_range_op(f.root, ZX_VMAR_OP_ZERO, b + 4 * P, P, Y, NULL, 0));
  assert_status(ZX_ERR_INVALID_ARGS,
                vm_address_region_range_op(f.root, ZX_VMAR_OP_COMMIT, b + 8 * P, P, Y, NULL, 0));
  assert_status(ZX_ERR_INVALID_ARGS,
                vm_address_region_range_op(f.root, ZX_VMAR_OP_MAP_RANGE, b + 8 * P, P, N, NULL, 0));
  assert_ok(vm_address_region_range_op(f.root, ZX_VMAR_OP_MAP_RANGE, b + 8 * P, P, Y, NULL, 0));
  assert_ok(vm_address_region_range_op(f.root, ZX_VMAR_OP_PREFETCH, b + 4 * P, 2 * P, N, NULL, 0));
  assert_ok(vm_address_region_range_op(f.root, ZX_VMAR_OP_DONT_NEED, b, 6 * P, N, NULL, 0));
  // COMMIT commits and maps.
  assert_ok(vm_address_region_range_op(f.root, ZX_VMAR_OP_COMMIT, b, 4 * P, N, NULL, 0));
  assert_int_equal(committed(f.vmo), 4 * P);
  assert_int_equal(present(f.as), 4);
  vm_aspace_check(f.as);
  uint64_t x = 0x1234;
  assert_ok(vt_write(f.as, b + P, &x, 8));
  // The R mapping over VMO pages 4..5 can MAP_RANGE / ALWAYS_NEED (nothing committed there).
  assert_ok(
      vm_address_region_range_op(f.root, ZX_VMAR_OP_ALWAYS_NEED, b + 4 * P, 2 * P, N, NULL, 0));
  // ZERO clears the data; DECOMMIT frees the pages and unmaps them.
  assert_ok(vm_address_region_range_op(f.root, ZX_VMAR_OP_ZERO, b, 2 * P, N, NULL, 0));
  x = 1;
  assert_ok(vt_read(f.as, b + P, &x, 8));
  assert_int_equal(x, 0);
  assert_ok(vm_address_region_range_op(f.root, ZX_VMAR_OP_DECOMMIT, b, 4 * P, N, NULL, 0));
  assert_int_equal(committed(f.vmo), 0);
  vm_aspace_check(f.as);
  // Through a sub-VMAR, ZERO reaches with op_children.
  assert_ok(vm_address_region_range_op(f.root, ZX_VMAR_OP_ZERO, b + 8 * P, 4 * P, Y, NULL, 0));
  // Dead VMAR.
  vm_address_region_or_mapping_acquire(&v->common);
  assert_ok(vm_address_region_or_mapping_destroy(&v->common));
  assert_status(ZX_ERR_BAD_STATE,
                vm_address_region_range_op(v, ZX_VMAR_OP_MAP_RANGE, b + 8 * P, P, Y, NULL, 0));
  vt_release(v);
  fx_free(&f);
}

// ---- destroy and life cycle -----------------------------------------------------------------

static void vmar_destroy_deep_tree_iteratively(void** state) {
  (void)state;
  enum { DEPTH = 400 };
  struct fixture f = fx_make();
  struct arch_aspace_counts before;
  arch_aspace_get_counts(f.as->arch, &before);
  static struct vm_address_region* chain[DEPTH];
  static struct vm_mapping* maps[DEPTH];
  struct vm_address_region* cur = f.root;
  size_t size = (DEPTH + 1) * P;
  for (int i = 0; i < DEPTH; i++) {
    cur = vt_sub_vmar(cur, 0, size, ALL_CAN);
    vm_address_region_or_mapping_acquire(&cur->common);
    chain[i] = cur;
    size -= P;
    // One mapping in the last page of each level, faulted in.
    maps[i] = vt_map_at(cur, size, P, f.vmo, 0, VT_PERM_RW);
    vm_address_region_or_mapping_acquire(&maps[i]->common);
    uint64_t v = (uint64_t)i;
    assert_ok(vt_write(f.as, vm_mapping_base(maps[i]), &v, 8));
  }
  vm_aspace_check(f.as);
  assert_int_equal(present(f.as), DEPTH);
  // The deepest region containing the first page is the innermost VMAR.
  struct vm_address_region_or_mapping* deepest = vm_address_region_find_region(f.root, SMALL_BASE);
  assert_ptr_equal(deepest, &chain[DEPTH - 1]->common);
  vt_release(deepest);
  assert_ok(vm_address_region_or_mapping_destroy(&chain[0]->common));
  vm_aspace_check(f.as);
  assert_int_equal(vm_address_region_child_count(f.root), 0);
  for (int i = 0; i < DEPTH; i++) {
    assert_int_equal(chain[i]->common.state, VM_LIFECYCLE_DEAD);
    assert_null(chain[i]->common.parent);
    assert_int_equal(maps[i]->common.state, VM_LIFECYCLE_DEAD);
    assert_null(maps[i]->object);
    vt_release(chain[i]);
    vt_release(maps[i]);
  }
  struct arch_aspace_counts after;
  arch_aspace_get_counts(f.as->arch, &after);
  assert_int_equal(after.present_entries, 0);
  assert_int_equal(after.table_pages, before.table_pages);
  fx_free(&f);
}

static void vmar_lifecycle_dead_is_bad_state(void** state) {
  (void)state;
  struct fixture f = fx_make();
  struct vm_address_region* v = vt_sub_vmar(f.root, 0, 8 * P, ALL_CAN);
  struct vm_mapping* m = vt_map_at(v, 0, P, f.vmo, 0, VT_PERM_RW);
  vm_address_region_or_mapping_acquire(&v->common);
  vm_address_region_or_mapping_acquire(&m->common);
  assert_int_equal(v->common.state, VM_LIFECYCLE_ALIVE);
  assert_int_equal(m->common.state, VM_LIFECYCLE_ALIVE);
  assert_ok(vm_address_region_or_mapping_destroy(&m->common));
  assert_int_equal(m->common.state, VM_LIFECYCLE_DEAD);
  assert_status(ZX_ERR_BAD_STATE, vm_address_region_or_mapping_destroy(&m->common));
  assert_ok(vm_address_region_or_mapping_destroy(&v->common));
  assert_int_equal(v->common.state, VM_LIFECYCLE_DEAD);
  vaddr_t b = SMALL_BASE;
  struct vm_address_region* x = NULL;
  assert_status(ZX_ERR_BAD_STATE, vm_address_region_or_mapping_destroy(&v->common));
  assert_status(ZX_ERR_BAD_STATE, vm_address_region_create_sub_vmar(v, 0, P, 0, 0, "x", &x));
  assert_status(ZX_ERR_BAD_STATE, map(v, 0, P, 0, 0, f.vmo, 0, VT_PERM_R, NULL));
  assert_status(ZX_ERR_BAD_STATE, vm_address_region_unmap(v, b, P, VM_OP_CHILDREN_YES, true));
  assert_status(ZX_ERR_BAD_STATE,
                vm_address_region_protect(v, b, P, VT_PERM_R, VM_OP_CHILDREN_YES));
  assert_null(vm_address_region_find_region(v, b));
  struct vm_attribution_counts c = vm_address_region_get_attributed_memory(v);
  assert_int_equal(c.uncompressed_bytes, 0);
  vt_release(v);
  vt_release(m);
  assert_status(ZX_ERR_NOT_SUPPORTED, vm_address_region_or_mapping_destroy(&f.root->common));
  assert_int_equal(f.root->common.state, VM_LIFECYCLE_ALIVE);
  // Aspace destroy: idempotent; the root is gone afterwards.
  vt_release(f.root);
  assert_ok(vm_aspace_destroy(f.as));
  assert_ok(vm_aspace_destroy(f.as));
  assert_null(vm_aspace_root_vmar(f.as));
  uint64_t v64;
  assert_status(ZX_ERR_NOT_FOUND, vt_read(f.as, b, &v64, 8));
  vm_aspace_check(f.as);
  vm_aspace_release(f.as);
  vm_object_release(f.vmo);
}

// ---- attribution, dump, option decoding -----------------------------------------------------

static void vmar_attribution_sums_nested_mappings(void** state) {
  (void)state;
  struct fixture f = fx_make();
  struct vm_address_region* v = vt_sub_vmar(f.root, 8 * P, 16 * P, ALL_CAN);
  struct vm_address_region* w = vt_sub_vmar(v, 4 * P, 8 * P, ALL_CAN);
  vt_map_at(f.root, 0, 4 * P, f.vmo, 0, VT_PERM_RW);
  vt_map_at(w, 0, 4 * P, f.vmo, 16 * P, VT_PERM_RW);
  assert_ok(vm_object_paged_commit_range(vt_paged(f.vmo), 0, 2 * P));
  assert_ok(vm_object_paged_commit_range(vt_paged(f.vmo), 16 * P, 3 * P));
  assert_ok(vm_object_paged_commit_range(vt_paged(f.vmo), 30 * P, 3 * P));  // unmapped
  assert_int_equal(vm_address_region_get_attributed_memory(f.root).uncompressed_bytes, 5 * P);
  assert_int_equal(vm_address_region_get_attributed_memory(v).uncompressed_bytes, 3 * P);
  assert_int_equal(vm_address_region_get_attributed_memory(w).uncompressed_bytes, 3 * P);
  fx_free(&f);
}

struct capture {
  char buf[8192];
  size_t len;
};

static void capture_write(void* ctx, const char* text, size_t len) {
  struct capture* c = ctx;
  if (c->len + len >= sizeof(c->buf)) len = sizeof(c->buf) - 1 - c->len;
  memcpy(c->buf + c->len, text, len);
  c->len += len;
  c->buf[c->len] = '\0';
}

static void vmar_dump_format(void** state) {
  (void)state;
  struct fixture f = fx_make();
  struct vm_address_region* v = vt_sub_vmar(f.root, 8 * P, 16 * P, ALL_CAN);
  vt_map_at(v, 0, 4 * P, f.vmo, 0, VT_PERM_RW);
  static struct capture cap;
  cap.len = 0;
  struct printer out = {capture_write, &cap};
  vm_aspace_dump(f.as, false, &out);
  char want[128];
  snprintf(want, sizeof(want), "\n  vmar %p [%#" PRIxPTR " %#" PRIxPTR "] sz %#zx ref ",
           (void*)f.root, (vaddr_t)SMALL_BASE, (vaddr_t)(SMALL_BASE + SMALL_SIZE - 1), SMALL_SIZE);
  assert_non_null(strstr(cap.buf, want));
  assert_non_null(strstr(cap.buf, "'root' subregions 1 max_gap"));
  snprintf(want, sizeof(want), "\n    vmar %p [%#" PRIxPTR " %#" PRIxPTR "] sz %#zx", (void*)v,
           (vaddr_t)(SMALL_BASE + 8 * P), (vaddr_t)(SMALL_BASE + 24 * P - 1), (size_t)16 * P);
  assert_non_null(strstr(cap.buf, want));
  assert_non_null(strstr(cap.buf, "\n      map "));
  assert_int_equal(strncmp(cap.buf, "as ", 3), 0);
  fx_free(&f);
}

static void vm_parse_align_and_split_flags(void** state) {
  (void)state;
  uint8_t a = 99;
  assert_ok(vm_parse_align(0, &a));
  assert_int_equal(a, 0);
  for (uint32_t i = 1; i < 256; i++) {
    a = 99;
    zx_status_t s = vm_parse_align(i << ZX_VM_ALIGN_BASE | ZX_VM_PERM_READ, &a);
    if (i >= 10 && i <= 32) {
      assert_ok(s);
      assert_int_equal(a, i);
    } else {
      assert_status(ZX_ERR_INVALID_ARGS, s);
      assert_int_equal(a, 99);
    }
  }
  uint32_t vf, mf;
  bool mr;
  assert_ok(vm_split_syscall_flags(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC |
                                       ZX_VM_CAN_MAP_EXECUTE | ZX_VM_MAP_RANGE | ZX_VM_ALIGN_64KB,
                                   &vf, &mf, &a, &mr));
  assert_int_equal(mf, ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_WRITE);
  assert_int_equal(vf, VMAR_FLAG_SPECIFIC | VMAR_FLAG_CAN_MAP_EXECUTE);
  assert_int_equal(a, 16);
  assert_true(mr);
  assert_ok(vm_split_syscall_flags(ZX_VM_PERM_EXECUTE | ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED |
                                       ZX_VM_COMPACT | ZX_VM_OFFSET_IS_UPPER_LIMIT |
                                       ZX_VM_ALLOW_FAULTS | ZX_VM_REQUIRE_NON_RESIZABLE,
                                   &vf, &mf, &a, &mr));
  assert_int_equal(mf, ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_EXECUTE);
  assert_int_equal(vf, VMAR_FLAG_COMPACT | VMAR_FLAG_OFFSET_IS_UPPER_LIMIT |
                           VMAR_FLAG_ALLOW_FAULTS | VMAR_FLAG_REQUIRE_NON_RESIZABLE);
  assert_false(mr);
  assert_status(ZX_ERR_INVALID_ARGS, vm_split_syscall_flags(1u << 16, &vf, &mf, &a, &mr));
  assert_status(ZX_ERR_INVALID_ARGS, vm_split_syscall_flags(5u << 24, &vf, &mf, &a, &mr));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(vmar_create_sub_vmar_errors_in_order, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(vmar_create_mapping_errors_in_order, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(vmar_placement_first_fit_without_aslr, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(vmar_placement_alignment_all_powers, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(vmar_placement_no_resources_when_full, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(vmar_placement_upper_limit, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(vmar_placement_aslr_random_in_range_uniform, vt_setup,
                                      vt_teardown),
      cmocka_unit_test_setup_teardown(vmar_aspace_create_invalid, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(vmar_specific_overwrite_cuts_mappings, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(vmar_unmap_whole_and_partial, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(vmar_unmap_across_mappings_and_gaps, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(vmar_unmap_sub_vmar_rules, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(vmar_protect_across_mappings, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(vmar_protect_failures_change_nothing, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(vmar_protect_through_sub_vmars, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(vmar_range_op_statuses_and_effects, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(vmar_destroy_deep_tree_iteratively, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(vmar_lifecycle_dead_is_bad_state, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(vmar_attribution_sums_nested_mappings, vt_setup, vt_teardown),
      cmocka_unit_test_setup_teardown(vmar_dump_format, vt_setup, vt_teardown),
      cmocka_unit_test(vm_parse_align_and_split_flags),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
