// @k/virtio: placeholder until its own issue lands (see the package README).
export {};
