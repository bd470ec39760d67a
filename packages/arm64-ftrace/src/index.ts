// @k/arm64-ftrace: placeholder until its own issue lands (see the package README).
export {};
