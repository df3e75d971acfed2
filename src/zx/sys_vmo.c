// The VMO calls: zx_vmo_create, read, write, get_size, set_size, get_stream_size,
// set_stream_size, op_range, create_child, set_cache_policy, replace_as_executable.
//
// Each call looks its handle up (BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED, in that order), checks its
// arguments in the order Fuchsia does, and only then acts through vm_object_paged.
//
// Discardable VMOs: zxvm never discards pages, which a kernel is allowed to do; so the LOCK ops
// only track the lock count, TRY_LOCK always succeeds, and a lock never reports discarded pages.
//
// Clones: the VM core has no VMO children yet (issue #4), so zx_vmo_create_child validates
// everything Fuchsia validates and then returns ZX_ERR_NOT_SUPPORTED.
#include "zx/zx_priv.h"

static zx_status_t lookup_vmo(zx_handle_t handle, zx_rights_t rights, struct vmo_dispatcher** out,
                              zx_rights_t* out_rights) {
  struct dispatcher* d;
  zx_status_t status = dispatcher_lookup(handle, ZX_OBJ_TYPE_VMO, rights, &d, out_rights);
  if (status != ZX_OK) return status;
  *out = vmo_dispatcher_from(d);
  return ZX_OK;
}

static void vmo_put(struct vmo_dispatcher* v) { dispatcher_release(&v->base); }

static bool vmo_is_discardable(const struct vmo_dispatcher* v) {
  return (v->create_options & ZX_VMO_DISCARDABLE) != 0;
}

static bool vmo_is_resizable(const struct vmo_dispatcher* v) {
  return (v->create_options & ZX_VMO_RESIZABLE) != 0;
}

ZXVM_EXPORT zx_status_t zx_vmo_create(uint64_t size, uint32_t options, zx_handle_t* out) {
  const uint32_t known = ZX_VMO_RESIZABLE | ZX_VMO_DISCARDABLE | ZX_VMO_UNBOUNDED;
  if (options & ~known) return ZX_ERR_INVALID_ARGS;
  if ((options & ZX_VMO_UNBOUNDED) && (options & ZX_VMO_RESIZABLE)) return ZX_ERR_INVALID_ARGS;
  // A discardable VMO's size is fixed: its lock covers the whole VMO.
  if ((options & ZX_VMO_DISCARDABLE) && (options & ZX_VMO_RESIZABLE)) return ZX_ERR_INVALID_ARGS;
  if (size > VM_OBJECT_PAGED_MAX_SIZE) return ZX_ERR_OUT_OF_RANGE;
  if (out == NULL) return ZX_ERR_INVALID_ARGS;
  zx_status_t status = kernel_ensure_init();
  if (status != ZX_OK) return status;
  // An unbounded VMO has the largest size; |size| is its stream size.
  uint64_t vmo_size = (options & ZX_VMO_UNBOUNDED) ? VM_OBJECT_PAGED_MAX_SIZE : size;
  struct vm_object_paged* vmo;
  status = vm_object_paged_create((options & ZX_VMO_RESIZABLE) ? VM_OBJECT_PAGED_RESIZABLE : 0,
                                  vmo_size, &vmo);
  if (status != ZX_OK) return status;
  if (options & ZX_VMO_UNBOUNDED) vm_object_paged_set_content_size(vmo, size);
  struct vmo_dispatcher* v;
  status = vmo_dispatcher_create(vmo, options, &v);
  if (status != ZX_OK) {
    vm_object_paged_release(vmo);
    return status;
  }
  zx_rights_t rights = ZX_DEFAULT_VMO_RIGHTS;
  if (options & ZX_VMO_RESIZABLE) rights |= ZX_RIGHT_RESIZE;
  status = handle_table_add(&v->base, rights, out);
  vmo_put(v);
  return status;
}

ZXVM_EXPORT zx_status_t zx_vmo_read(zx_handle_t handle, void* buffer, uint64_t offset,
                                    size_t buffer_size) {
  struct vmo_dispatcher* v;
  zx_status_t status = lookup_vmo(handle, ZX_RIGHT_READ, &v, NULL);
  if (status != ZX_OK) return status;
  // The range is checked before the buffer is looked at.
  if (!range_within(offset, buffer_size, vm_object_paged_get_size(v->vmo))) {
    status = ZX_ERR_OUT_OF_RANGE;
  } else if (buffer == NULL && buffer_size > 0) {
    status = ZX_ERR_INVALID_ARGS;
  } else if (buffer_size > 0) {
    status = vm_object_paged_read(v->vmo, buffer, offset, buffer_size);
  }
  vmo_put(v);
  return status;
}

ZXVM_EXPORT zx_status_t zx_vmo_write(zx_handle_t handle, const void* buffer, uint64_t offset,
                                     size_t buffer_size) {
  struct vmo_dispatcher* v;
  zx_status_t status = lookup_vmo(handle, ZX_RIGHT_WRITE, &v, NULL);
  if (status != ZX_OK) return status;
  if (!range_within(offset, buffer_size, vm_object_paged_get_size(v->vmo))) {
    status = ZX_ERR_OUT_OF_RANGE;
  } else if (buffer == NULL && buffer_size > 0) {
    status = ZX_ERR_INVALID_ARGS;
  } else if (buffer_size > 0) {
    status = vm_object_paged_write(v->vmo, buffer, offset, buffer_size);
    kernel_validate_all();
  }
  vmo_put(v);
  return status;
}

ZXVM_EXPORT zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t* size) {
  struct vmo_dispatcher* v;
  zx_status_t status = lookup_vmo(handle, 0, &v, NULL);
  if (status != ZX_OK) return status;
  if (size == NULL) {
    status = ZX_ERR_INVALID_ARGS;
  } else {
    *size = vm_object_paged_get_size(v->vmo);
  }
  vmo_put(v);
  return status;
}

ZXVM_EXPORT zx_status_t zx_vmo_set_size(zx_handle_t handle, uint64_t size) {
  struct vmo_dispatcher* v;
  zx_rights_t rights;
  zx_status_t status = lookup_vmo(handle, ZX_RIGHT_WRITE, &v, &rights);
  if (status != ZX_OK) return status;
  // A VMO that is not resizable answers ZX_ERR_UNAVAILABLE whatever the handle's rights; the
  // RESIZE right only matters for a resizable one.
  if (vmo_is_resizable(v) && !(rights & ZX_RIGHT_RESIZE)) {
    status = ZX_ERR_ACCESS_DENIED;
  } else {
    status = vm_object_paged_set_size(v->vmo, size);
    if (status == ZX_OK) kernel_validate_all();
  }
  vmo_put(v);
  return status;
}

ZXVM_EXPORT zx_status_t zx_vmo_get_stream_size(zx_handle_t handle, uint64_t* size) {
  struct vmo_dispatcher* v;
  zx_status_t status = lookup_vmo(handle, ZX_RIGHT_READ, &v, NULL);
  if (status != ZX_OK) return status;
  if (size == NULL) {
    status = ZX_ERR_INVALID_ARGS;
  } else {
    *size = vm_object_paged_get_content_size(v->vmo);
  }
  vmo_put(v);
  return status;
}

// Zeroes the bytes between the old and the new stream size that lie inside the VMO, so bytes
// past the stream size always read as zero once it grows over them again.
static zx_status_t stream_zero_gap(struct vm_object_paged* vmo, uint64_t old_size,
                                   uint64_t new_size, uint64_t vmo_size) {
  uint64_t lo = old_size < new_size ? old_size : new_size;
  uint64_t hi = old_size < new_size ? new_size : old_size;
  if (hi > vmo_size) hi = vmo_size;
  if (lo >= hi) return ZX_OK;
  return vm_object_paged_zero_range(vmo, lo, hi - lo);
}

ZXVM_EXPORT zx_status_t zx_vmo_set_stream_size(zx_handle_t handle, uint64_t size) {
  struct vmo_dispatcher* v;
  zx_status_t status = lookup_vmo(handle, ZX_RIGHT_WRITE, &v, NULL);
  if (status != ZX_OK) return status;
  uint64_t vmo_size = vm_object_paged_get_size(v->vmo);
  if (size > vmo_size) {
    status = ZX_ERR_OUT_OF_RANGE;
  } else {
    uint64_t old = vm_object_paged_get_content_size(v->vmo);
    status = stream_zero_gap(v->vmo, old, size, vmo_size);
    if (status == ZX_OK) vm_object_paged_set_content_size(v->vmo, size);
    kernel_validate_all();
  }
  vmo_put(v);
  return status;
}

// ---- zx_vmo_op_range --------------------------------------------------------------------------

// LOCK / TRY_LOCK / UNLOCK of a discardable VMO (|op| one of the three).
static zx_status_t vmo_lock_op(struct vmo_dispatcher* v, uint32_t op, uint64_t offset,
                               uint64_t size, void* buffer, size_t buffer_size) {
  if (op == ZX_VMO_OP_LOCK && (buffer == NULL || buffer_size != sizeof(zx_vmo_lock_state_t))) {
    return ZX_ERR_INVALID_ARGS;
  }
  if (!vmo_is_discardable(v)) return ZX_ERR_NOT_SUPPORTED;
  uint64_t vmo_size = vm_object_paged_get_size(v->vmo);
  if (offset != 0 || size != vmo_size) return ZX_ERR_OUT_OF_RANGE;
  zx_status_t status = ZX_OK;
  mutex_lock(&v->base.lock);
  if (op == ZX_VMO_OP_UNLOCK) {
    if (v->lock_count == 0) {
      status = ZX_ERR_BAD_STATE;
    } else {
      v->lock_count--;
    }
  } else {
    v->lock_count++;
  }
  mutex_unlock(&v->base.lock);
  if (status == ZX_OK && op == ZX_VMO_OP_LOCK) {
    // Nothing is ever discarded, so the discarded range is empty.
    zx_vmo_lock_state_t state = {.offset = 0, .size = vmo_size};
    *(zx_vmo_lock_state_t*)buffer = state;
  }
  return status;
}

// The cache maintenance ops: byte granular, size 0 refused; host memory needs no maintenance.
static zx_status_t vmo_cache_op(struct vmo_dispatcher* v, uint64_t offset, uint64_t size) {
  if (size == 0) return ZX_ERR_INVALID_ARGS;
  if (!range_within(offset, size, vm_object_paged_get_size(v->vmo))) return ZX_ERR_OUT_OF_RANGE;
  return ZX_OK;
}

// DONT_NEED / ALWAYS_NEED / PREFETCH on a VMO that no pager backs: only the range is checked.
static zx_status_t vmo_hint_op(struct vmo_dispatcher* v, uint64_t offset, uint64_t size) {
  if (!range_within(offset, size, vm_object_paged_get_size(v->vmo))) return ZX_ERR_OUT_OF_RANGE;
  return ZX_OK;
}

// The right |op| needs: ZX_OK, ZX_ERR_ACCESS_DENIED, or ZX_ERR_INVALID_ARGS for an unknown op.
static zx_status_t vmo_op_rights(uint32_t op, zx_rights_t rights) {
  zx_rights_t need;
  switch (op) {
    case ZX_VMO_OP_COMMIT:
    case ZX_VMO_OP_DECOMMIT:
    case ZX_VMO_OP_ZERO:
    case ZX_VMO_OP_CACHE_INVALIDATE:
      need = ZX_RIGHT_WRITE;
      break;
    case ZX_VMO_OP_CACHE_SYNC:
    case ZX_VMO_OP_CACHE_CLEAN:
    case ZX_VMO_OP_CACHE_CLEAN_INVALIDATE:
    case ZX_VMO_OP_PREFETCH:
      need = ZX_RIGHT_READ;
      break;
    case ZX_VMO_OP_LOCK:
    case ZX_VMO_OP_TRY_LOCK:
    case ZX_VMO_OP_UNLOCK:
      return (rights & (ZX_RIGHT_READ | ZX_RIGHT_WRITE)) ? ZX_OK : ZX_ERR_ACCESS_DENIED;
    case ZX_VMO_OP_DONT_NEED:
    case ZX_VMO_OP_ALWAYS_NEED:
      return ZX_OK;
    default:
      return ZX_ERR_INVALID_ARGS;
  }
  return (rights & need) == need ? ZX_OK : ZX_ERR_ACCESS_DENIED;
}

static zx_status_t vmo_op(struct vmo_dispatcher* v, uint32_t op, uint64_t offset, uint64_t size,
                          void* buffer, size_t buffer_size) {
  zx_status_t status;
  switch (op) {
    case ZX_VMO_OP_COMMIT:
      status = vm_object_paged_commit_range(v->vmo, offset, size);
      break;
    case ZX_VMO_OP_DECOMMIT:
      status = vm_object_paged_decommit_range(v->vmo, offset, size);
      break;
    case ZX_VMO_OP_ZERO:
      status = vm_object_paged_zero_range(v->vmo, offset, size);
      break;
    case ZX_VMO_OP_LOCK:
    case ZX_VMO_OP_TRY_LOCK:
    case ZX_VMO_OP_UNLOCK:
      return vmo_lock_op(v, op, offset, size, buffer, buffer_size);
    case ZX_VMO_OP_CACHE_SYNC:
    case ZX_VMO_OP_CACHE_INVALIDATE:
    case ZX_VMO_OP_CACHE_CLEAN:
    case ZX_VMO_OP_CACHE_CLEAN_INVALIDATE:
      return vmo_cache_op(v, offset, size);
    default:  // DONT_NEED, ALWAYS_NEED, PREFETCH (vmo_op_rights refused the rest)
      return vmo_hint_op(v, offset, size);
  }
  kernel_validate_all();
  return status;
}

ZXVM_EXPORT zx_status_t zx_vmo_op_range(zx_handle_t handle, uint32_t op, uint64_t offset,
                                        uint64_t size, void* buffer, size_t buffer_size) {
  struct vmo_dispatcher* v;
  zx_rights_t rights;
  zx_status_t status = lookup_vmo(handle, 0, &v, &rights);
  if (status != ZX_OK) return status;
  status = vmo_op_rights(op, rights);
  if (status == ZX_OK) status = vmo_op(v, op, offset, size, buffer, buffer_size);
  vmo_put(v);
  return status;
}

// ---- zx_vmo_create_child ----------------------------------------------------------------------

#define VMO_CHILD_TYPES                                                                   \
  (ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE | ZX_VMO_CHILD_SLICE | \
   ZX_VMO_CHILD_REFERENCE | ZX_VMO_CHILD_SNAPSHOT_MODIFIED)

// Every check Fuchsia makes before creating a child of |v|, in its order.
static zx_status_t child_validate(struct vmo_dispatcher* v, uint32_t options, uint64_t offset,
                                  uint64_t size) {
  if (options & ~(VMO_CHILD_TYPES | ZX_VMO_CHILD_RESIZABLE | ZX_VMO_CHILD_NO_WRITE)) {
    return ZX_ERR_INVALID_ARGS;
  }
  uint32_t type = options & VMO_CHILD_TYPES;
  if (type == 0 || (type & (type - 1)) != 0) return ZX_ERR_INVALID_ARGS;
  if (vmo_is_discardable(v)) return ZX_ERR_NOT_SUPPORTED;
  if (type == ZX_VMO_CHILD_REFERENCE) {
    if ((options & ZX_VMO_CHILD_RESIZABLE) && !vmo_is_resizable(v)) return ZX_ERR_NOT_SUPPORTED;
    return ZX_OK;
  }
  if (!IS_PAGE_ALIGNED(offset)) return ZX_ERR_INVALID_ARGS;
  uint64_t rounded, end;
  if (size > UINT64_MAX - PAGE_MASK) return ZX_ERR_OUT_OF_RANGE;
  rounded = (size + PAGE_MASK) & ~PAGE_MASK;
  if (rounded > VM_OBJECT_PAGED_MAX_SIZE) return ZX_ERR_OUT_OF_RANGE;
  if (__builtin_add_overflow(offset, rounded, &end)) return ZX_ERR_OUT_OF_RANGE;
  if (type == ZX_VMO_CHILD_SLICE) {
    if (options & ZX_VMO_CHILD_RESIZABLE) return ZX_ERR_INVALID_ARGS;
    if (end > vm_object_paged_get_size(v->vmo)) return ZX_ERR_INVALID_ARGS;
    if (vmo_is_resizable(v)) return ZX_ERR_NOT_SUPPORTED;
  }
  if (type == ZX_VMO_CHILD_SNAPSHOT &&
      vm_object_get_cache_policy(&v->vmo->base) != ZX_CACHE_POLICY_CACHED) {
    return ZX_ERR_BAD_STATE;
  }
  return ZX_OK;
}

ZXVM_EXPORT zx_status_t zx_vmo_create_child(zx_handle_t handle, uint32_t options, uint64_t offset,
                                            uint64_t size, zx_handle_t* out) {
  // Fuchsia refuses this combination before it even looks at the handle.
  if ((options & ZX_VMO_CHILD_NO_WRITE) && (options & ZX_VMO_CHILD_RESIZABLE)) {
    return ZX_ERR_INVALID_ARGS;
  }
  struct vmo_dispatcher* v;
  zx_status_t status = lookup_vmo(handle, ZX_RIGHT_DUPLICATE | ZX_RIGHT_READ, &v, NULL);
  if (status != ZX_OK) return status;
  status = child_validate(v, options, offset, size);
  if (status == ZX_OK && out == NULL) status = ZX_ERR_INVALID_ARGS;
  // TODO(#4): create the child once the VM core has clones (slices, snapshots, references).
  if (status == ZX_OK) status = ZX_ERR_NOT_SUPPORTED;
  vmo_put(v);
  return status;
}

// ---- cache policy, executable -----------------------------------------------------------------

ZXVM_EXPORT zx_status_t zx_vmo_set_cache_policy(zx_handle_t handle, uint32_t cache_policy) {
  struct vmo_dispatcher* v;
  zx_status_t status = lookup_vmo(handle, ZX_RIGHT_MAP, &v, NULL);
  if (status != ZX_OK) return status;
  status = vm_object_set_cache_policy(&v->vmo->base, cache_policy);
  vmo_put(v);
  return status;
}

ZXVM_EXPORT zx_status_t zx_vmo_replace_as_executable(zx_handle_t handle, zx_handle_t vmex,
                                                     zx_handle_t* out) {
  zx_status_t status = kernel_ensure_init();
  if (status != ZX_OK) return status;
  // |vmex| must be the VMEX resource, or ZX_HANDLE_INVALID (ambient marking, which the default
  // job's policy allows). zxvm has no resources, so any other handle is of the wrong type.
  zx_status_t vmex_status = ZX_OK;
  if (vmex != ZX_HANDLE_INVALID) {
    struct dispatcher* r;
    vmex_status = handle_table_get(vmex, &r, NULL);
    if (vmex_status == ZX_OK) {
      dispatcher_release(r);
      vmex_status = ZX_ERR_WRONG_TYPE;
    }
  }
  struct dispatcher* d;
  zx_rights_t rights;
  status = handle_table_get(handle, &d, &rights);
  if (status != ZX_OK) return status;
  bool is_vmo = d->type == ZX_OBJ_TYPE_VMO;
  dispatcher_release(d);
  // From here on |handle| is consumed, whatever the outcome.
  if (vmex_status != ZX_OK || !is_vmo || out == NULL) {
    (void)zx_handle_close(handle);
    if (vmex_status != ZX_OK) return vmex_status;
    return is_vmo ? ZX_ERR_INVALID_ARGS : ZX_ERR_BAD_HANDLE;
  }
  struct dispatcher* consumed = NULL;
  status = handle_table_duplicate(handle, rights | ZX_RIGHT_EXECUTE, true, out, &consumed);
  if (consumed != NULL) {
    dispatcher_on_handle_closed(consumed);
    dispatcher_release(consumed);
  }
  return status;
}
