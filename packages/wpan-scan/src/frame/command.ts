// MAC command payloads: IEEE Std 802.15.4-2006 7.3 (command identifiers of
// Table 82; association request 7.3.1 with its capability information,
// association response 7.3.2, disassociation notification 7.3.3, data request
// 7.3.4, PAN ID conflict notification 7.3.5, orphan notification 7.3.6,
// beacon request 7.3.7, coordinator realignment 7.3.8, GTS request 7.3.9).
// Kernel names: include/linux/ieee802154.h (IEEE802154_CMD_*),
// include/net/ieee802154_netdev.h (struct ieee802154_mac_cmd_pl,
// struct ieee802154_assoc_req_pl); later kernels' active scan sends
// IEEE802154_CMD_BEACON_REQ (mac802154_scan_prepare_beacon_req()).
import { type ByteReader, checkBool, checkBytes, checkUint, type ByteSink } from './bytes';
import {
  IEEE802154_ASSOC_REQ_CAP,
  IEEE802154_CMD_ASSOCIATION_REQ,
  IEEE802154_CMD_ASSOCIATION_RESP,
  IEEE802154_CMD_BEACON_REQ,
  IEEE802154_CMD_COORD_REALIGN_NOTIFY,
  IEEE802154_CMD_DATA_REQ,
  IEEE802154_CMD_DISASSOCIATION_NOTIFY,
  IEEE802154_CMD_GTS_REQ,
  IEEE802154_CMD_ORPHAN_NOTIFY,
  IEEE802154_CMD_PANID_CONFLICT_NOTIFY,
  IEEE802154_GTS_CHARACTERISTICS,
  getBits,
  setBits,
} from './constants';
import { fail } from './errors';

/** struct ieee802154_assoc_req_pl: the capability information octet (2006 7.3.1.2; bit 0 is the 2006 "alternate PAN coordinator", reserved since 2011). */
export interface ieee802154_assoc_req_pl {
  reserved1: boolean;
  /** 1: full-function device. */
  device_type: boolean;
  /** 1: mains powered. */
  power_source: boolean;
  rx_on_when_idle: boolean;
  /** 2015: fast association. */
  assoc_type: boolean;
  reserved2: boolean;
  security_cap: boolean;
  /** 1: the device asks the coordinator for a short address. */
  alloc_addr: boolean;
}

/** GTS characteristics octet of a GTS request (2006 7.3.9.2). */
export interface ieee802154_gts_characteristics {
  length: number;
  /** 1: receive-only GTS. */
  direction: number;
  /** 1: allocation, 0: deallocation. */
  characteristics_type: number;
  reserved: number;
}

/** A MAC command: its identifier and payload, decoded for the identifiers of 2006 and carried raw for the others. */
export type MacCommand =
  | { kind: 'association_req'; capability: ieee802154_assoc_req_pl }
  | { kind: 'association_resp'; short_addr: number; status: number }
  | { kind: 'disassociation_notify'; reason: number }
  | { kind: 'data_req' }
  | { kind: 'panid_conflict_notify' }
  | { kind: 'orphan_notify' }
  | { kind: 'beacon_req' }
  | { kind: 'coord_realign_notify'; pan_id: number; coord_short_addr: number; channel: number; short_addr: number; channel_page?: number }
  | { kind: 'gts_req'; characteristics: ieee802154_gts_characteristics }
  /** Any other command identifier (reserved, or a 2015 command k does not decode), payload raw. */
  | { kind: 'other'; cmd_id: number; payload: Uint8Array };

const CMD_IDS = {
  association_req: IEEE802154_CMD_ASSOCIATION_REQ,
  association_resp: IEEE802154_CMD_ASSOCIATION_RESP,
  disassociation_notify: IEEE802154_CMD_DISASSOCIATION_NOTIFY,
  data_req: IEEE802154_CMD_DATA_REQ,
  panid_conflict_notify: IEEE802154_CMD_PANID_CONFLICT_NOTIFY,
  orphan_notify: IEEE802154_CMD_ORPHAN_NOTIFY,
  beacon_req: IEEE802154_CMD_BEACON_REQ,
  coord_realign_notify: IEEE802154_CMD_COORD_REALIGN_NOTIFY,
  gts_req: IEEE802154_CMD_GTS_REQ,
} as const;

/** The command identifier octet of a command. */
export function cmdIdOf(cmd: MacCommand): number {
  return cmd.kind === 'other' ? cmd.cmd_id : CMD_IDS[cmd.kind];
}

const CAP_BITS = Object.keys(IEEE802154_ASSOC_REQ_CAP) as Array<keyof typeof IEEE802154_ASSOC_REQ_CAP>;

function lengthRule(cmdId: number, allowed: readonly number[], actual: number, offset: number): void {
  if (!allowed.includes(actual)) {
    fail('command-payload-length', `MAC command 0x${cmdId.toString(16).padStart(2, '0')} carries ${actual} payload octet(s), the standard gives it ${allowed.join(' or ')}`, {
      field: 'command payload',
      offset,
      expected: allowed[0]!,
      actual,
    });
  }
}

/** Reads a command identifier and its payload from `r` up to its end. @internal */
export function readCommand(r: ByteReader): MacCommand {
  const cmdId = r.u8('command identifier');
  const at = r.pos;
  const len = r.remaining;
  switch (cmdId) {
    case IEEE802154_CMD_ASSOCIATION_REQ: {
      lengthRule(cmdId, [1], len, at);
      const c = r.u8('capability information');
      const capability = Object.fromEntries(CAP_BITS.map((k) => [k, getBits(c, IEEE802154_ASSOC_REQ_CAP[k]) === 1])) as unknown as ieee802154_assoc_req_pl;
      return { kind: 'association_req', capability };
    }
    case IEEE802154_CMD_ASSOCIATION_RESP:
      lengthRule(cmdId, [3], len, at);
      return { kind: 'association_resp', short_addr: r.u16('short address'), status: r.u8('association status') };
    case IEEE802154_CMD_DISASSOCIATION_NOTIFY:
      lengthRule(cmdId, [1], len, at);
      return { kind: 'disassociation_notify', reason: r.u8('disassociation reason') };
    case IEEE802154_CMD_DATA_REQ:
    case IEEE802154_CMD_PANID_CONFLICT_NOTIFY:
    case IEEE802154_CMD_ORPHAN_NOTIFY:
    case IEEE802154_CMD_BEACON_REQ: {
      lengthRule(cmdId, [0], len, at);
      const kind = (['data_req', 'panid_conflict_notify', 'orphan_notify', 'beacon_req'] as const)[cmdId - IEEE802154_CMD_DATA_REQ]!;
      return { kind };
    }
    case IEEE802154_CMD_COORD_REALIGN_NOTIFY: {
      // The channel page octet is optional (present in frame version 1 when the page changes).
      lengthRule(cmdId, [7, 8], len, at);
      const cmd: MacCommand = {
        kind: 'coord_realign_notify',
        pan_id: r.u16('PAN identifier'),
        coord_short_addr: r.u16('coordinator short address'),
        channel: r.u8('channel number'),
        short_addr: r.u16('short address'),
      };
      if (r.remaining === 1) cmd.channel_page = r.u8('channel page');
      return cmd;
    }
    case IEEE802154_CMD_GTS_REQ: {
      lengthRule(cmdId, [1], len, at);
      const c = r.u8('GTS characteristics');
      return {
        kind: 'gts_req',
        characteristics: {
          length: getBits(c, IEEE802154_GTS_CHARACTERISTICS.length),
          direction: getBits(c, IEEE802154_GTS_CHARACTERISTICS.direction),
          characteristics_type: getBits(c, IEEE802154_GTS_CHARACTERISTICS.characteristics_type),
          reserved: getBits(c, IEEE802154_GTS_CHARACTERISTICS.reserved),
        },
      };
    }
    default:
      return { kind: 'other', cmd_id: cmdId, payload: r.rest() };
  }
}

/** Validates a command for emit(). @internal */
export function checkCommand(cmd: MacCommand): void {
  if (typeof cmd !== 'object' || cmd === null) fail('invalid-field', 'command must be an object', { field: 'command' });
  switch (cmd.kind) {
    case 'association_req':
      if (typeof cmd.capability !== 'object' || cmd.capability === null) fail('invalid-field', 'command.capability must be an object', { field: 'command.capability' });
      for (const k of CAP_BITS) checkBool(`command.capability.${k}`, cmd.capability[k]);
      return;
    case 'association_resp':
      checkUint('command.short_addr', cmd.short_addr, 16);
      checkUint('command.status', cmd.status, 8);
      return;
    case 'disassociation_notify':
      checkUint('command.reason', cmd.reason, 8);
      return;
    case 'data_req':
    case 'panid_conflict_notify':
    case 'orphan_notify':
    case 'beacon_req':
      return;
    case 'coord_realign_notify':
      checkUint('command.pan_id', cmd.pan_id, 16);
      checkUint('command.coord_short_addr', cmd.coord_short_addr, 16);
      checkUint('command.channel', cmd.channel, 8);
      checkUint('command.short_addr', cmd.short_addr, 16);
      if (cmd.channel_page !== undefined) checkUint('command.channel_page', cmd.channel_page, 8);
      return;
    case 'gts_req':
      checkUint('command.characteristics.length', cmd.characteristics?.length, 4);
      checkUint('command.characteristics.direction', cmd.characteristics.direction, 1);
      checkUint('command.characteristics.characteristics_type', cmd.characteristics.characteristics_type, 1);
      checkUint('command.characteristics.reserved', cmd.characteristics.reserved, 2);
      return;
    case 'other':
      checkUint('command.cmd_id', cmd.cmd_id, 8);
      if (Object.values(CMD_IDS).includes(cmd.cmd_id as never)) {
        fail('invalid-field', `command identifier 0x${cmd.cmd_id.toString(16)} has its own kind: use it instead of 'other'`, { field: 'command.cmd_id' });
      }
      checkBytes('command.payload', cmd.payload);
      return;
    default:
      fail('invalid-field', `command.kind ${String((cmd as { kind: unknown }).kind)} is not a MAC command kind`, { field: 'command.kind' });
  }
}

/** Writes a (checked) command. @internal */
export function writeCommand(w: ByteSink, cmd: MacCommand): void {
  w.u8(cmdIdOf(cmd));
  switch (cmd.kind) {
    case 'association_req': {
      let c = 0;
      for (const k of CAP_BITS) c = setBits(c, IEEE802154_ASSOC_REQ_CAP[k], +cmd.capability[k]);
      w.u8(c);
      return;
    }
    case 'association_resp':
      w.u16(cmd.short_addr);
      w.u8(cmd.status);
      return;
    case 'disassociation_notify':
      w.u8(cmd.reason);
      return;
    case 'coord_realign_notify':
      w.u16(cmd.pan_id);
      w.u16(cmd.coord_short_addr);
      w.u8(cmd.channel);
      w.u16(cmd.short_addr);
      if (cmd.channel_page !== undefined) w.u8(cmd.channel_page);
      return;
    case 'gts_req': {
      const g = cmd.characteristics;
      let c = 0;
      c = setBits(c, IEEE802154_GTS_CHARACTERISTICS.length, g.length);
      c = setBits(c, IEEE802154_GTS_CHARACTERISTICS.direction, g.direction);
      c = setBits(c, IEEE802154_GTS_CHARACTERISTICS.characteristics_type, g.characteristics_type);
      c = setBits(c, IEEE802154_GTS_CHARACTERISTICS.reserved, g.reserved);
      w.u8(c);
      return;
    }
    case 'other':
      w.bytes(cmd.payload);
      return;
    default:
      return;
  }
}
