// Smoke test of an installed zxvm: built outside the tree with nothing but
// `pkg-config --cflags --libs zxvm`, once against libzxvm.so and once against libzxvm.a
// (make install-check). It uses only what the installed public headers provide today: the ABI
// types and status codes. When zx_vmo_create is public, this program creates a VMO with it.
#include <stdio.h>
#include <zircon/errors.h>
#include <zircon/types.h>

int main(void) {
  zx_status_t status = ZX_OK;
  zx_handle_t handle = ZX_HANDLE_INVALID;
  _Static_assert(sizeof(zx_status_t) == 4, "zx_status_t is 32 bits");
  _Static_assert(sizeof(zx_handle_t) == 4, "zx_handle_t is 32 bits");
  printf("zxvm pkg-config smoke: status %d, invalid handle %u, ZX_ERR_NO_MEMORY %d\n", (int)status,
         (unsigned)handle, (int)ZX_ERR_NO_MEMORY);
  return status == ZX_OK && handle == ZX_HANDLE_INVALID ? 0 : 1;
}
