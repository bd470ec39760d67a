// README example (crc_ccitt and pcap). Run: npx tsx examples/crc-pcap.ts (after a build).
/* eslint-disable @typescript-eslint/no-unused-expressions -- each bare expression shows a value */
import { LINKTYPE_IEEE802_15_4_WITHFCS, PcapWriter, appendFcs, crc_ccitt, crc_ccitt_false, readPcap } from '@k/hw-emu';

const ascii = (s: string) => new TextEncoder().encode(s);
crc_ccitt(0, ascii('123456789'));       // => 0x2189
crc_ccitt_false(0xffff, ascii('123456789'));  // => 0x29b1

// An 802.15.4 imm-ack (frame control 0x0002, sequence 0x56) and its FCS, least significant octet first.
const ack = appendFcs(Uint8Array.of(0x02, 0x00, 0x56));
[...ack];                               // => [0x02, 0x00, 0x56, 0x0b, 0x82]
crc_ccitt(0, ack);                      // => 0

const w = new PcapWriter({ linktype: LINKTYPE_IEEE802_15_4_WITHFCS });   // nanosecond timestamps, little-endian
w.write({ timestampNs: 15_360_000, data: ack });
const file = w.bytes();
file.length;                            // => 24 + 16 + 5
const back = readPcap(file);
back.ok && back.value.header;           // => { linktype: 195, resolution: 'ns', byteOrder: 'le', snaplen: 262144 }
back.ok && back.value.records[0];       // => { timestampNs: 15_360_000n, seconds: 0, nanoseconds: 15_360_000, originalLength: 5 }

const cut = readPcap(file.subarray(0, 30));
cut.ok || cut.error.kind;               // => 'truncated-record-header'
readPcap(file.subarray(0, 30), { allowTruncatedTail: true });   // => { ok: true, value: { records: [], truncatedTail: true } }
