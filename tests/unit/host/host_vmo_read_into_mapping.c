// NOT run by CTest (built only): demonstrates a known self-deadlock of the host backend, for the
// owners of src/vm/vm_object_paged.c and vm_cow_pages.c. Fuchsia's VmoTestCase.MapRead reads a VMO
// into a mapping of the same VMO. vm_object_paged_read copies into the caller's buffer with
// memcpy inside vm_cow_pages_read_locked, under the VMO's hierarchy lock. When the buffer is an
// unfaulted host mapping, the copy faults (SIGSEGV), the fault path asks for the same lock, and
// the thread waits for itself (debug builds: the lock checker panics on the recursive acquire).
// zx_vmo_write (vm_cow_pages_write_locked reads the buffer under the lock) and
// zx_process_read/write_memory have the same shape. Exit 0 = the read completed (fixed); a hang
// or a panic = the bug. A watchdog alarm turns the hang into exit status 2 after 5 s.
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
  return status == ZX_OK && strcmp((char*)(addr + 4096), "MapRead") == 0 ? 0 : 1;
}
