// Fields of a dissection, in Wireshark's labels, from two sides: what tshark
// printed (`tshark -V`), and what k's codec says about the same bytes. The
// differential test compares the two lists.
import {
  IEEE802154_ADDR_LONG,
  IEEE802154_ADDR_SHORT,
  IEEE802154_SCF,
  cmdIdOf,
  formatExtendedAddr,
  ieee802154_sechdr_authtag_len,
  parse,
  type ieee802154_addr,
} from '../../src/index';

/** Labels compared; for the others (headers, expert info, sub-fields of IEs) nothing is compared. */
const LABELS = new Set([
  'Frame Type', 'Security Enabled', 'Frame Pending', 'Acknowledge Request', 'PAN ID Compression',
  'Sequence Number Suppression', 'Information Elements Present', 'Destination Addressing Mode', 'Frame Version',
  'Source Addressing Mode', 'Sequence Number', 'Destination PAN', 'Destination', 'Source PAN', 'Source',
  'Extended Source', 'Beacon Interval', 'Superframe Interval', 'Final CAP Slot', 'Battery Extension',
  'PAN Coordinator', 'Association Permit', 'GTS Descriptor Count', 'GTS Permit', 'Address', 'Pending Addresses',
  'Command Identifier', 'Alternate PAN Coordinator', 'Device Type', 'Power Source', 'Receive On When Idle',
  'Security Capability', 'Allocate Address', 'Short Address', 'Association Status', 'Disassociation Reason', 'PAN ID',
  'Coordinator Short Address', 'Logical Channel', 'Channel Page', 'GTS Length', 'GTS Direction',
  'Characteristic Type', 'Security Control Field', 'Security Level', 'Key Identifier Mode', 'Frame Counter',
  'Key Source', 'Key Index', 'MIC', 'IE Header', 'FCS', 'Data',
]);
/** Labels whose whole value is compared (they list several numbers). */
const WHOLE = new Set(['Address', 'Pending Addresses']);

/** One "Label=value" per field, in the order printed. */
export type Facts = string[];

/** Splits `tshark -V` output into one block of lines per frame. */
export function splitFrames(text: string): string[][] {
  const frames: string[][] = [];
  for (const line of text.split('\n')) {
    if (/^Frame \d+:/.test(line)) frames.push([]);
    if (frames.length) frames.at(-1)!.push(line);
  }
  return frames;
}

/** The compared fields of one frame of `tshark -V` output (the IEEE 802.15.4 tree and the Data tree). */
export function tsharkFacts(lines: string[]): Facts {
  const facts: Facts = [];
  let section = '';
  for (const raw of lines) {
    if (/^[0-9a-f]{4} {2}/.test(raw)) continue; // hex dump of the Data tree
    if (/^\S/.test(raw)) {
      section = raw.startsWith('IEEE 802.15.4') ? 'wpan' : raw.startsWith('Data (') ? 'data' : 'other';
      continue;
    }
    if (section !== 'wpan' && section !== 'data') continue;
    const line = raw.trim();
    if (line.startsWith('[')) continue;
    const bits = /^([.01 ]+) = ([^:]+): (.*)$/.exec(line);
    if (bits) {
      const label = bits[2]!;
      if (LABELS.has(label)) facts.push(`${label}=${parseInt(bits[1]!.replace(/[ .]/g, ''), 2)}`);
      continue;
    }
    const kv = /^([^:]+): (.*)$/.exec(line);
    if (!kv) continue;
    const label = kv[1]!;
    if (!LABELS.has(label) || (label === 'Data' && section !== 'data')) continue;
    let value = kv[2]!;
    if (label === 'FCS') value = value.replace(/^(0x[0-9a-f]{4}) \((Correct|Incorrect).*$/, '$1 $2');
    else if (label === 'Command Identifier') value = /\((0x[0-9a-f]{2})\)$/.exec(value)?.[1] ?? value;
    else if (WHOLE.has(label)) value = value.replace(/ \([0-9a-f:]{23}\)$/, '');
    else value = value.replace(/ \(.*\)$/, '').split(', ')[0]!;
    facts.push(`${label}=${value}`);
  }
  return facts;
}

const h = (v: number, digits: number) => `0x${v.toString(16).padStart(digits, '0')}`;
const hexBytes = (b: Uint8Array) => Buffer.from(b).toString('hex');

function addrFacts(facts: Facts, which: 'Destination' | 'Source', a: ieee802154_addr): void {
  if (a.pan_id !== undefined) facts.push(`${which} PAN=${h(a.pan_id, 4)}`);
  if (a.mode === IEEE802154_ADDR_SHORT) facts.push(`${which}=${h(a.short_addr, 4)}`);
  if (a.mode === IEEE802154_ADDR_LONG) facts.push(`${which === 'Source' ? 'Extended Source' : 'Destination'}=${formatExtendedAddr(a.extended_addr)}`);
}

/** What k's codec says about the same bytes, in the same labels. */
export function codecFacts(bytes: Uint8Array): Facts {
  const r = parse(bytes, { fcs: 'ignore' });
  if (!r.ok) return [`error=${r.error.kind}`];
  const f = r.value;
  const { fc, sec } = f.hdr;
  const facts: Facts = [
    `Frame Type=${fc.type}`,
    `Security Enabled=${+fc.security_enabled}`,
    `Frame Pending=${+fc.frame_pending}`,
    `Acknowledge Request=${+fc.ack_request}`,
    `PAN ID Compression=${+fc.intra_pan}`,
    `Sequence Number Suppression=${+fc.seq_num_suppression}`,
    `Information Elements Present=${+fc.ie_present}`,
    `Destination Addressing Mode=${fc.dest_addr_mode}`,
    `Frame Version=${fc.version}`,
    `Source Addressing Mode=${fc.source_addr_mode}`,
  ];
  if (f.hdr.seq !== undefined) facts.push(`Sequence Number=${f.hdr.seq}`);
  addrFacts(facts, 'Destination', f.hdr.dest);
  addrFacts(facts, 'Source', f.hdr.source);
  let micLen = 0;
  if (sec) {
    const scf = sec.level | (sec.key_id_mode << IEEE802154_SCF.key_id_mode.shift) | (+sec.asn_in_nonce << IEEE802154_SCF.asn_in_nonce.shift);
    facts.push(`Security Control Field=${h(scf, 2)}`, `Security Level=${sec.level}`, `Key Identifier Mode=${sec.key_id_mode}`);
    if (sec.frame_counter !== undefined) facts.push(`Frame Counter=${sec.frame_counter}`);
    // Wireshark prints the key source octets in the order they are sent.
    // (a 4-octet key source as a 64-bit number: eight hex zeros, then its four octets).
    if (sec.short_src !== undefined) facts.push(`Key Source=0x00000000${hexBytes(Uint8Array.from({ length: 4 }, (_, i) => (sec.short_src! >>> (8 * i)) & 0xff))}`);
    if (sec.extended_src !== undefined) facts.push(`Key Source=0x${hexBytes(Uint8Array.from({ length: 8 }, (_, i) => Number((sec.extended_src! >> BigInt(8 * i)) & 0xffn)))}`);
    if (sec.key_id !== undefined) facts.push(`Key Index=${h(sec.key_id, 2)}`);
    micLen = ieee802154_sechdr_authtag_len(sec);
  }
  for (const ie of f.header_ies ?? []) facts.push(`IE Header=${h(ie.content.length | (ie.element_id << 7), 4)}`);
  for (const ie of f.payload_ies ?? []) facts.push(`IE Header=${h(ie.content.length | (ie.group_id << 11) | 0x8000, 4)}`);
  const body = f.body;
  // tshark prints the payload in its own Data tree, after the FCS.
  let data: Uint8Array = new Uint8Array();
  if (body.kind === 'beacon') {
    const b = body.beacon;
    facts.push(
      `Beacon Interval=${b.beacon_order}`,
      `Superframe Interval=${b.superframe_order}`,
      `Final CAP Slot=${b.final_cap_slot}`,
      `Battery Extension=${+b.battery_life_ext}`,
      `PAN Coordinator=${+b.pan_coordinator}`,
      `Association Permit=${+b.assoc_permit}`,
      `GTS Descriptor Count=${b.gts_list.length}`,
      `GTS Permit=${b.gts_permit ? 'True' : 'False'}`,
    );
    b.gts_list.forEach((d) => facts.push(`Address=${h(d.short_addr, 4)}, Slot: ${d.starting_slot}, Length: ${d.length}`));
    facts.push(`Pending Addresses=${b.pend_short_addrs.length} Short and ${b.pend_ext_addrs.length} Long`);
    b.pend_short_addrs.forEach((a) => facts.push(`Address=${h(a, 4)}`));
    b.pend_ext_addrs.forEach((a) => facts.push(`Address=${formatExtendedAddr(a)}`));
    if (b.payload.length) data = b.payload;
  } else if (body.kind === 'command') {
    const c = body.command;
    facts.push(`Command Identifier=${h(cmdIdOf(c), 2)}`);
    switch (c.kind) {
      case 'association_req': {
        const k = c.capability;
        facts.push(
          `Alternate PAN Coordinator=${+k.reserved1}`,
          `Device Type=${+k.device_type}`,
          `Power Source=${+k.power_source}`,
          `Receive On When Idle=${+k.rx_on_when_idle}`,
          `Security Capability=${+k.security_cap}`,
          `Allocate Address=${+k.alloc_addr}`,
        );
        break;
      }
      case 'association_resp':
        facts.push(`Short Address=${h(c.short_addr, 4)}`, `Association Status=${h(c.status, 2)}`);
        break;
      case 'disassociation_notify':
        facts.push(`Disassociation Reason=${h(c.reason, 2)}`);
        break;
      case 'coord_realign_notify':
        facts.push(`PAN ID=${h(c.pan_id, 4)}`, `Coordinator Short Address=${h(c.coord_short_addr, 4)}`, `Logical Channel=${c.channel}`, `Short Address=${h(c.short_addr, 4)}`);
        if (c.channel_page !== undefined) facts.push(`Channel Page=${c.channel_page}`);
        break;
      case 'gts_req':
        facts.push(`GTS Length=${c.characteristics.length}`, `GTS Direction=${c.characteristics.direction}`, `Characteristic Type=${c.characteristics.characteristics_type}`);
        break;
      default:
        break;
    }
  } else {
    data = body.payload.subarray(0, body.payload.length - micLen);
    if (micLen) facts.push(`MIC=${hexBytes(body.payload.subarray(body.payload.length - micLen))}`);
  }
  const fcs = f.fcs!;
  facts.push(`FCS=${h(fcs, 4)} ${parse(bytes).ok ? 'Correct' : 'Incorrect'}`);
  if (data.length) facts.push(`Data=${hexBytes(data)}`);
  return facts;
}
