// The frames of a simulated scan as a pcap capture (LINKTYPE_IEEE802_15_4_WITHFCS,
// 195), timestamped in virtual time: Wireshark and tshark open it.

import { LINKTYPE_IEEE802_15_4_WITHFCS, writePcap } from '@k/hw-emu';
import type { CapturedFrame } from './simulate';

/** A pcap file (nanosecond timestamps) of the frames, each at the start of its airtime. */
export function pcapOf(frames: readonly CapturedFrame[]): Uint8Array {
  return writePcap({ linktype: LINKTYPE_IEEE802_15_4_WITHFCS, resolution: 'ns' }, frames.map((f) => ({ timestampNs: f.startNs, data: f.psdu })));
}
