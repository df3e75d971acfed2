// zx_handle_close, zx_handle_close_many, zx_handle_duplicate, zx_handle_replace.
#include "zx/zx_priv.h"

static zx_status_t close_one(zx_handle_t handle) {
  struct dispatcher* d;
  zx_status_t status = handle_table_remove(handle, &d);
  if (status != ZX_OK) return status;
  dispatcher_on_handle_closed(d);
  dispatcher_release(d);
  return ZX_OK;
}

ZXVM_EXPORT zx_status_t zx_handle_close(zx_handle_t handle) {
  if (handle == ZX_HANDLE_INVALID) return ZX_OK;
  zx_status_t status = kernel_ensure_init();
  if (status != ZX_OK) return status;
  return close_one(handle);
}

ZXVM_EXPORT zx_status_t zx_handle_close_many(const zx_handle_t* handles, size_t num_handles) {
  if (num_handles == 0) return ZX_OK;
  if (handles == NULL) return ZX_ERR_INVALID_ARGS;
  zx_status_t status = kernel_ensure_init();
  if (status != ZX_OK) return status;
  // Every valid handle is closed even when another is bad (Fuchsia closes what it can).
  zx_status_t result = ZX_OK;
  for (size_t i = 0; i < num_handles; i++) {
    if (handles[i] == ZX_HANDLE_INVALID) continue;
    if (close_one(handles[i]) != ZX_OK) result = ZX_ERR_BAD_HANDLE;
  }
  return result;
}

ZXVM_EXPORT zx_status_t zx_handle_duplicate(zx_handle_t handle, zx_rights_t rights,
                                            zx_handle_t* out) {
  struct dispatcher* d;
  zx_rights_t have;
  zx_status_t status = dispatcher_lookup(handle, ZX_OBJ_TYPE_NONE, 0, &d, &have);
  if (status != ZX_OK) return status;
  dispatcher_release(d);
  if (!(have & ZX_RIGHT_DUPLICATE)) return ZX_ERR_ACCESS_DENIED;
  if (rights == ZX_RIGHT_SAME_RIGHTS) {
    rights = have;
  } else if ((have & rights) != rights) {
    return ZX_ERR_INVALID_ARGS;
  }
  if (out == NULL) return ZX_ERR_INVALID_ARGS;
  // The rights checked above stay right: a handle's rights never change while it lives, and a
  // handle closed meanwhile makes the duplicate fail with ZX_ERR_BAD_HANDLE.
  return handle_table_duplicate(handle, rights, false, out, NULL);
}

ZXVM_EXPORT zx_status_t zx_handle_replace(zx_handle_t handle, zx_rights_t rights,
                                          zx_handle_t* out) {
  struct dispatcher* d;
  zx_rights_t have;
  zx_status_t status = dispatcher_lookup(handle, ZX_OBJ_TYPE_NONE, 0, &d, &have);
  if (status != ZX_OK) return status;
  dispatcher_release(d);
  if (rights == ZX_RIGHT_SAME_RIGHTS) rights = have;
  if ((have & rights) != rights || out == NULL) {
    // replace consumes |handle| whatever happens after it was found.
    (void)zx_handle_close(handle);
    return ZX_ERR_INVALID_ARGS;
  }
  struct dispatcher* consumed = NULL;
  status = handle_table_duplicate(handle, rights, true, out, &consumed);
  if (consumed != NULL) {
    dispatcher_on_handle_closed(consumed);
    dispatcher_release(consumed);
  }
  return status;
}
