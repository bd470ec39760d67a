// The virtio UAPI constants, as the kernel spells them:
//   include/uapi/linux/virtio_ring.h   (descriptor flags, ring flags, ring feature bits, alignments)
//   include/uapi/linux/virtio_config.h (device status bits, transport feature bits)
//   include/uapi/linux/virtio_mmio.h   (virtio-mmio register offsets, interrupt bits)
// and the virtio 1.x spec, sections 2.1 "Device Status Field", 2.7 "Split Virtqueues",
// 4.2.2 "MMIO Device Register Layout" and 6 "Reserved Feature Bits". Seed 002.
// test/oracle.test.ts checks every number here against the installed UAPI headers.

// ---- include/uapi/linux/virtio_ring.h ----

/** This marks a buffer as continuing via the next field. */
export const VRING_DESC_F_NEXT = 1;
/** This marks a buffer as device write-only (otherwise device read-only). */
export const VRING_DESC_F_WRITE = 2;
/** This means the buffer contains a list of buffer descriptors (an indirect table). */
export const VRING_DESC_F_INDIRECT = 4;

/** Packed ring only: bit position (not mask) of the AVAIL flag. */
export const VRING_PACKED_DESC_F_AVAIL = 7;
/** Packed ring only: bit position (not mask) of the USED flag. */
export const VRING_PACKED_DESC_F_USED = 15;

/** In used->flags, the device advises the driver: don't kick me when you add a buffer. */
export const VRING_USED_F_NO_NOTIFY = 1;
/** In avail->flags, the driver advises the device: don't interrupt me when you consume a buffer. */
export const VRING_AVAIL_F_NO_INTERRUPT = 1;

export const VRING_PACKED_EVENT_FLAG_ENABLE = 0x0;
export const VRING_PACKED_EVENT_FLAG_DISABLE = 0x1;
export const VRING_PACKED_EVENT_FLAG_DESC = 0x2;
export const VRING_PACKED_EVENT_F_WRAP_CTR = 15;

/** Feature bit: the driver may use indirect descriptor tables. */
export const VIRTIO_RING_F_INDIRECT_DESC = 28;
/** Feature bit: used_event / avail_event indexes replace the flags for notification suppression. */
export const VIRTIO_RING_F_EVENT_IDX = 29;

/** Alignment of the available ring (spec 2.7: 2). */
export const VRING_AVAIL_ALIGN_SIZE = 2;
/** Alignment of the used ring (spec 2.7: 4). */
export const VRING_USED_ALIGN_SIZE = 4;
/** Alignment of the descriptor table (spec 2.7: 16). */
export const VRING_DESC_ALIGN_SIZE = 16;

// ---- include/uapi/linux/virtio_config.h ----

/** Status: the guest OS has found the device and recognised it as a valid virtio device. */
export const VIRTIO_CONFIG_S_ACKNOWLEDGE = 1;
/** Status: the guest OS knows how to drive the device. */
export const VIRTIO_CONFIG_S_DRIVER = 2;
/** Status: the driver is set up and ready to drive the device. */
export const VIRTIO_CONFIG_S_DRIVER_OK = 4;
/** Status: the driver has acknowledged the features it understands; negotiation is complete. */
export const VIRTIO_CONFIG_S_FEATURES_OK = 8;
/** Status: the device has hit an error it cannot recover from (the spec's DEVICE_NEEDS_RESET). */
export const VIRTIO_CONFIG_S_NEEDS_RESET = 0x40;
/** Status: something went wrong in the guest and it has given up on the device. */
export const VIRTIO_CONFIG_S_FAILED = 0x80;

/** First feature bit reserved for the transport and the ring. */
export const VIRTIO_TRANSPORT_F_START = 28;
/** One past the last feature bit reserved for the transport and the ring. */
export const VIRTIO_TRANSPORT_F_END = 41;

/** Legacy: interrupt when the available ring empties, even with interrupts suppressed. */
export const VIRTIO_F_NOTIFY_ON_EMPTY = 24;
/** Legacy: the device accepts any descriptor layout. */
export const VIRTIO_F_ANY_LAYOUT = 27;
/** The device complies with virtio 1.0 or later. */
export const VIRTIO_F_VERSION_1 = 32;
/** The device is behind a platform IOMMU / restricted DMA: use the DMA API. */
export const VIRTIO_F_ACCESS_PLATFORM = 33;
/** Legacy name of {@link VIRTIO_F_ACCESS_PLATFORM}. */
export const VIRTIO_F_IOMMU_PLATFORM = VIRTIO_F_ACCESS_PLATFORM;
/** The packed virtqueue layout is supported. */
export const VIRTIO_F_RING_PACKED = 34;
/** The device uses buffers in the order in which they were made available. */
export const VIRTIO_F_IN_ORDER = 35;
/** Memory accesses must be ordered as the platform describes (no weak barriers). */
export const VIRTIO_F_ORDER_PLATFORM = 36;
/** Single Root I/O Virtualization. */
export const VIRTIO_F_SR_IOV = 37;
/** The driver can reset a queue individually. */
export const VIRTIO_F_RING_RESET = 40;

// ---- include/uapi/linux/virtio_mmio.h (register offsets, version 2 layout) ----

/** Magic value ("virt"), read only. */
export const VIRTIO_MMIO_MAGIC_VALUE = 0x000;
/** Device version number: 2 for the virtio 1.x layout, 1 for legacy. */
export const VIRTIO_MMIO_VERSION = 0x004;
/** Virtio device ID (subsystem device ID; 0 means no device). */
export const VIRTIO_MMIO_DEVICE_ID = 0x008;
/** Virtio subsystem vendor ID. */
export const VIRTIO_MMIO_VENDOR_ID = 0x00c;
/** Bitmask of the features supported by the device, 32 bits selected by DEVICE_FEATURES_SEL. */
export const VIRTIO_MMIO_DEVICE_FEATURES = 0x010;
/** Device (host) features set selector. */
export const VIRTIO_MMIO_DEVICE_FEATURES_SEL = 0x014;
/** Bitmask of the features activated by the driver, 32 bits selected by DRIVER_FEATURES_SEL. */
export const VIRTIO_MMIO_DRIVER_FEATURES = 0x020;
/** Activated (guest) features set selector. */
export const VIRTIO_MMIO_DRIVER_FEATURES_SEL = 0x024;
/** Legacy only: guest's memory page size in bytes. */
export const VIRTIO_MMIO_GUEST_PAGE_SIZE = 0x028;
/** Queue selector. */
export const VIRTIO_MMIO_QUEUE_SEL = 0x030;
/** Maximum size of the currently selected queue. */
export const VIRTIO_MMIO_QUEUE_NUM_MAX = 0x034;
/** Queue size for the currently selected queue. */
export const VIRTIO_MMIO_QUEUE_NUM = 0x038;
/** Legacy only: used ring alignment for the currently selected queue. */
export const VIRTIO_MMIO_QUEUE_ALIGN = 0x03c;
/** Legacy only: guest's PFN for the currently selected queue. */
export const VIRTIO_MMIO_QUEUE_PFN = 0x040;
/** Ready bit for the currently selected queue. */
export const VIRTIO_MMIO_QUEUE_READY = 0x044;
/** Queue notifier (write the queue index). */
export const VIRTIO_MMIO_QUEUE_NOTIFY = 0x050;
/** Interrupt status (VIRTIO_MMIO_INT_VRING, VIRTIO_MMIO_INT_CONFIG). */
export const VIRTIO_MMIO_INTERRUPT_STATUS = 0x060;
/** Interrupt acknowledge. */
export const VIRTIO_MMIO_INTERRUPT_ACK = 0x064;
/** Device status register (VIRTIO_CONFIG_S_* bits). */
export const VIRTIO_MMIO_STATUS = 0x070;
/** Selected queue's descriptor table address, low 32 bits. */
export const VIRTIO_MMIO_QUEUE_DESC_LOW = 0x080;
/** Selected queue's descriptor table address, high 32 bits. */
export const VIRTIO_MMIO_QUEUE_DESC_HIGH = 0x084;
/** Selected queue's available ring (driver area) address, low 32 bits. */
export const VIRTIO_MMIO_QUEUE_AVAIL_LOW = 0x090;
/** Selected queue's available ring (driver area) address, high 32 bits. */
export const VIRTIO_MMIO_QUEUE_AVAIL_HIGH = 0x094;
/** Selected queue's used ring (device area) address, low 32 bits. */
export const VIRTIO_MMIO_QUEUE_USED_LOW = 0x0a0;
/** Selected queue's used ring (device area) address, high 32 bits. */
export const VIRTIO_MMIO_QUEUE_USED_HIGH = 0x0a4;
/** Shared memory region id. */
export const VIRTIO_MMIO_SHM_SEL = 0x0ac;
/** Shared memory region length, low 32 bits. */
export const VIRTIO_MMIO_SHM_LEN_LOW = 0x0b0;
/** Shared memory region length, high 32 bits. */
export const VIRTIO_MMIO_SHM_LEN_HIGH = 0x0b4;
/** Shared memory region base address, low 32 bits. */
export const VIRTIO_MMIO_SHM_BASE_LOW = 0x0b8;
/** Shared memory region base address, high 32 bits. */
export const VIRTIO_MMIO_SHM_BASE_HIGH = 0x0bc;
/** Configuration atomicity value. */
export const VIRTIO_MMIO_CONFIG_GENERATION = 0x0fc;
/** The device-specific configuration space starts here. */
export const VIRTIO_MMIO_CONFIG = 0x100;

/** Interrupt status bit: the device used a buffer in at least one virtqueue. */
export const VIRTIO_MMIO_INT_VRING = 1 << 0;
/** Interrupt status bit: the configuration of the device has changed. */
export const VIRTIO_MMIO_INT_CONFIG = 1 << 1;

/**
 * The value of the MagicValue register: 0x74726976, the bytes "virt" read as a little-endian u32.
 * The kernel has no name for it: virtio_mmio.c compares with
 * `('v' | 'i' << 8 | 'r' << 16 | 't' << 24)`.
 */
export const VIRTIO_MMIO_MAGIC = 0x74726976;
/** The Version register value of the virtio 1.x ("modern") MMIO layout modelled here. */
export const VIRTIO_MMIO_VERSION_MODERN = 2;
/** The Version register value of the legacy MMIO layout (QueuePFN, QueueAlign, GuestPageSize). */
export const VIRTIO_MMIO_VERSION_LEGACY = 1;
