// The zx_* calls zxvm provides, with Fuchsia's exact signatures (zircon/syscalls.h). Every call
// returns ZX_OK or the status Fuchsia documents for the failure; the full contract of each call,
// error by error, is in shared/reference/zx-abi.md section 6. Out-parameters are written only on
// ZX_OK. A handle argument that is not a handle gives ZX_ERR_BAD_HANDLE, one of the wrong object
// type ZX_ERR_WRONG_TYPE, both checked before rights and arguments.
//
// zx_process_self(), zx_vmar_root_self() and zx_job_default() live in zircon/process.h, as on
// Fuchsia; this header includes it so one include gives every call.
#ifndef ZIRCON_SYSCALLS_H_
#define ZIRCON_SYSCALLS_H_

#include <zircon/compiler.h>
#include <zircon/process.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/types.h>
#include <zircon/types.h>

__BEGIN_CDECLS

// ---- VMOs ----

// Creates a VMO of |size| bytes rounded up to the page size (content size = |size|).
// |options|: ZX_VMO_RESIZABLE, ZX_VMO_DISCARDABLE, ZX_VMO_UNBOUNDED.
ZX_SYSCALL_EXPORT zx_status_t zx_vmo_create(uint64_t size, uint32_t options, zx_handle_t* out);

// Copies |buffer_size| bytes at |offset| out of / into the VMO; all or nothing.
ZX_SYSCALL_EXPORT zx_status_t zx_vmo_read(zx_handle_t handle, void* buffer, uint64_t offset,
                                          size_t buffer_size);
ZX_SYSCALL_EXPORT zx_status_t zx_vmo_write(zx_handle_t handle, const void* buffer, uint64_t offset,
                                           size_t buffer_size);

// Page-rounded size; resize (needs ZX_RIGHT_WRITE | ZX_RIGHT_RESIZE and a resizable VMO).
ZX_SYSCALL_EXPORT zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t* size);
ZX_SYSCALL_EXPORT zx_status_t zx_vmo_set_size(zx_handle_t handle, uint64_t size);

// Content ("stream") size: at most the VMO size.
ZX_SYSCALL_EXPORT zx_status_t zx_vmo_get_stream_size(zx_handle_t handle, uint64_t* size);
ZX_SYSCALL_EXPORT zx_status_t zx_vmo_set_stream_size(zx_handle_t handle, uint64_t size);

// Applies ZX_VMO_OP_* |op| to [offset, offset + size).
ZX_SYSCALL_EXPORT zx_status_t zx_vmo_op_range(zx_handle_t handle, uint32_t op, uint64_t offset,
                                              uint64_t size, void* buffer, size_t buffer_size);

// Creates a child (ZX_VMO_CHILD_* in |options|) of [offset, offset + size) of the VMO.
ZX_SYSCALL_EXPORT zx_status_t zx_vmo_create_child(zx_handle_t handle, uint32_t options,
                                                  uint64_t offset, uint64_t size, zx_handle_t* out);

// Sets ZX_CACHE_POLICY_* while the VMO is unmapped, childless and not a child.
ZX_SYSCALL_EXPORT zx_status_t zx_vmo_set_cache_policy(zx_handle_t handle, uint32_t cache_policy);

// Consumes |handle|; |out| gets the same rights plus ZX_RIGHT_EXECUTE.
ZX_SYSCALL_EXPORT zx_status_t zx_vmo_replace_as_executable(zx_handle_t handle, zx_handle_t vmex,
                                                           zx_handle_t* out);

// ---- VMARs ----

// Reserves a sub-region of |size| bytes in |parent_vmar|.
ZX_SYSCALL_EXPORT zx_status_t zx_vmar_allocate(zx_handle_t parent_vmar, zx_vm_option_t options,
                                               size_t offset, size_t size, zx_handle_t* child_vmar,
                                               zx_vaddr_t* child_addr);

// Maps [vmo_offset, vmo_offset + len) of |vmo| into the VMAR.
ZX_SYSCALL_EXPORT zx_status_t zx_vmar_map(zx_handle_t handle, zx_vm_option_t options,
                                          size_t vmar_offset, zx_handle_t vmo, uint64_t vmo_offset,
                                          size_t len, zx_vaddr_t* mapped_addr);

// Unmaps everything in [addr, addr + len), destroying sub-VMARs wholly inside it.
ZX_SYSCALL_EXPORT zx_status_t zx_vmar_unmap(zx_handle_t handle, zx_vaddr_t addr, size_t len);

// Changes the ZX_VM_PERM_* of every mapping in [addr, addr + len), which must be fully mapped.
ZX_SYSCALL_EXPORT zx_status_t zx_vmar_protect(zx_handle_t handle, zx_vm_option_t options,
                                              zx_vaddr_t addr, size_t len);

// Applies ZX_VMAR_OP_* |op| to the mappings in [address, address + size).
ZX_SYSCALL_EXPORT zx_status_t zx_vmar_op_range(zx_handle_t handle, uint32_t op, zx_vaddr_t address,
                                               size_t size, void* buffer, size_t buffer_size);

// Unmaps and destroys the VMAR and everything below it; its handles stay valid but dead.
ZX_SYSCALL_EXPORT zx_status_t zx_vmar_destroy(zx_handle_t handle);

// ---- Processes ----

// Creates a process (never started under zxvm) with a fresh address space; |vmar_handle| gets
// its root VMAR.
ZX_SYSCALL_EXPORT zx_status_t zx_process_create(zx_handle_t job, const char* name, size_t name_size,
                                                uint32_t options, zx_handle_t* proc_handle,
                                                zx_handle_t* vmar_handle);

// Copies up to |buffer_size| bytes from / to the process's address space at |vaddr|; |actual|
// gets the count, which may be short when the range runs into unmapped memory.
ZX_SYSCALL_EXPORT zx_status_t zx_process_read_memory(zx_handle_t handle, zx_vaddr_t vaddr,
                                                     void* buffer, size_t buffer_size,
                                                     size_t* actual);
ZX_SYSCALL_EXPORT zx_status_t zx_process_write_memory(zx_handle_t handle, zx_vaddr_t vaddr,
                                                      const void* buffer, size_t buffer_size,
                                                      size_t* actual);

// ---- Pagers ----

// Creates a pager; |options| must be 0.
ZX_SYSCALL_EXPORT zx_status_t zx_pager_create(uint32_t options, zx_handle_t* out);

// Creates a VMO whose pages |pager| supplies; requests arrive on |port| tagged with |key|.
ZX_SYSCALL_EXPORT zx_status_t zx_pager_create_vmo(zx_handle_t pager, uint32_t options,
                                                  zx_handle_t port, uint64_t key, uint64_t size,
                                                  zx_handle_t* out);

// Detaches |vmo| from |pager|: no more requests; a ZX_PAGER_VMO_COMPLETE packet follows.
ZX_SYSCALL_EXPORT zx_status_t zx_pager_detach_vmo(zx_handle_t pager, zx_handle_t vmo);

// Moves the pages of [aux_offset, aux_offset + length) of |aux_vmo| into
// [offset, offset + length) of |pager_vmo|.
ZX_SYSCALL_EXPORT zx_status_t zx_pager_supply_pages(zx_handle_t pager, zx_handle_t pager_vmo,
                                                    uint64_t offset, uint64_t length,
                                                    zx_handle_t aux_vmo, uint64_t aux_offset);

// Applies ZX_PAGER_OP_* |op| to [offset, offset + length) of |pager_vmo|.
ZX_SYSCALL_EXPORT zx_status_t zx_pager_op_range(zx_handle_t pager, uint32_t op,
                                                zx_handle_t pager_vmo, uint64_t offset,
                                                uint64_t length, uint64_t data);

// Fills |buffer| with zx_vmo_dirty_range_t records (zircon/syscalls-next.h) for the dirty
// ranges in [offset, offset + length).
ZX_SYSCALL_EXPORT zx_status_t zx_pager_query_dirty_ranges(zx_handle_t pager, zx_handle_t pager_vmo,
                                                          uint64_t offset, uint64_t length,
                                                          void* buffer, size_t buffer_size,
                                                          size_t* actual, size_t* avail);

// Fills |buffer| with a zx_pager_vmo_stats_t; ZX_PAGER_RESET_VMO_STATS clears it afterwards.
ZX_SYSCALL_EXPORT zx_status_t zx_pager_query_vmo_stats(zx_handle_t pager, zx_handle_t pager_vmo,
                                                       uint32_t options, void* buffer,
                                                       size_t buffer_size);

// ---- Ports (packets are defined in zircon/syscalls/port.h) ----

ZX_SYSCALL_EXPORT zx_status_t zx_port_create(uint32_t options, zx_handle_t* out);
ZX_SYSCALL_EXPORT zx_status_t zx_port_wait(zx_handle_t handle, zx_instant_mono_t deadline,
                                           zx_port_packet_t* packet);
ZX_SYSCALL_EXPORT zx_status_t zx_port_queue(zx_handle_t handle, const zx_port_packet_t* packet);

// ---- Handles ----

// Closing ZX_HANDLE_INVALID is ZX_OK.
ZX_SYSCALL_EXPORT zx_status_t zx_handle_close(zx_handle_t handle);
ZX_SYSCALL_EXPORT zx_status_t zx_handle_close_many(const zx_handle_t* handles, size_t num_handles);

// |rights| is ZX_RIGHT_SAME_RIGHTS or a subset of the source's rights. replace always consumes
// |handle|.
ZX_SYSCALL_EXPORT zx_status_t zx_handle_duplicate(zx_handle_t handle, zx_rights_t rights,
                                                  zx_handle_t* out);
ZX_SYSCALL_EXPORT zx_status_t zx_handle_replace(zx_handle_t handle, zx_rights_t rights,
                                                zx_handle_t* out);

// ---- Objects ----

// Fills |buffer| with the ZX_INFO_* |topic| records of the object (zircon/syscalls/object.h).
ZX_SYSCALL_EXPORT zx_status_t zx_object_get_info(zx_handle_t handle, uint32_t topic, void* buffer,
                                                 size_t buffer_size, size_t* actual, size_t* avail);

// Reads / writes the ZX_PROP_* |property| of the object.
ZX_SYSCALL_EXPORT zx_status_t zx_object_get_property(zx_handle_t handle, uint32_t property,
                                                     void* value, size_t value_size);
ZX_SYSCALL_EXPORT zx_status_t zx_object_set_property(zx_handle_t handle, uint32_t property,
                                                     const void* value, size_t value_size);

// Waits until any of |signals| is asserted or |deadline| passes; |observed| is filled on
// ZX_OK and on ZX_ERR_TIMED_OUT.
ZX_SYSCALL_EXPORT zx_status_t zx_object_wait_one(zx_handle_t handle, zx_signals_t signals,
                                                 zx_instant_mono_t deadline,
                                                 zx_signals_t* observed);

// Clears then sets user signals (ZX_USER_SIGNAL_*) on the object.
ZX_SYSCALL_EXPORT zx_status_t zx_object_signal(zx_handle_t handle, uint32_t clear_mask,
                                               uint32_t set_mask);

// ---- System, time, caches ----

ZX_SYSCALL_EXPORT uint32_t zx_system_get_page_size(void);

// ZX_FEATURE_KIND_* |kind| (zircon/features.h).
ZX_SYSCALL_EXPORT zx_status_t zx_system_get_features(uint32_t kind, uint32_t* features);

ZX_SYSCALL_EXPORT zx_instant_mono_t zx_clock_get_monotonic(void);

// Now plus |nanoseconds|, saturating at ZX_TIME_INFINITE.
ZX_SYSCALL_EXPORT zx_instant_mono_t zx_deadline_after(zx_duration_mono_t nanoseconds);

ZX_SYSCALL_EXPORT zx_status_t zx_nanosleep(zx_instant_mono_t deadline);

// ZX_CACHE_FLUSH_* |options| over [addr, addr + size) of the caller's memory.
ZX_SYSCALL_EXPORT zx_status_t zx_cache_flush(const void* addr, size_t size, uint32_t options);

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_H_
