// Regression test (host backend): Fuchsia's VmoTestCase.MapRead reads a VMO into a mapping of
// the same VMO, and the reverse write. The VM copies to and from the caller's buffer under the
// VMO's hierarchy lock; when that buffer is an unfaulted host mapping, the copy faults (SIGSEGV)
// and the fault path needs the same lock: a self-deadlock (debug builds: the lock-order checker
// panics). Invariant: no VM lock is held while a caller's buffer that zxvm itself maps is touched
// (src/zx copies such buffers through a bounce buffer, see zx_vmo_read_user). Exit 0 = correct;
// a hang becomes exit status 2 after 5 s (watchdog alarm); a panic or wrong data fails too.
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zircon/syscalls.h>
#include <zxvm/zxvm.h>

#include "arch/arch_aspace.h"
#include "pmm/pmm.h"

static void on_alarm(int sig) {
  static const char msg[] = "deadlock: zx_vmo_read into a mapping of the same VMO never returned\n";
  ssize_t ignored = write(2, msg, sizeof(msg) - 1);
  (void)ignored;
  _exit(2);
}

int main(void) {
  // As host_vm_test: the backend and the shared arena first, whatever zxvm_init would choose.
  zx_status_t status = arch_host_backend_register();
  if (status == ZX_OK) status = pmm_init_ex((size_t)64 << 20, PMM_ARENA_SHARED);
  zxvm_config_t config = {.backend = ZXVM_BACKEND_HOST};
  if (status == ZX_OK) status = zxvm_init(&config);
  if (status != ZX_OK) {
    fprintf(stderr, "zxvm_init(host): %d\n", status);
    return 1;
  }
  zx_handle_t vmo;
  if (zx_vmo_create(2 * 4096, 0, &vmo) != ZX_OK) return 1;
  if (zx_vmo_write(vmo, "MapRead", 0, 8) != ZX_OK) return 1;
  zx_vaddr_t addr;
  if (zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 2 * 4096,
                  &addr) != ZX_OK) {
    return 1;
  }
  signal(SIGALRM, on_alarm);
  alarm(5);
  // Page 1 of the mapping has never been touched: the copy into it faults under the VMO lock.
  status = zx_vmo_read(vmo, (void*)(addr + 4096), 0, 8);
  alarm(0);
  printf("zx_vmo_read into its own mapping: %d, \"%s\"\n", status, (char*)(addr + 4096));
  if (status != ZX_OK || strcmp((char*)(addr + 4096), "MapRead") != 0) return 1;
  // The reverse: write to the VMO from a buffer inside its own (not yet faulted) mapping.
  zx_handle_t vmo2;
  zx_vaddr_t addr2;
  if (zx_vmo_create(2 * 4096, 0, &vmo2) != ZX_OK) return 1;
  if (zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo2, 0, 2 * 4096,
                  &addr2) != ZX_OK) {
    return 1;
  }
  alarm(5);
  status = zx_vmo_write(vmo2, (const void*)(addr2 + 4096), 0, 16);  // reads zeros from page 1
  alarm(0);
  char check[16] = {1};
  if (status != ZX_OK || zx_vmo_read(vmo2, check, 0, sizeof(check)) != ZX_OK) return 1;
  for (size_t i = 0; i < sizeof(check); i++) {
    if (check[i] != 0) return 1;
  }
  printf("zx_vmo_write from its own mapping: %d\n", status);
  return zxvm_check(zx_process_self()) == ZX_OK ? 0 : 1;
}
