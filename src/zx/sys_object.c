// zx_object_get_property, zx_object_set_property, zx_object_wait_one, zx_object_signal. The
// zx_object_get_info topics are in sys_info.c.
#include <string.h>

#include "zx/zx_priv.h"

ZXVM_EXPORT zx_status_t zx_object_get_property(zx_handle_t handle, uint32_t property, void* value,
                                               size_t value_size) {
  if (value == NULL) return ZX_ERR_INVALID_ARGS;
  struct dispatcher* d;
  zx_status_t status = dispatcher_lookup(handle, ZX_OBJ_TYPE_NONE, ZX_RIGHT_GET_PROPERTY, &d, NULL);
  if (status != ZX_OK) return status;
  switch (property) {
    case ZX_PROP_NAME: {
      if (value_size < ZX_MAX_NAME_LEN) {
        status = ZX_ERR_BUFFER_TOO_SMALL;
        break;
      }
      char name[ZX_MAX_NAME_LEN];
      (void)dispatcher_get_name(d, name);
      memcpy(value, name, ZX_MAX_NAME_LEN);
      break;
    }
    case ZX_PROP_VMO_CONTENT_SIZE: {
      if (value_size < sizeof(uint64_t)) {
        status = ZX_ERR_BUFFER_TOO_SMALL;
      } else if (d->type != ZX_OBJ_TYPE_VMO) {
        status = ZX_ERR_WRONG_TYPE;
      } else {
        uint64_t size = vm_object_paged_get_content_size(vmo_dispatcher_from(d)->vmo);
        memcpy(value, &size, sizeof(size));
      }
      break;
    }
    default:
      status = ZX_ERR_NOT_SUPPORTED;
      break;
  }
  dispatcher_release(d);
  return status;
}

// ZX_PROP_VMO_CONTENT_SIZE: as Fuchsia's SetContentSize, everything from the new content size to
// the end of the VMO reads as zero afterwards (a content size past the end zeroes nothing).
static zx_status_t vmo_set_content_size(struct vm_object_paged* vmo, uint64_t size) {
  uint64_t vmo_size = vm_object_paged_get_size(vmo);
  if (size < vmo_size) {
    zx_status_t status = vm_object_paged_zero_range(vmo, size, vmo_size - size);
    if (status != ZX_OK) return status;
    kernel_validate_all();
  }
  vm_object_paged_set_content_size(vmo, size);
  return ZX_OK;
}

ZXVM_EXPORT zx_status_t zx_object_set_property(zx_handle_t handle, uint32_t property,
                                               const void* value, size_t value_size) {
  if (value == NULL) return ZX_ERR_INVALID_ARGS;
  struct dispatcher* d;
  zx_status_t status = dispatcher_lookup(handle, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SET_PROPERTY, &d, NULL);
  if (status != ZX_OK) return status;
  switch (property) {
    case ZX_PROP_NAME:
      // Longer names are truncated to ZX_MAX_NAME_LEN - 1 bytes.
      if (!dispatcher_set_name(d, value, value_size)) status = ZX_ERR_NOT_SUPPORTED;
      break;
    case ZX_PROP_VMO_CONTENT_SIZE: {
      if (value_size < sizeof(uint64_t)) {
        status = ZX_ERR_BUFFER_TOO_SMALL;
      } else if (d->type != ZX_OBJ_TYPE_VMO) {
        status = ZX_ERR_WRONG_TYPE;
      } else {
        uint64_t size;
        memcpy(&size, value, sizeof(size));
        status = vmo_set_content_size(vmo_dispatcher_from(d)->vmo, size);
      }
      break;
    }
    default:
      status = ZX_ERR_NOT_SUPPORTED;
      break;
  }
  dispatcher_release(d);
  return status;
}

ZXVM_EXPORT zx_status_t zx_object_wait_one(zx_handle_t handle, zx_signals_t signals,
                                           zx_instant_mono_t deadline, zx_signals_t* observed) {
  struct dispatcher* d;
  zx_status_t status = dispatcher_lookup(handle, ZX_OBJ_TYPE_NONE, ZX_RIGHT_WAIT, &d, NULL);
  if (status != ZX_OK) return status;
  zx_signals_t seen = 0;
  if (!d->has_signals) {
    status = ZX_ERR_NOT_SUPPORTED;
  } else {
    status = dispatcher_wait_one(d, handle, signals, deadline, &seen);
    if (observed != NULL) *observed = seen;
  }
  dispatcher_release(d);
  return status;
}

ZXVM_EXPORT zx_status_t zx_object_signal(zx_handle_t handle, uint32_t clear_mask,
                                         uint32_t set_mask) {
  struct dispatcher* d;
  zx_status_t status = dispatcher_lookup(handle, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SIGNAL, &d, NULL);
  if (status != ZX_OK) return status;
  if (!d->has_signals) {
    status = ZX_ERR_NOT_SUPPORTED;
  } else if ((clear_mask | set_mask) & ~ZX_USER_SIGNAL_ALL) {
    status = ZX_ERR_INVALID_ARGS;
  } else {
    dispatcher_update_signals(d, clear_mask, set_mask);
  }
  dispatcher_release(d);
  return status;
}
