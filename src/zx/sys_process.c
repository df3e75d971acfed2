// zx_process_create, zx_process_read_memory, zx_process_write_memory. A process is an address
// space with its root VMAR; no thread ever runs in it (zxvm_user_* simulate its CPU). The debugger
// calls go through the VMO under the mapping at |vaddr|, whatever the mapping's protection:
// writes into a read-only mapping first make it writable with vm_mapping_force_writable.
#include <string.h>

#include "zx/zx_priv.h"

ZXVM_EXPORT zx_status_t zx_process_create(zx_handle_t job, const char* name, size_t name_size,
                                          uint32_t options, zx_handle_t* proc_handle,
                                          zx_handle_t* vmar_handle) {
  if (options & ~ZX_PROCESS_SHARED) return ZX_ERR_INVALID_ARGS;
  if (name == NULL && name_size > 0) return ZX_ERR_INVALID_ARGS;
  struct dispatcher* jd;
  zx_status_t status = dispatcher_lookup(job, ZX_OBJ_TYPE_JOB, ZX_RIGHT_MANAGE_PROCESS, &jd, NULL);
  if (status != ZX_OK) return status;
  zx_koid_t job_koid = jd->koid;
  dispatcher_release(jd);
  if (proc_handle == NULL || vmar_handle == NULL) return ZX_ERR_INVALID_ARGS;
  // Shared processes need a shared address-space region zxvm does not model.
  if (options & ZX_PROCESS_SHARED) return ZX_ERR_NOT_SUPPORTED;
  struct process_dispatcher* p;
  status =
      process_dispatcher_create(kernel_aspace_config(), name ? name : "", name_size, job_koid, &p);
  if (status != ZX_OK) return status;
  zx_handle_t ph, vh;
  status = handle_table_add(&p->base, ZX_DEFAULT_PROCESS_RIGHTS, &ph);
  if (status == ZX_OK) {
    status = handle_table_add(
        &p->root_vmar->base,
        ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE, &vh);
    if (status != ZX_OK) (void)zx_handle_close(ph);
  }
  dispatcher_release(&p->base);
  if (status != ZX_OK) return status;
  *proc_handle = ph;
  *vmar_handle = vh;
  return ZX_OK;
}

// The mapping containing |va| in |aspace| (a new reference), or NULL.
static struct vm_mapping* find_mapping(struct vm_aspace* aspace, zx_vaddr_t va) {
  struct vm_address_region* root = vm_aspace_root_vmar(aspace);
  if (root == NULL) return NULL;
  struct vm_address_region_or_mapping* r = vm_address_region_find_region(root, va);
  vm_address_region_or_mapping_release(&root->common);
  if (r == NULL) return NULL;
  if (!r->is_mapping) {
    vm_address_region_or_mapping_release(r);
    return NULL;
  }
  return vm_mapping_from(r);
}

// Where |va| (inside |m|) lands: the VMO (a new reference), its offset and how many of |len|
// bytes the mapping and the VMO can serve. ZX_ERR_NOT_FOUND if the mapping died, OUT_OF_RANGE if
// |va| maps beyond the VMO's end.
static zx_status_t mapping_window(struct vm_mapping* m, zx_vaddr_t va, size_t len,
                                  struct vm_object_paged** out_vmo, uint64_t* out_offset,
                                  size_t* out_len) {
  struct vm_object* obj = vm_mapping_vmo(m);
  if (obj == NULL) return ZX_ERR_NOT_FOUND;
  if (obj->type != VM_OBJECT_TYPE_PAGED) {
    vm_object_release(obj);
    return ZX_ERR_NOT_SUPPORTED;
  }
  struct vm_object_paged* vmo = vm_object_paged_from_object(obj);
  size_t in_mapping = vm_mapping_base(m) + vm_mapping_size(m) - va;
  uint64_t offset = vm_mapping_object_offset(m) + (va - vm_mapping_base(m));
  uint64_t vmo_size = vm_object_paged_get_size(vmo);
  if (offset >= vmo_size) {
    vm_object_paged_release(vmo);
    return ZX_ERR_OUT_OF_RANGE;
  }
  size_t n = len < in_mapping ? len : in_mapping;
  if (n > vmo_size - offset) n = (size_t)(vmo_size - offset);
  *out_vmo = vmo;
  *out_offset = offset;
  *out_len = n;
  return ZX_OK;
}

static zx_status_t lookup_debug_process(zx_handle_t handle, zx_rights_t rights,
                                        struct process_dispatcher** out) {
  struct dispatcher* d;
  zx_status_t status = dispatcher_lookup(handle, ZX_OBJ_TYPE_PROCESS, rights, &d, NULL);
  if (status != ZX_OK) return status;
  *out = process_dispatcher_from(d);
  return ZX_OK;
}

ZXVM_EXPORT zx_status_t zx_process_read_memory(zx_handle_t handle, zx_vaddr_t vaddr, void* buffer,
                                               size_t buffer_size, size_t* actual) {
  if (buffer == NULL) return ZX_ERR_INVALID_ARGS;
  if (buffer_size == 0 || buffer_size > KERNEL_MAX_DEBUG_TRANSFER) return ZX_ERR_INVALID_ARGS;
  struct process_dispatcher* p;
  zx_status_t status = lookup_debug_process(handle, ZX_RIGHT_READ | ZX_RIGHT_WRITE, &p);
  if (status != ZX_OK) return status;
  struct vm_mapping* m = find_mapping(p->aspace, vaddr);
  struct vm_object_paged* vmo = NULL;
  uint64_t offset = 0;
  size_t n = 0;
  status = m ? mapping_window(m, vaddr, buffer_size, &vmo, &offset, &n) : ZX_ERR_NOT_FOUND;
  if (status == ZX_OK) {
    status = zx_vmo_read_user(vmo, buffer, offset, n);
    vm_object_paged_release(vmo);
  }
  if (status == ZX_OK && actual != NULL) *actual = n;
  if (m != NULL) vm_address_region_or_mapping_release(&m->common);
  dispatcher_release(&p->base);
  return status;
}

// The mapping to write through at |vaddr|: |m| itself when writing through it is legitimate, or,
// for a read-only mapping of a VMO the mapper could not write, its replacement over a private
// copy-on-write clone (vm_mapping_force_writable): the write lands in that copy and the VMO is
// unchanged, as on Fuchsia. Consumes the reference to |m|. ZX_ERR_BAD_STATE for memory that is
// not cacheable; ZX_ERR_NOT_FOUND when the mapping went away meanwhile.
static zx_status_t writable_mapping(struct vm_mapping* m, struct vm_mapping** out) {
  struct vm_object* obj = vm_mapping_vmo(m);
  if (obj == NULL) {
    vm_address_region_or_mapping_release(&m->common);
    return ZX_ERR_NOT_FOUND;
  }
  bool cached = vm_object_get_cache_policy(obj) == ZX_CACHE_POLICY_CACHED;
  vm_object_release(obj);
  if (!cached) {
    vm_address_region_or_mapping_release(&m->common);
    return ZX_ERR_BAD_STATE;
  }
  zx_status_t status = vm_mapping_force_writable(m, out);
  vm_address_region_or_mapping_release(&m->common);
  if (status == ZX_ERR_BAD_STATE) return ZX_ERR_NOT_FOUND;  // unmapped meanwhile
  return status;
}

ZXVM_EXPORT zx_status_t zx_process_write_memory(zx_handle_t handle, zx_vaddr_t vaddr,
                                                const void* buffer, size_t buffer_size,
                                                size_t* actual) {
  if (buffer == NULL) return ZX_ERR_INVALID_ARGS;
  if (buffer_size == 0 || buffer_size > KERNEL_MAX_DEBUG_TRANSFER) return ZX_ERR_INVALID_ARGS;
  struct process_dispatcher* p;
  zx_status_t status = lookup_debug_process(handle, ZX_RIGHT_WRITE, &p);
  if (status != ZX_OK) return status;
  struct vm_mapping* m = find_mapping(p->aspace, vaddr);
  status = m ? writable_mapping(m, &m) : ZX_ERR_NOT_FOUND;
  if (status != ZX_OK) m = NULL;
  struct vm_object_paged* vmo = NULL;
  uint64_t offset = 0;
  size_t n = 0;
  if (status == ZX_OK) status = mapping_window(m, vaddr, buffer_size, &vmo, &offset, &n);
  if (status == ZX_OK) {
    status = zx_vmo_write_user(vmo, buffer, offset, n);
    vm_object_paged_release(vmo);
    kernel_validate_aspace(p->aspace);
  }
  if (status == ZX_OK && actual != NULL) *actual = n;
  if (m != NULL) vm_address_region_or_mapping_release(&m->common);
  dispatcher_release(&p->base);
  return status;
}
