// Object calls, black box: zx_object_get_info (every topic and version, buffer sizes, actual and
// avail), properties, signals and waits, ports, pagers, system and time calls, and zxvm's own API.
#include "zx_test_util.h"

static void info_handle_valid_and_basic(void** state) {
  zx_handle_t vmo = make_vmo(PAGE, 0);
  assert_ok(zx_object_get_info(vmo, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL));
  assert_status(ZX_ERR_BAD_HANDLE,
                zx_object_get_info(ZX_HANDLE_INVALID, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL));
  zx_info_handle_basic_t b;
  size_t actual = 9, avail = 9;
  assert_status(ZX_ERR_BUFFER_TOO_SMALL,
                zx_object_get_info(vmo, ZX_INFO_HANDLE_BASIC, &b, sizeof(b) - 1, &actual, &avail));
  assert_int_equal(0, actual);
  assert_int_equal(1, avail);
  assert_ok(zx_object_get_info(vmo, ZX_INFO_HANDLE_BASIC, &b, sizeof(b), &actual, &avail));
  assert_int_equal(1, actual);
  assert_int_equal(ZX_OBJ_TYPE_VMO, b.type);
  assert_int_equal(ZX_DEFAULT_VMO_RIGHTS, b.rights);
  assert_int_equal(0, b.related_koid);
  assert_ok(zx_object_get_info(zx_process_self(), ZX_INFO_HANDLE_BASIC, &b, sizeof(b), NULL, NULL));
  assert_int_equal(ZX_OBJ_TYPE_PROCESS, b.type);
  zx_info_handle_basic_t j;
  assert_ok(zx_object_get_info(zx_job_default(), ZX_INFO_HANDLE_BASIC, &j, sizeof(j), NULL, NULL));
  assert_int_equal(ZX_OBJ_TYPE_JOB, j.type);
  assert_int_equal(j.koid, b.related_koid);
  assert_status(ZX_ERR_NOT_SUPPORTED, zx_object_get_info(vmo, 0x7777, &b, sizeof(b), NULL, NULL));
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_object_get_info(vmo, ZX_INFO_HANDLE_BASIC, NULL, sizeof(b), NULL, NULL));
  // The buffer is looked at last, and only where a record would be copied (Fuchsia's copy-out):
  // HANDLE_VALID ignores it, type and rights fail first, a short NULL buffer is just too small.
  assert_ok(zx_object_get_info(vmo, ZX_INFO_HANDLE_VALID, NULL, 100, NULL, NULL));
  assert_status(ZX_ERR_WRONG_TYPE,
                zx_object_get_info(vmo, ZX_INFO_VMAR, NULL, sizeof(zx_info_vmar_t), NULL, NULL));
  assert_status(ZX_ERR_BUFFER_TOO_SMALL,
                zx_object_get_info(vmo, ZX_INFO_HANDLE_BASIC, NULL, 8, &actual, &avail));
  assert_int_equal(0, actual);
  assert_int_equal(1, avail);
  zx_handle_t proc, root;
  make_process(&proc, &root);
  assert_ok(zx_object_get_info(proc, ZX_INFO_PROCESS_MAPS, NULL, 8, &actual, &avail));
  assert_int_equal(0, actual);
  assert_int_equal(2, avail);  // the aspace and its root VMAR
  assert_status(ZX_ERR_INVALID_ARGS, zx_object_get_info(proc, ZX_INFO_PROCESS_MAPS, NULL,
                                                        sizeof(zx_info_maps_t), NULL, NULL));
  assert_status(ZX_ERR_INVALID_ARGS, zx_object_get_info(root, ZX_INFO_VMAR_MAPS, NULL,
                                                        sizeof(zx_info_maps_t), NULL, NULL));
  assert_status(ZX_ERR_INVALID_ARGS, zx_object_get_info(proc, ZX_INFO_PROCESS_VMOS, NULL,
                                                        sizeof(zx_info_vmo_t), NULL, NULL));
  zx_handle_t list[] = {vmo, proc, root};
  assert_ok(zx_handle_close_many(list, 3));
}

static void info_vmo_every_version(void** state) {
  zx_handle_t vmo = make_vmo(3 * PAGE, ZX_VMO_RESIZABLE);
  assert_ok(zx_object_set_property(vmo, ZX_PROP_NAME, "info-vmo", 8));
  assert_ok(zx_vmo_write(vmo, "x", PAGE, 1));
  zx_handle_t ro = dup_with(vmo, ZX_RIGHT_READ);
  zx_info_vmo_t cur;
  assert_ok(zx_object_get_info(ro, ZX_INFO_VMO, &cur, sizeof(cur), NULL, NULL));
  assert_string_equal("info-vmo", cur.name);
  assert_int_equal(3 * PAGE, cur.size_bytes);
  assert_int_equal(PAGE, cur.committed_bytes);
  assert_int_equal(PAGE, cur.populated_bytes);
  assert_int_equal(PAGE, cur.committed_private_bytes);
  assert_int_equal(ZX_RIGHT_READ, cur.handle_rights);
  assert_int_equal(ZX_INFO_VMO_TYPE_PAGED | ZX_INFO_VMO_RESIZABLE | ZX_INFO_VMO_VIA_HANDLE,
                   cur.flags);
  zx_info_handle_basic_t b;
  assert_ok(zx_object_get_info(vmo, ZX_INFO_HANDLE_BASIC, &b, sizeof(b), NULL, NULL));
  assert_int_equal(b.koid, cur.koid);
  zx_info_vmo_v3_t v3;
  zx_info_vmo_v2_t v2;
  zx_info_vmo_v1_t v1;
  assert_int_equal(176, sizeof(cur));
  assert_int_equal(128, sizeof(v3));
  assert_int_equal(120, sizeof(v2));
  assert_int_equal(104, sizeof(v1));
  assert_ok(zx_object_get_info(vmo, ZX_INFO_VMO_V3, &v3, sizeof(v3), NULL, NULL));
  assert_int_equal(PAGE, v3.populated_bytes);
  assert_ok(zx_object_get_info(vmo, ZX_INFO_VMO_V2, &v2, sizeof(v2), NULL, NULL));
  assert_int_equal(cur.koid, v2.koid);
  assert_ok(zx_object_get_info(vmo, ZX_INFO_VMO_V1, &v1, sizeof(v1), NULL, NULL));
  assert_int_equal(PAGE, v1.committed_bytes);
  assert_status(ZX_ERR_BUFFER_TOO_SMALL,
                zx_object_get_info(vmo, ZX_INFO_VMO, &cur, sizeof(v3), NULL, NULL));
  assert_status(ZX_ERR_WRONG_TYPE, zx_object_get_info(zx_vmar_root_self(), ZX_INFO_VMO, &cur,
                                                      sizeof(cur), NULL, NULL));
  zx_handle_t list[] = {vmo, ro};
  assert_ok(zx_handle_close_many(list, 2));
}

static void info_vmar(void** state) {
  zx_info_vmar_t v;
  assert_ok(zx_object_get_info(zx_vmar_root_self(), ZX_INFO_VMAR, &v, sizeof(v), NULL, NULL));
  if (zx_test_expected_root_base() != 0) assert_int_equal(zx_test_expected_root_base(), v.base);
  assert_true(v.base != 0 && v.len != 0 && v.base % PAGE == 0);
  assert_status(ZX_ERR_WRONG_TYPE,
                zx_object_get_info(zx_process_self(), ZX_INFO_VMAR, &v, sizeof(v), NULL, NULL));
  zx_handle_t noinspect = dup_with(zx_vmar_root_self(), ZX_RIGHT_READ);
  assert_status(ZX_ERR_ACCESS_DENIED,
                zx_object_get_info(noinspect, ZX_INFO_VMAR, &v, sizeof(v), NULL, NULL));
  assert_ok(zx_handle_close(noinspect));
}

static void info_process_maps_and_vmos(void** state) {
  zx_handle_t proc, vmar;
  make_process(&proc, &vmar);
  zx_handle_t vmo = make_vmo(4 * PAGE, 0);
  assert_ok(zx_object_set_property(vmo, ZX_PROP_NAME, "mapped", 6));
  zx_handle_t sub;
  zx_vaddr_t sub_addr, a, b;
  assert_ok(zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE, 0, 16 * PAGE, &sub,
                             &sub_addr));
  assert_ok(zx_vmar_map(sub, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 4 * PAGE, &a));
  assert_ok(zx_vmar_protect(sub, ZX_VM_PERM_READ, a + PAGE, PAGE));
  assert_ok(zx_vmar_map(vmar, ZX_VM_PERM_READ, 0, vmo, PAGE, PAGE, &b));
  assert_ok(zxvm_user_write(proc, a, "w", 1));
  size_t actual, avail;
  zx_info_maps_t maps[16];
  assert_ok(zx_object_get_info(proc, ZX_INFO_PROCESS_MAPS, NULL, 0, &actual, &avail));
  assert_int_equal(0, actual);
  // aspace, root, sub-VMAR, 3 protection runs of the first mapping, the second mapping.
  assert_int_equal(7, avail);
  assert_ok(
      zx_object_get_info(proc, ZX_INFO_PROCESS_MAPS, maps, 3 * sizeof(maps[0]), &actual, &avail));
  assert_int_equal(3, actual);
  assert_ok(zx_object_get_info(proc, ZX_INFO_PROCESS_MAPS, maps, sizeof(maps), &actual, &avail));
  assert_int_equal(7, actual);
  assert_int_equal(ZX_INFO_MAPS_TYPE_ASPACE, maps[0].type);
  assert_int_equal(0, maps[0].depth);
  assert_int_equal(ZX_INFO_MAPS_TYPE_VMAR, maps[1].type);
  assert_int_equal(1, maps[1].depth);
  // Pre-order, ascending: whichever of the sub-VMAR and the second mapping is lower comes first.
  size_t s = sub_addr < b ? 2 : 3;
  assert_int_equal(ZX_INFO_MAPS_TYPE_VMAR, maps[s].type);
  assert_int_equal(2, maps[s].depth);
  assert_int_equal(ZX_INFO_MAPS_TYPE_MAPPING, maps[s + 1].type);
  assert_int_equal(3, maps[s + 1].depth);
  assert_int_equal(a, maps[s + 1].base);
  assert_int_equal(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, maps[s + 1].u.mapping.mmu_flags);
  assert_int_equal(PAGE, maps[s + 1].u.mapping.committed_bytes);
  assert_string_equal("mapped", maps[s + 1].name);
  assert_int_equal(ZX_VM_PERM_READ, maps[s + 2].u.mapping.mmu_flags);
  assert_int_equal(PAGE, maps[s + 2].u.mapping.vmo_offset);
  zx_info_maps_v1_t m1[16];
  zx_info_maps_v2_t m2[16];
  assert_int_equal(96, sizeof(m1[0]));
  assert_int_equal(104, sizeof(m2[0]));
  assert_ok(zx_object_get_info(proc, ZX_INFO_PROCESS_MAPS_V1, m1, sizeof(m1), &actual, &avail));
  assert_int_equal(7, actual);
  assert_int_equal(1, m1[s + 1].u.mapping.committed_pages);
  assert_ok(zx_object_get_info(proc, ZX_INFO_PROCESS_MAPS_V2, m2, sizeof(m2), &actual, &avail));
  assert_int_equal(1, m2[s + 1].u.mapping.populated_pages);
  // INSPECT is the one right the topics need (Fuchsia's kernel; its docs also name READ).
  zx_handle_t noread = dup_with(proc, ZX_RIGHT_INSPECT);
  assert_ok(zx_object_get_info(noread, ZX_INFO_PROCESS_MAPS, maps, sizeof(maps), &actual, &avail));
  assert_int_equal(7, actual);
  assert_ok(zx_object_get_info(noread, ZX_INFO_PROCESS_VMOS, NULL, 0, &actual, &avail));
  assert_int_equal(2, avail);
  zx_handle_t noinspect = dup_with(proc, ZX_DEFAULT_PROCESS_RIGHTS & ~ZX_RIGHT_INSPECT);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_object_get_info(noinspect, ZX_INFO_PROCESS_MAPS, maps,
                                                         sizeof(maps), NULL, NULL));
  assert_status(ZX_ERR_ACCESS_DENIED,
                zx_object_get_info(noinspect, ZX_INFO_PROCESS_VMOS, NULL, 0, NULL, NULL));
  assert_ok(zx_handle_close(noinspect));
  assert_status(ZX_ERR_WRONG_TYPE,
                zx_object_get_info(vmo, ZX_INFO_PROCESS_MAPS, maps, sizeof(maps), NULL, NULL));
  // VMOs: the new process reaches the VMO through its two mappings (one entry per mapping).
  zx_info_vmo_t vmos[8];
  assert_ok(zx_object_get_info(proc, ZX_INFO_PROCESS_VMOS, vmos, sizeof(vmos), &actual, &avail));
  assert_int_equal(2, avail);
  assert_true(vmos[0].flags & ZX_INFO_VMO_VIA_MAPPING);
  assert_int_equal(2, vmos[0].num_mappings);
  assert_int_equal(1, vmos[0].share_count);
  zx_info_vmo_v1_t v1[8];
  assert_ok(zx_object_get_info(proc, ZX_INFO_PROCESS_VMOS_V1, v1, sizeof(v1), &actual, &avail));
  assert_int_equal(2, actual);
  // The self process reaches its VMO handles.
  assert_ok(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_VMOS, vmos, sizeof(vmos), &actual,
                               &avail));
  assert_true(avail >= 1);
  assert_true(vmos[0].flags & ZX_INFO_VMO_VIA_HANDLE);
  zx_handle_t list[] = {proc, vmar, vmo, sub, noread};
  assert_ok(zx_handle_close_many(list, 5));
}

// Fuchsia's ProcessGetInfoTest.InfoProcessMapsOnSelfFails (which, despite its name, expects
// success): the calling process may read its own maps, also into a buffer that is itself a
// mapping of its own address space (host backend: the walk must not fault under the aspace lock).
static void info_process_maps_on_self(void** state) {
  zx_handle_t vmo = make_vmo(4 * PAGE, 0);
  zx_vaddr_t a;
  assert_ok(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0,
                        4 * PAGE, &a));
  size_t actual, avail;
  zx_info_maps_t maps[1];
  assert_ok(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_MAPS, maps, sizeof(maps), &actual,
                               &avail));
  assert_int_equal(1, actual);
  assert_true(avail >= 3);  // aspace, root VMAR, our mapping
  assert_int_equal(ZX_INFO_MAPS_TYPE_ASPACE, maps[0].type);
  size_t n = 4 * PAGE / sizeof(zx_info_maps_t);
  assert_true(avail <= n);
  if (zx_test_on_host()) {
    // The buffer is the mapping itself: plain stores into it fault into zxvm. cmocka replaces
    // SIGSEGV around each test; creating an address space puts zxvm's handler back on top.
    zx_handle_t p, v;
    make_process(&p, &v);
    zx_handle_t pv[] = {p, v};
    assert_ok(zx_handle_close_many(pv, 2));
    // The first record ends page 0; the walk's records land on page 1, untouched so far.
    zx_info_maps_t* in_mapping = (zx_info_maps_t*)(uintptr_t)(a + PAGE) - 1;
    n = 3 * PAGE / sizeof(zx_info_maps_t) + 1;
    assert_true(avail <= n);
    assert_ok(zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_MAPS, in_mapping,
                                 n * sizeof(zx_info_maps_t), &actual, &avail));
    assert_int_equal(avail, actual);
    assert_int_equal(ZX_INFO_MAPS_TYPE_ASPACE, in_mapping[0].type);
    assert_int_equal(ZX_INFO_MAPS_TYPE_VMAR, in_mapping[1].type);
    assert_int_equal(1, in_mapping[1].depth);
    bool found = false;
    for (size_t i = 2; i < actual; i++) {
      found |= in_mapping[i].type == ZX_INFO_MAPS_TYPE_MAPPING && in_mapping[i].base == a &&
               in_mapping[i].size == 4 * PAGE;
    }
    assert_true(found);
  }
  assert_ok(zx_vmar_unmap(zx_vmar_root_self(), a, 4 * PAGE));
  assert_ok(zx_handle_close(vmo));
}

// ZX_INFO_VMAR_MAPS (Fuchsia's VmarMapsGetInfoTest): the VMAR at depth 0, then its subtree in
// pre-order; INSPECT needed; BAD_STATE once the VMAR or its process is destroyed.
static void info_vmar_maps(void** state) {
  zx_handle_t proc, root;
  make_process(&proc, &root);
  size_t actual, avail;
  zx_info_maps_t maps[8];
  assert_ok(zx_object_get_info(root, ZX_INFO_VMAR_MAPS, maps, sizeof(maps), &actual, &avail));
  assert_int_equal(1, actual);
  assert_int_equal(1, avail);
  assert_int_equal(0, maps[0].depth);
  assert_int_equal(ZX_INFO_MAPS_TYPE_VMAR, maps[0].type);
  zx_handle_t sub, inner, vmo = make_vmo(2 * PAGE, 0);
  zx_vaddr_t sub_addr, inner_addr, a, b;
  assert_ok(zx_vmar_allocate(root,
                             ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0,
                             16 * PAGE, &sub, &sub_addr));
  assert_ok(zx_vmar_map(sub, ZX_VM_SPECIFIC | ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &a));
  assert_ok(zx_vmar_allocate(sub, ZX_VM_SPECIFIC | ZX_VM_CAN_MAP_READ, 4 * PAGE, 4 * PAGE, &inner,
                             &inner_addr));
  assert_ok(zx_vmar_map(inner, ZX_VM_PERM_READ, 0, vmo, PAGE, PAGE, &b));
  assert_ok(zx_object_get_info(sub, ZX_INFO_VMAR_MAPS, NULL, 0, &actual, &avail));
  assert_int_equal(0, actual);
  assert_int_equal(4, avail);
  assert_ok(zx_object_get_info(sub, ZX_INFO_VMAR_MAPS, maps, 2 * sizeof(maps[0]), &actual, &avail));
  assert_int_equal(2, actual);
  assert_int_equal(4, avail);
  assert_ok(zx_object_get_info(sub, ZX_INFO_VMAR_MAPS, maps, sizeof(maps), &actual, &avail));
  assert_int_equal(4, actual);
  const struct {
    uint32_t type;
    size_t depth;
    zx_vaddr_t base;
    size_t size;
  } want[] = {{ZX_INFO_MAPS_TYPE_VMAR, 0, sub_addr, 16 * PAGE},
              {ZX_INFO_MAPS_TYPE_MAPPING, 1, a, PAGE},
              {ZX_INFO_MAPS_TYPE_VMAR, 1, inner_addr, 4 * PAGE},
              {ZX_INFO_MAPS_TYPE_MAPPING, 2, b, PAGE}};
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
    assert_int_equal(want[i].type, maps[i].type);
    assert_int_equal(want[i].depth, maps[i].depth);
    assert_int_equal(want[i].base, maps[i].base);
    assert_int_equal(want[i].size, maps[i].size);
  }
  assert_int_equal(ZX_VM_PERM_READ, maps[3].u.mapping.mmu_flags);
  assert_int_equal(PAGE, maps[3].u.mapping.vmo_offset);
  // Rights and type.
  zx_handle_t noinspect = dup_with(sub, ZX_RIGHT_DUPLICATE | ZX_RIGHT_OP_CHILDREN);
  assert_status(ZX_ERR_ACCESS_DENIED,
                zx_object_get_info(noinspect, ZX_INFO_VMAR_MAPS, maps, sizeof(maps), NULL, NULL));
  assert_status(ZX_ERR_WRONG_TYPE,
                zx_object_get_info(vmo, ZX_INFO_VMAR_MAPS, maps, sizeof(maps), NULL, NULL));
  assert_status(ZX_ERR_WRONG_TYPE,
                zx_object_get_info(proc, ZX_INFO_VMAR_MAPS, maps, sizeof(maps), NULL, NULL));
  // A destroyed VMAR, then a destroyed process.
  assert_ok(zx_vmar_destroy(inner));
  assert_status(ZX_ERR_BAD_STATE,
                zx_object_get_info(inner, ZX_INFO_VMAR_MAPS, maps, sizeof(maps), NULL, NULL));
  assert_ok(zx_handle_close(proc));
  assert_status(ZX_ERR_BAD_STATE,
                zx_object_get_info(root, ZX_INFO_VMAR_MAPS, maps, sizeof(maps), NULL, NULL));
  zx_handle_t list[] = {root, sub, inner, vmo, noinspect};
  assert_ok(zx_handle_close_many(list, 5));
}

// Fuchsia dispatches on the topic before looking at the handle.
static void info_unknown_topic_before_handle(void** state) {
  zx_handle_t vmo = make_vmo(PAGE, 0);
  char buf[64];
  assert_status(ZX_ERR_NOT_SUPPORTED, zx_object_get_info(vmo, 12345, buf, sizeof(buf), NULL, NULL));
  assert_status(ZX_ERR_NOT_SUPPORTED,
                zx_object_get_info(ZX_HANDLE_INVALID, 12345, buf, sizeof(buf), NULL, NULL));
  assert_status(ZX_ERR_BAD_HANDLE, zx_object_get_info(ZX_HANDLE_INVALID, ZX_INFO_HANDLE_BASIC, buf,
                                                      sizeof(buf), NULL, NULL));
  assert_ok(zx_handle_close(vmo));
}

static void property_name_and_content_size(void** state) {
  zx_handle_t vmo = make_vmo(PAGE, 0);
  char name[ZX_MAX_NAME_LEN];
  assert_ok(zx_object_get_property(vmo, ZX_PROP_NAME, name, sizeof(name)));
  assert_string_equal("", name);
  assert_status(ZX_ERR_BUFFER_TOO_SMALL, zx_object_get_property(vmo, ZX_PROP_NAME, name, 31));
  assert_status(ZX_ERR_INVALID_ARGS, zx_object_get_property(vmo, ZX_PROP_NAME, NULL, 32));
  const char long_name[] = "0123456789012345678901234567890123456789";
  assert_ok(zx_object_set_property(vmo, ZX_PROP_NAME, long_name, sizeof(long_name)));
  assert_ok(zx_object_get_property(vmo, ZX_PROP_NAME, name, sizeof(name)));
  assert_int_equal(31, strlen(name));
  assert_ok(zx_object_set_property(vmo, ZX_PROP_NAME, "abcdefgh", 5));
  assert_ok(zx_object_get_property(vmo, ZX_PROP_NAME, name, sizeof(name)));
  assert_string_equal("abcde", name);
  uint64_t cs = 4 * PAGE + 15643;
  assert_ok(zx_object_set_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &cs, sizeof(cs)));
  cs = 0;
  assert_ok(zx_object_get_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &cs, sizeof(cs)));
  assert_int_equal(4 * PAGE + 15643, cs);
  assert_status(ZX_ERR_BUFFER_TOO_SMALL,
                zx_object_get_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &cs, 4));
  assert_status(ZX_ERR_WRONG_TYPE,
                zx_object_get_property(zx_process_self(), ZX_PROP_VMO_CONTENT_SIZE, &cs, 8));
  assert_status(ZX_ERR_NOT_SUPPORTED, zx_object_get_property(vmo, 9999, &cs, sizeof(cs)));
  // Lowering the content size zeroes everything from it to the end of the VMO (Fuchsia's
  // SetContentSize), including bytes a zx_vmo_write put past the old content size.
  uint8_t ones[64];
  memset(ones, 0xff, sizeof(ones));
  assert_ok(zx_vmo_write(vmo, ones, 0, sizeof(ones)));
  assert_ok(zx_vmo_write(vmo, ones, PAGE - sizeof(ones), sizeof(ones)));
  cs = 10;
  assert_ok(zx_object_set_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &cs, sizeof(cs)));
  uint8_t got[64];
  assert_ok(zx_vmo_read(vmo, got, 0, sizeof(got)));
  for (size_t i = 0; i < sizeof(got); i++) assert_int_equal(i < 10 ? 0xff : 0, got[i]);
  assert_ok(zx_vmo_read(vmo, got, PAGE - sizeof(got), sizeof(got)));
  for (size_t i = 0; i < sizeof(got); i++) assert_int_equal(0, got[i]);
  // Raising it past the VMO's end zeroes nothing and is allowed.
  assert_ok(zx_vmo_write(vmo, ones, 0, sizeof(ones)));
  cs = 2 * PAGE;
  assert_ok(zx_object_set_property(vmo, ZX_PROP_VMO_CONTENT_SIZE, &cs, sizeof(cs)));
  assert_ok(zx_vmo_read(vmo, got, 0, sizeof(got)));
  assert_memory_equal(ones, got, sizeof(got));
  zx_handle_t noprop = dup_with(vmo, ZX_RIGHT_READ);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_object_get_property(noprop, ZX_PROP_NAME, name, 32));
  assert_status(ZX_ERR_ACCESS_DENIED, zx_object_set_property(noprop, ZX_PROP_NAME, "a", 1));
  zx_handle_t list[] = {vmo, noprop};
  assert_ok(zx_handle_close_many(list, 2));
}

static void signals_and_wait(void** state) {
  zx_handle_t vmo = make_vmo(PAGE, 0);
  zx_signals_t observed = 0;
  // A new VMO has no children.
  assert_ok(zx_object_wait_one(vmo, ZX_VMO_ZERO_CHILDREN, ZX_TIME_INFINITE, &observed));
  assert_int_equal(ZX_VMO_ZERO_CHILDREN, observed);
  assert_status(ZX_ERR_TIMED_OUT, zx_object_wait_one(vmo, ZX_USER_SIGNAL_0, 0, &observed));
  assert_int_equal(ZX_VMO_ZERO_CHILDREN, observed);
  assert_status(ZX_ERR_TIMED_OUT, zx_object_wait_one(vmo, ZX_USER_SIGNAL_0,
                                                     zx_deadline_after(ZX_MSEC(5)), &observed));
  assert_ok(zx_object_signal(vmo, 0, ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_7));
  assert_ok(zx_object_wait_one(vmo, ZX_USER_SIGNAL_0, 0, &observed));
  assert_int_equal(ZX_VMO_ZERO_CHILDREN | ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_7, observed);
  assert_ok(zx_object_signal(vmo, ZX_USER_SIGNAL_0, 0));
  assert_status(ZX_ERR_TIMED_OUT, zx_object_wait_one(vmo, ZX_USER_SIGNAL_0, 0, &observed));
  // Only user signals may be changed.
  assert_status(ZX_ERR_INVALID_ARGS, zx_object_signal(vmo, ZX_VMO_ZERO_CHILDREN, 0));
  assert_status(ZX_ERR_INVALID_ARGS, zx_object_signal(vmo, 0, 1u << 4));
  zx_handle_t nosig = dup_with(vmo, ZX_RIGHT_READ);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_object_signal(nosig, 0, ZX_USER_SIGNAL_1));
  assert_status(ZX_ERR_ACCESS_DENIED, zx_object_wait_one(nosig, ZX_USER_SIGNAL_1, 0, &observed));
  assert_status(ZX_ERR_ACCESS_DENIED, zx_object_signal(zx_vmar_root_self(), 0, ZX_USER_SIGNAL_1));
  zx_handle_t list[] = {vmo, nosig};
  assert_ok(zx_handle_close_many(list, 2));
}

static void port_queue_and_wait(void** state) {
  zx_handle_t port;
  assert_status(ZX_ERR_INVALID_ARGS, zx_port_create(1u << 3, &port));
  assert_ok(zx_port_create(0, &port));
  assert_int_equal(ZX_DEFAULT_PORT_RIGHTS, handle_rights(port));
  zx_port_packet_t pkt = {.key = 42, .type = ZX_PKT_TYPE_PAGE_REQUEST, .status = -5};
  pkt.user.u64[0] = 7;
  assert_ok(zx_port_queue(port, &pkt));
  zx_port_packet_t got;
  assert_ok(zx_port_wait(port, ZX_TIME_INFINITE, &got));
  assert_int_equal(42, got.key);
  assert_int_equal(ZX_PKT_TYPE_USER, got.type);
  assert_int_equal(-5, got.status);
  assert_int_equal(7, got.user.u64[0]);
  assert_status(ZX_ERR_TIMED_OUT, zx_port_wait(port, 0, &got));
  assert_status(ZX_ERR_TIMED_OUT, zx_port_wait(port, zx_deadline_after(ZX_MSEC(2)), &got));
  assert_status(ZX_ERR_INVALID_ARGS, zx_port_queue(port, NULL));
  zx_handle_t ro = dup_with(port, ZX_RIGHT_READ);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_port_queue(ro, &pkt));
  zx_handle_t wo = dup_with(port, ZX_RIGHT_WRITE);
  assert_status(ZX_ERR_ACCESS_DENIED, zx_port_wait(wo, 0, &got));
  zx_handle_t list[] = {port, ro, wo};
  assert_ok(zx_handle_close_many(list, 3));
}

static void pager_calls_validate(void** state) {
  zx_handle_t pager, port, vmo = make_vmo(PAGE, 0), out;
  assert_status(ZX_ERR_INVALID_ARGS, zx_pager_create(1, &pager));
  assert_ok(zx_pager_create(0, &pager));
  assert_int_equal(ZX_DEFAULT_PAGER_RIGHTS, handle_rights(pager));
  assert_ok(zx_port_create(0, &port));
  assert_status(ZX_ERR_INVALID_ARGS,
                zx_pager_create_vmo(pager, ZX_VMO_DISCARDABLE, port, 0, PAGE, &out));
  assert_status(ZX_ERR_WRONG_TYPE, zx_pager_create_vmo(vmo, 0, port, 0, PAGE, &out));
  assert_status(ZX_ERR_WRONG_TYPE, zx_pager_create_vmo(pager, 0, vmo, 0, PAGE, &out));
  assert_status(ZX_ERR_BAD_HANDLE, zx_pager_create_vmo(pager, 0, ZX_HANDLE_INVALID, 0, PAGE, &out));
  // Pager-backed VMOs (issue #4): creation works; tests/api/zx_pager_test.c covers the rest.
  assert_ok(zx_pager_create_vmo(pager, 0, port, 0, PAGE, &out));
  assert_ok(zx_handle_close(out));
  // An ordinary VMO was not created by this pager.
  assert_status(ZX_ERR_INVALID_ARGS, zx_pager_detach_vmo(pager, vmo));
  assert_status(ZX_ERR_INVALID_ARGS, zx_pager_op_range(pager, ZX_PAGER_OP_FAIL, vmo, 0, PAGE, 0));
  assert_status(ZX_ERR_INVALID_ARGS, zx_pager_supply_pages(pager, vmo, 0, PAGE, vmo, 0));
  assert_status(ZX_ERR_WRONG_TYPE, zx_pager_detach_vmo(vmo, vmo));
  zx_handle_t list[] = {pager, port, vmo};
  assert_ok(zx_handle_close_many(list, 3));
}

static void system_and_time(void** state) {
  assert_int_equal(4096, zx_system_get_page_size());
  uint32_t f = 99;
  assert_ok(zx_system_get_features(4 /* ZX_FEATURE_KIND_VM */, &f));
  assert_int_equal(0, f);
  assert_status(ZX_ERR_NOT_SUPPORTED, zx_system_get_features(1000, &f));
  zx_instant_mono_t t0 = zx_clock_get_monotonic();
  assert_ok(zx_nanosleep(zx_deadline_after(ZX_MSEC(2))));
  assert_true(zx_clock_get_monotonic() - t0 >= ZX_MSEC(2));
  assert_int_equal(ZX_TIME_INFINITE, zx_deadline_after(ZX_TIME_INFINITE));
  assert_ok(zx_nanosleep(0));
  char c;
  assert_ok(zx_cache_flush(&c, 1, ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INVALIDATE));
  assert_status(ZX_ERR_INVALID_ARGS, zx_cache_flush(&c, 1, 0));
  assert_status(ZX_ERR_INVALID_ARGS, zx_cache_flush(&c, 1, ZX_CACHE_FLUSH_INVALIDATE));
}

static void zxvm_api_stats_dump_check(void** state) {
  zxvm_stats_t before, after;
  assert_status(ZX_ERR_INVALID_ARGS, zxvm_get_stats(NULL));
  assert_ok(zxvm_get_stats(&before));
  zx_handle_t vmo = make_vmo(2 * PAGE, 0);
  zx_vaddr_t a;
  assert_ok(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0,
                        2 * PAGE, &a));
  assert_ok(zxvm_user_write(zx_process_self(), a, "s", 1));
  assert_status(ZX_ERR_NOT_FOUND, zxvm_user_read(zx_process_self(), 0x1000, &a, 1));
  assert_ok(zxvm_get_stats(&after));
  assert_true(after.faults >= before.faults + 2);
  assert_true(after.faults_not_found >= before.faults_not_found + 1);
  assert_true(after.pages_mapped >= 1);
  assert_int_equal(before.pmm_object_pages + 1, after.pmm_object_pages);
  assert_int_equal(before.handles + 1, after.handles);
  FILE* f = tmpfile();
  assert_non_null(f);
  assert_ok(zxvm_dump(zx_process_self(), f));
  assert_true(ftell(f) > 0);
  fclose(f);
  assert_status(ZX_ERR_INVALID_ARGS, zxvm_dump(zx_process_self(), NULL));
  assert_status(ZX_ERR_WRONG_TYPE, zxvm_dump(vmo, stderr));
  assert_ok(zxvm_check(zx_process_self()));
  assert_status(ZX_ERR_BAD_HANDLE, zxvm_check(ZX_HANDLE_INVALID));
  assert_status(ZX_ERR_INVALID_ARGS, zxvm_user_read(zx_process_self(), a, NULL, 1));
  assert_ok(zx_vmar_unmap(zx_vmar_root_self(), a, 2 * PAGE));
  assert_ok(zx_handle_close(vmo));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(info_handle_valid_and_basic),
      cmocka_unit_test(info_vmo_every_version),
      cmocka_unit_test(info_vmar),
      cmocka_unit_test(info_process_maps_and_vmos),
      cmocka_unit_test(info_process_maps_on_self),
      cmocka_unit_test(info_vmar_maps),
      cmocka_unit_test(info_unknown_topic_before_handle),
      cmocka_unit_test(property_name_and_content_size),
      cmocka_unit_test(signals_and_wait),
      cmocka_unit_test(port_queue_and_wait),
      cmocka_unit_test(pager_calls_validate),
      cmocka_unit_test(system_and_time),
      cmocka_unit_test(zxvm_api_stats_dump_check),
  };
  return cmocka_run_group_tests(tests, zx_test_init, NULL);
}
