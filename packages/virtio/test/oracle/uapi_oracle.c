/* Oracle for @k/virtio: prints what the kernel's UAPI headers (Debian linux-libc-dev:
 * linux/virtio_ring.h, linux/virtio_config.h, linux/virtio_mmio.h) say about the split
 * ring: struct sizes, field offsets and alignments, every constant the package exports,
 * vring_size and vring_init for every queue size and many alignments, and vring_need_event
 * on a grid of inputs including 16-bit wraparound. test/oracle.test.ts builds it with cc,
 * compares its output with test/golden/uapi-oracle.txt and the model with every line. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#define SIZE(t) printf("sizeof %s %zu\n", #t, sizeof(struct t))
#define ALIGN(t) printf("alignof %s %zu\n", #t, _Alignof(t))
#define OFF(t, f) printf("offsetof %s %s %zu\n", #t, #f, offsetof(struct t, f))
#define CONST(c) printf("const %s %llu\n", #c, (unsigned long long)(c))

static uint32_t lcg_state = 0x2545f491u;
static uint32_t lcg(void)
{
	lcg_state = lcg_state * 1664525u + 1013904223u;
	return lcg_state;
}

static void need(int e, int n, int o)
{
	printf("vring_need_event %d %d %d %d\n", e, n, o, vring_need_event(e, n, o));
}

int main(void)
{
	SIZE(vring_desc);
	OFF(vring_desc, addr);
	OFF(vring_desc, len);
	OFF(vring_desc, flags);
	OFF(vring_desc, next);
	SIZE(vring_avail);
	OFF(vring_avail, flags);
	OFF(vring_avail, idx);
	OFF(vring_avail, ring);
	SIZE(vring_used_elem);
	OFF(vring_used_elem, id);
	OFF(vring_used_elem, len);
	SIZE(vring_used);
	OFF(vring_used, flags);
	OFF(vring_used, idx);
	OFF(vring_used, ring);
	ALIGN(vring_desc_t);
	ALIGN(vring_avail_t);
	ALIGN(vring_used_t);
	ALIGN(vring_used_elem_t);

	CONST(VRING_DESC_F_NEXT);
	CONST(VRING_DESC_F_WRITE);
	CONST(VRING_DESC_F_INDIRECT);
	CONST(VRING_PACKED_DESC_F_AVAIL);
	CONST(VRING_PACKED_DESC_F_USED);
	CONST(VRING_USED_F_NO_NOTIFY);
	CONST(VRING_AVAIL_F_NO_INTERRUPT);
	CONST(VRING_PACKED_EVENT_FLAG_ENABLE);
	CONST(VRING_PACKED_EVENT_FLAG_DISABLE);
	CONST(VRING_PACKED_EVENT_FLAG_DESC);
	CONST(VRING_PACKED_EVENT_F_WRAP_CTR);
	CONST(VIRTIO_RING_F_INDIRECT_DESC);
	CONST(VIRTIO_RING_F_EVENT_IDX);
	CONST(VRING_AVAIL_ALIGN_SIZE);
	CONST(VRING_USED_ALIGN_SIZE);
	CONST(VRING_DESC_ALIGN_SIZE);
	CONST(VIRTIO_CONFIG_S_ACKNOWLEDGE);
	CONST(VIRTIO_CONFIG_S_DRIVER);
	CONST(VIRTIO_CONFIG_S_DRIVER_OK);
	CONST(VIRTIO_CONFIG_S_FEATURES_OK);
	CONST(VIRTIO_CONFIG_S_NEEDS_RESET);
	CONST(VIRTIO_CONFIG_S_FAILED);
	CONST(VIRTIO_TRANSPORT_F_START);
	CONST(VIRTIO_TRANSPORT_F_END);
	CONST(VIRTIO_F_NOTIFY_ON_EMPTY);
	CONST(VIRTIO_F_ANY_LAYOUT);
	CONST(VIRTIO_F_VERSION_1);
	CONST(VIRTIO_F_ACCESS_PLATFORM);
	CONST(VIRTIO_F_IOMMU_PLATFORM);
	CONST(VIRTIO_F_RING_PACKED);
	CONST(VIRTIO_F_IN_ORDER);
	CONST(VIRTIO_F_ORDER_PLATFORM);
	CONST(VIRTIO_F_SR_IOV);
	CONST(VIRTIO_F_RING_RESET);
	CONST(VIRTIO_MMIO_MAGIC_VALUE);
	CONST(VIRTIO_MMIO_VERSION);
	CONST(VIRTIO_MMIO_DEVICE_ID);
	CONST(VIRTIO_MMIO_VENDOR_ID);
	CONST(VIRTIO_MMIO_DEVICE_FEATURES);
	CONST(VIRTIO_MMIO_DEVICE_FEATURES_SEL);
	CONST(VIRTIO_MMIO_DRIVER_FEATURES);
	CONST(VIRTIO_MMIO_DRIVER_FEATURES_SEL);
	CONST(VIRTIO_MMIO_GUEST_PAGE_SIZE);
	CONST(VIRTIO_MMIO_QUEUE_SEL);
	CONST(VIRTIO_MMIO_QUEUE_NUM_MAX);
	CONST(VIRTIO_MMIO_QUEUE_NUM);
	CONST(VIRTIO_MMIO_QUEUE_ALIGN);
	CONST(VIRTIO_MMIO_QUEUE_PFN);
	CONST(VIRTIO_MMIO_QUEUE_READY);
	CONST(VIRTIO_MMIO_QUEUE_NOTIFY);
	CONST(VIRTIO_MMIO_INTERRUPT_STATUS);
	CONST(VIRTIO_MMIO_INTERRUPT_ACK);
	CONST(VIRTIO_MMIO_STATUS);
	CONST(VIRTIO_MMIO_QUEUE_DESC_LOW);
	CONST(VIRTIO_MMIO_QUEUE_DESC_HIGH);
	CONST(VIRTIO_MMIO_QUEUE_AVAIL_LOW);
	CONST(VIRTIO_MMIO_QUEUE_AVAIL_HIGH);
	CONST(VIRTIO_MMIO_QUEUE_USED_LOW);
	CONST(VIRTIO_MMIO_QUEUE_USED_HIGH);
	CONST(VIRTIO_MMIO_SHM_SEL);
	CONST(VIRTIO_MMIO_SHM_LEN_LOW);
	CONST(VIRTIO_MMIO_SHM_LEN_HIGH);
	CONST(VIRTIO_MMIO_SHM_BASE_LOW);
	CONST(VIRTIO_MMIO_SHM_BASE_HIGH);
	CONST(VIRTIO_MMIO_CONFIG_GENERATION);
	CONST(VIRTIO_MMIO_CONFIG);
	CONST(VIRTIO_MMIO_INT_VRING);
	CONST(VIRTIO_MMIO_INT_CONFIG);

	/* vring_size and vring_init for every power-of-2 queue size and alignments 1 .. 2^31.
	 * vring_init only does pointer arithmetic: the base is a made-up address, aligned to
	 * 2^31 (so offsets do not depend on it), plus a small skew to see the absolute alignment. */
	static const uintptr_t skews[] = { 0, 0x30, 0x1002 };
	for (unsigned int num = 1; num <= 32768; num *= 2) {
		for (unsigned long align = 1; align <= 0x80000000ul; align *= 2) {
			printf("vring_size %u %lu %u\n", num, align, vring_size(num, align));
			for (size_t s = 0; s < sizeof(skews) / sizeof(skews[0]); s++) {
				uintptr_t base = (uintptr_t)0x80000000ul * 4 + skews[s];
				struct vring vr;
				vring_init(&vr, num, (void *)base, align);
				printf("vring_init %u %lu %lu %lu %lu %lu %lu\n", num, align,
				       (unsigned long)skews[s],
				       (unsigned long)((uintptr_t)vr.avail - (base - skews[s])),
				       (unsigned long)((uintptr_t)vr.used - (base - skews[s])),
				       (unsigned long)((uintptr_t)&vring_used_event(&vr) - (base - skews[s])),
				       (unsigned long)((uintptr_t)&vring_avail_event(&vr) - (base - skews[s])));
			}
		}
	}

	/* vring_need_event: a grid around 0 and around the 16-bit wrap, corners, then pseudo-random
	 * triples, some of them outside 0..0xffff (C converts the int arguments to __u16). */
	static const int pts[] = { 0, 1, 2, 3, 127, 128, 255, 256, 0x7fff, 0x8000, 0x8001,
				   0xfffd, 0xfffe, 0xffff };
	const int np = sizeof(pts) / sizeof(pts[0]);
	for (int a = 0; a < np; a++)
		for (int b = 0; b < np; b++)
			for (int c = 0; c < np; c++)
				need(pts[a], pts[b], pts[c]);
	for (int k = 0; k < 1500; k++) {
		int o = lcg() & 0xffff;
		int n = (o + (lcg() % 300)) & 0xffff;
		int e = (o + (int)(lcg() % 340) - 20) & 0xffff;
		need(e, n, o);
	}
	for (int k = 0; k < 200; k++)
		need((int)(lcg() % 200000) - 70000, (int)(lcg() % 200000) - 70000, (int)(lcg() % 200000) - 70000);
	return 0;
}
