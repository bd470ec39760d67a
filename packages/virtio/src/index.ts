// @k/virtio: virtio split virtqueues (driver and device side), the virtio-mmio register layout
// and a real ring over SharedArrayBuffer, modelling seed 002 ("virtio: harden vring IRQ").
// The one public door of the package: every export is named here.

export {
  VRING_DESC_F_NEXT, VRING_DESC_F_WRITE, VRING_DESC_F_INDIRECT, VRING_PACKED_DESC_F_AVAIL,
  VRING_PACKED_DESC_F_USED, VRING_USED_F_NO_NOTIFY, VRING_AVAIL_F_NO_INTERRUPT,
  VRING_PACKED_EVENT_FLAG_ENABLE, VRING_PACKED_EVENT_FLAG_DISABLE, VRING_PACKED_EVENT_FLAG_DESC,
  VRING_PACKED_EVENT_F_WRAP_CTR, VIRTIO_RING_F_INDIRECT_DESC, VIRTIO_RING_F_EVENT_IDX,
  VRING_AVAIL_ALIGN_SIZE, VRING_USED_ALIGN_SIZE, VRING_DESC_ALIGN_SIZE,
  VIRTIO_CONFIG_S_ACKNOWLEDGE, VIRTIO_CONFIG_S_DRIVER, VIRTIO_CONFIG_S_DRIVER_OK,
  VIRTIO_CONFIG_S_FEATURES_OK, VIRTIO_CONFIG_S_NEEDS_RESET, VIRTIO_CONFIG_S_FAILED,
  VIRTIO_TRANSPORT_F_START, VIRTIO_TRANSPORT_F_END, VIRTIO_F_NOTIFY_ON_EMPTY, VIRTIO_F_ANY_LAYOUT,
  VIRTIO_F_VERSION_1, VIRTIO_F_ACCESS_PLATFORM, VIRTIO_F_IOMMU_PLATFORM, VIRTIO_F_RING_PACKED,
  VIRTIO_F_IN_ORDER, VIRTIO_F_ORDER_PLATFORM, VIRTIO_F_SR_IOV, VIRTIO_F_RING_RESET,
  VIRTIO_MMIO_MAGIC_VALUE, VIRTIO_MMIO_VERSION, VIRTIO_MMIO_DEVICE_ID, VIRTIO_MMIO_VENDOR_ID,
  VIRTIO_MMIO_DEVICE_FEATURES, VIRTIO_MMIO_DEVICE_FEATURES_SEL, VIRTIO_MMIO_DRIVER_FEATURES,
  VIRTIO_MMIO_DRIVER_FEATURES_SEL, VIRTIO_MMIO_GUEST_PAGE_SIZE, VIRTIO_MMIO_QUEUE_SEL,
  VIRTIO_MMIO_QUEUE_NUM_MAX, VIRTIO_MMIO_QUEUE_NUM, VIRTIO_MMIO_QUEUE_ALIGN, VIRTIO_MMIO_QUEUE_PFN,
  VIRTIO_MMIO_QUEUE_READY, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_MMIO_INTERRUPT_STATUS,
  VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_STATUS, VIRTIO_MMIO_QUEUE_DESC_LOW,
  VIRTIO_MMIO_QUEUE_DESC_HIGH, VIRTIO_MMIO_QUEUE_AVAIL_LOW, VIRTIO_MMIO_QUEUE_AVAIL_HIGH,
  VIRTIO_MMIO_QUEUE_USED_LOW, VIRTIO_MMIO_QUEUE_USED_HIGH, VIRTIO_MMIO_SHM_SEL,
  VIRTIO_MMIO_SHM_LEN_LOW, VIRTIO_MMIO_SHM_LEN_HIGH, VIRTIO_MMIO_SHM_BASE_LOW,
  VIRTIO_MMIO_SHM_BASE_HIGH, VIRTIO_MMIO_CONFIG_GENERATION, VIRTIO_MMIO_CONFIG,
  VIRTIO_MMIO_INT_VRING, VIRTIO_MMIO_INT_CONFIG, VIRTIO_MMIO_MAGIC, VIRTIO_MMIO_VERSION_MODERN,
  VIRTIO_MMIO_VERSION_LEGACY,
} from './internal/uapi';

export {
  VRING_DESC_LAYOUT, VRING_AVAIL_LAYOUT, VRING_USED_ELEM_LAYOUT, VRING_USED_LAYOUT,
  VIRTQUEUE_MAX_SIZE, VringLayoutError, checkQueueSize, vring_size, vring_init, splitRingPartSizes,
  vringFromParts, vring_used_event, vring_avail_event, vring_need_event, parseVringDesc,
  emitVringDesc, parseVringUsedElem, emitVringUsedElem, vringAvailLen, vringUsedLen,
  parseVringAvail, emitVringAvail, parseVringUsed, emitVringUsed, parseSplitRing,
} from './internal/ring/layout';
export type {
  Vring, VringLayoutRule, VringDesc, VringUsedElem, VringAvail, VringUsed, SplitRingSnapshot,
} from './internal/ring/layout';

export {
  runSync, VringMemoryFault, ArrayBufferVringMemory, SharedVringMemory,
} from './internal/ring/memory';
export type { KGen, VringMemory } from './internal/ring/memory';

export {
  virtio_has_feature, vring_virtqueue, __vring_new_virtqueue,
  vring_new_virtqueue, virtqueue_add_sgs, virtqueue_add_outbuf, virtqueue_add_inbuf,
  virtqueue_add_inbuf_ctx, virtqueue_kick_prepare, virtqueue_notify, virtqueue_kick, more_used,
  virtqueue_get_buf_ctx, virtqueue_get_buf, virtqueue_disable_cb, virtqueue_enable_cb_prepare,
  virtqueue_poll, virtqueue_enable_cb, virtqueue_enable_cb_delayed, virtqueue_detach_unused_buf,
  vring_interrupt, virtqueue_get_vring_size, virtqueue_is_broken, virtio_irq_soft_enabled,
  virtio_break_device, __virtio_unbreak_device,
} from './internal/ring/virtio_ring';
export type {
  Scatterlist, vring_desc_state_split, vring_desc_extra, VringDmaPool, LenOut, CtxOut,
  VirtqueueNotify, VirtqueueCallback, VringVirtqueueOptions, vring_virtqueue_split,
  VirtioIrqSoftState, VirtqueueList,
} from './internal/ring/virtio_ring';

export {
  UIO_MAXIOV, VhostIov, vhost_virtqueue, vhost_vq_init_access, vhost_get_vq_desc,
  vhost_discard_vq_desc, vhost_add_used_n, vhost_add_used, vhost_notify, vhost_signal,
  vhost_add_used_and_signal, vhost_enable_notify, vhost_disable_notify, vhost_vq_avail_empty,
} from './internal/ring/vhost';
export type { VhostUsedElem, VhostVirtqueueOptions } from './internal/ring/vhost';

export { createSabRing, SabRingDriver, SabRingDevice } from './internal/sab/ring';
export type { SabRingOptions, SabEndpointOptions, SabRingStats } from './internal/sab/ring';

// ---- the split ring in explored DMA memory --------------------------------------------------
export { ExploredVringMemory } from './internal/ring/explored';

// ---- the device lifecycle (drivers/virtio/virtio.c, include/linux/virtio_config.h) -----------
export {
  VIRTIO_HARDENINGS, virtio_device, __virtio_test_bit, __virtio_set_bit, __virtio_clear_bit,
  __virtio_config_changed, virtio_config_changed, virtio_config_disable, virtio_config_enable,
  virtio_add_status, virtio_features_ok, virtio_synchronize_cbs, virtio_reset_device,
  virtio_device_ready, virtio_dev_probe, virtio_dev_remove, register_virtio_device,
  unregister_virtio_device, virtio_find_vqs, virtio_find_single_vq, virtio_cread8, virtio_cread16,
  virtio_cread32, virtio_cread_bytes, virtio_cwrite8, virtio_cwrite32,
} from './internal/core/virtio';
export type {
  VirtioHardening, VirtqueueRequest, virtio_config_ops, virtio_driver, VirtioDeviceOptions,
} from './internal/core/virtio';

// ---- the virtio-mmio transport and its device side ------------------------------------------
export {
  VIRTIO_MMIO_VRING_ALIGN, vringPages, virtio_mmio_device, to_virtio_mmio_device, vm_interrupt,
  virtio_mmio_config_ops, virtio_mmio_probe,
} from './internal/mmio/virtio_mmio';
export type { VringPages } from './internal/mmio/virtio_mmio';
export { VIRTIO_MMIO_WINDOW, VIRTIO_MMIO_VENDOR_QEMU, VirtioMmioDevice } from './internal/mmio/device';
export type { VirtioMmioQueue, VirtioMmioDeviceOptions } from './internal/mmio/device';
export { VirtioMmioPlatform } from './internal/mmio/platform';
export type { VirtioMmioPlatformOptions } from './internal/mmio/platform';

// ---- device models and drivers --------------------------------------------------------------
export {
  VIRTIO_ID_NET, VIRTIO_ID_CONSOLE, VIRTIO_ID_RNG, VirtioRngDevice, VirtioConsoleLoopback, HostileDevice,
} from './internal/devices/models';
export type { HostileAction, HostileDeviceOptions } from './internal/devices/models';
export { VIRTRNG_DATA_SIZE, virtio_rng_driver, virtio_read } from './internal/drivers/virtio_rng';
export type { virtrng_info, VirtioRngDriverOptions } from './internal/drivers/virtio_rng';
export { virtio_console_driver, send_to_port } from './internal/drivers/virtio_console';
export type { port, VirtioConsoleDriverOptions } from './internal/drivers/virtio_console';
export {
  VIRTIO_ID_SCSI, VIRTSCSI_EVENTS, VIRTSCSI_EVENT_SIZE, virtio_scsi_driver,
} from './internal/drivers/virtio_scsi';
export type { virtio_scsi, virtio_scsi_vq, VirtioScsiDriverOptions } from './internal/drivers/virtio_scsi';
