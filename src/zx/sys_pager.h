// What the rest of src/zx needs from the pager calls (sys_pager.c).
#ifndef ZXVM_ZX_SYS_PAGER_H_
#define ZXVM_ZX_SYS_PAGER_H_

#include <zircon/types.h>

// The pager object |pager_koid| is gone (its last reference dropped): every VMO it created is
// detached without a COMPLETE packet; their pending and future requests fail with
// ZX_ERR_BAD_STATE. No lock may be held. Called from the pager object's destroy (object.c).
void sys_pager_on_destroy(zx_koid_t pager_koid);

#endif  // ZXVM_ZX_SYS_PAGER_H_
