// Helpers shared by the zx_ API tests (black box: public headers only).
#ifndef ZXVM_TESTS_API_ZX_TEST_UTIL_H_
#define ZXVM_TESTS_API_ZX_TEST_UTIL_H_

#include <string.h>
#include <zircon/features.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/port.h>
#include <zxvm/zxvm.h>

#include "test_util.h"

#define PAGE ((uint64_t)zx_system_get_page_size())

// True when the suite runs on the host backend, whose address spaces are wherever the host put
// the reservation (the soft backend uses Zircon's x86-64 user layout, base 0x200000).
static inline bool zx_test_on_host(void) {
  const char* b = getenv("ZXVM_BACKEND");
  return b != NULL && strcmp(b, "host") == 0;
}

// The base a new process's root VMAR has on this backend, or 0 where the host chooses.
static inline uint64_t zx_test_expected_root_base(void) { return zx_test_on_host() ? 0 : 0x200000; }

// Deterministic library setup for a test binary: 256 MiB, ASLR off, and the backend CTest asks
// for (ZXVM_BACKEND=host runs the suite on real host mappings; anything else on the soft MMU).
static inline int zx_test_init(void** state) {
  (void)state;
  const char* b = getenv("ZXVM_BACKEND");
  zxvm_backend_t backend =
      b != NULL && strcmp(b, "host") == 0 ? ZXVM_BACKEND_HOST : ZXVM_BACKEND_SOFT;
  zxvm_config_t c = {.backend = backend, .phys_mem_bytes = 256u << 20};
  zx_status_t status = zxvm_init(&c);
  return status == ZX_OK || status == ZX_ERR_BAD_STATE ? 0 : -1;
}

static inline zx_handle_t make_vmo(uint64_t size, uint32_t options) {
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  assert_ok(zx_vmo_create(size, options, &vmo));
  return vmo;
}

static inline zx_rights_t handle_rights(zx_handle_t h) {
  zx_info_handle_basic_t info;
  assert_ok(zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL));
  return info.rights;
}

static inline zx_handle_t dup_with(zx_handle_t h, zx_rights_t rights) {
  zx_handle_t out = ZX_HANDLE_INVALID;
  assert_ok(zx_handle_duplicate(h, rights, &out));
  return out;
}

static inline zx_info_vmo_t vmo_info(zx_handle_t vmo) {
  zx_info_vmo_t info;
  assert_ok(zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  return info;
}

static inline uint64_t vmo_size(zx_handle_t vmo) {
  uint64_t size = 0;
  assert_ok(zx_vmo_get_size(vmo, &size));
  return size;
}

// A 32-bit word of a VMO, through zx_vmo_read / zx_vmo_write.
static inline uint32_t read_u32(zx_handle_t vmo, uint64_t offset) {
  uint32_t v = 0xdeadbeef;
  assert_ok(zx_vmo_read(vmo, &v, offset, sizeof(v)));
  return v;
}

static inline void write_u32(zx_handle_t vmo, uint64_t offset, uint32_t v) {
  assert_ok(zx_vmo_write(vmo, &v, offset, sizeof(v)));
}

// A 32-bit word of this process's memory, through the simulated CPU.
static inline uint32_t user_read_u32(zx_vaddr_t va) {
  uint32_t v = 0xdeadbeef;
  assert_ok(zxvm_user_read(zx_process_self(), va, &v, sizeof(v)));
  return v;
}

static inline void user_write_u32(zx_vaddr_t va, uint32_t v) {
  assert_ok(zxvm_user_write(zx_process_self(), va, &v, sizeof(v)));
}

// A fresh, never-started process and its root VMAR.
static inline void make_process(zx_handle_t* proc, zx_handle_t* vmar) {
  assert_ok(zx_process_create(zx_job_default(), "test-proc", 9, 0, proc, vmar));
}

// A fresh process with its root VMAR's range.
struct proc {
  zx_handle_t process;
  zx_handle_t vmar;
  zx_vaddr_t base;
  size_t size;
};

static inline struct proc proc_new(void) {
  struct proc p;
  make_process(&p.process, &p.vmar);
  zx_info_vmar_t info;
  assert_ok(zx_object_get_info(p.vmar, ZX_INFO_VMAR, &info, sizeof(info), NULL, NULL));
  p.base = info.base;
  p.size = info.len;
  return p;
}

// Checks the process's invariants and closes both handles.
static inline void proc_free(struct proc* p) {
  assert_ok(zxvm_check(p->process));
  zx_handle_t list[] = {p->process, p->vmar};
  assert_ok(zx_handle_close_many(list, 2));
}

#endif  // ZXVM_TESTS_API_ZX_TEST_UTIL_H_
