// @k/wpan-scan: the one public door of the package.

// IEEE 802.15.4 frame codec (src/frame).
export {
  IEEE802154_MTU, IEEE802154_ACK_PSDU_LEN, IEEE802154_MIN_PSDU_LEN, IEEE802154_FCS_LEN, IEEE802154_EXTENDED_ADDR_LEN,
  IEEE802154_SHORT_ADDR_LEN, IEEE802154_PAN_ID_BROADCAST, IEEE802154_ADDR_SHORT_BROADCAST, IEEE802154_ADDR_SHORT_UNSPEC,
  IEEE802154_FC_TYPE_BEACON, IEEE802154_FC_TYPE_DATA, IEEE802154_FC_TYPE_ACK, IEEE802154_FC_TYPE_MAC_CMD,
  IEEE802154_FC_TYPE_RESERVED, IEEE802154_FC_TYPE_MULTIPURPOSE, IEEE802154_FC_TYPE_FRAK, IEEE802154_FC_TYPE_EXTENDED,
  IEEE802154_2003_STD, IEEE802154_2006_STD, IEEE802154_STD, IEEE802154_RESERVED_STD,
  IEEE802154_ADDR_NONE, IEEE802154_ADDR_RESERVED, IEEE802154_ADDR_SHORT, IEEE802154_ADDR_LONG,
  IEEE802154_FC, IEEE802154_MHR, IEEE802154_SCF, IEEE802154_SCF_KEY_IMPLICIT, IEEE802154_SCF_KEY_INDEX,
  IEEE802154_SCF_KEY_SHORT_INDEX, IEEE802154_SCF_KEY_HW_INDEX, IEEE802154_SCF_SECLEVEL_NONE,
  IEEE802154_SCF_SECLEVEL_MIC32, IEEE802154_SCF_SECLEVEL_MIC64, IEEE802154_SCF_SECLEVEL_MIC128,
  IEEE802154_SCF_SECLEVEL_ENC, IEEE802154_SCF_SECLEVEL_ENC_MIC32, IEEE802154_SCF_SECLEVEL_ENC_MIC64,
  IEEE802154_SCF_SECLEVEL_ENC_MIC128, IEEE802154_SUPERFRAME_SPEC, IEEE802154_GTS_SPEC, IEEE802154_GTS_DESC,
  IEEE802154_GTS_DESC_LEN, IEEE802154_PEND_ADDR_SPEC, IEEE802154_MAX_PEND_ADDRS, IEEE802154_BEACON,
  IEEE802154_CMD_ASSOCIATION_REQ, IEEE802154_CMD_ASSOCIATION_RESP, IEEE802154_CMD_DISASSOCIATION_NOTIFY,
  IEEE802154_CMD_DATA_REQ, IEEE802154_CMD_PANID_CONFLICT_NOTIFY, IEEE802154_CMD_ORPHAN_NOTIFY,
  IEEE802154_CMD_BEACON_REQ, IEEE802154_CMD_COORD_REALIGN_NOTIFY, IEEE802154_CMD_GTS_REQ, IEEE802154_ASSOC_REQ_CAP,
  IEEE802154_GTS_CHARACTERISTICS, IEEE802154_ASSOCIATION_SUCCESSFUL, IEEE802154_PAN_AT_CAPACITY,
  IEEE802154_PAN_ACCESS_DENIED, IEEE802154_HOPPING_SEQUENCE_OFFSET_DUP, IEEE802154_FAST_ASSOCIATION_SUCCESSFUL,
  IEEE802154_COORD_WISHES_DEVICE_TO_LEAVE, IEEE802154_DEVICE_WISHES_TO_LEAVE, IEEE802154_HEADER_IE,
  IEEE802154_PAYLOAD_IE, IEEE802154_IE_HT1, IEEE802154_IE_HT2, IEEE802154_IE_PT,
  encodeFc, decodeFc, panIdPresence, isOpaqueFrameType, ieee802154_sechdr_authtag_len, effectivePanIds,
  formatExtendedAddr, parseExtendedAddr, superframeSpecOf, decodeSuperframeSpec, makeBeacon, cmdIdOf,
  parse, emit, bufferLen, Ieee802154FrameError, Ieee802154FrameView, ieee802154_fcs, ieee802154_fcs_ok, makeHeader,
  buildBeaconFrame, buildBeaconRequestFrame, buildCommandFrame, buildDataFrame, buildAckFrame,
} from './frame/index';
export type {
  BitField, FrameError, FrameErrorKind, FrameResult, ieee802154_hdr, ieee802154_hdr_fc, ieee802154_addr,
  ieee802154_sechdr, PanIdPresence, ieee802154_beacon, ieee802154_gts_desc, MacCommand, ieee802154_assoc_req_pl,
  ieee802154_gts_characteristics, HeaderIe, PayloadIe, Ieee802154Frame, FrameBody, FcsMode, FcsEmitMode, MhrLayout,
  AddressInput, HeaderInput,
} from './frame/index';

// The mac802154 model of seed 000 (src/mac): kernel names, the seed's locking and bugs, its fixes.
export {
  IEEE802154_MAX_PAGE, IEEE802154_MAX_CHANNEL, IEEE802154_MAX_SCAN_DURATION, IEEE802154_ACTIVE_SCAN_DURATION, IEEE802154_SUPERFRAME_PERIOD,
  IEEE802154_SLOT_PERIOD, IEEE802154_LIFS_PERIOD, IEEE802154_SIFS_PERIOD, IEEE802154_PANID_BROADCAST, IEEE802154_ADDR_BROADCAST,
  IEEE802154_ADDR_UNDEF, IEEE802154_IS_SCANNING, IEEE802154_IS_BEACONING, SDATA_STATE_RUNNING, IEEE802154_HW_TX_OMIT_CKSUM,
  IEEE802154_HW_LBT, IEEE802154_HW_CSMA_PARAMS, IEEE802154_HW_FRAME_RETRIES, IEEE802154_HW_AFILT, IEEE802154_HW_PROMISCUOUS,
  IEEE802154_HW_RX_OMIT_CKSUM, IEEE802154_HW_RX_DROP_BAD_CKSUM, IEEE802154_AFILT_SADDR_CHANGED, IEEE802154_AFILT_IEEEADDR_CHANGED,
  IEEE802154_AFILT_PANID_CHANGED, IEEE802154_AFILT_PANC_CHANGED, IEEE802154_RX_MSG, NL802154_IFTYPE_NODE, NL802154_IFTYPE_MONITOR,
  NL802154_IFTYPE_COORD, NL802154_SCAN_ED, NL802154_SCAN_ACTIVE, NL802154_SCAN_PASSIVE, NL802154_SCAN_ORPHAN, NL802154_SCAN_ENHANCED_ACTIVE,
  NL802154_SCAN_RIT_PASSIVE, NL802154_SCAN_DONE_REASON_FINISHED, NL802154_SCAN_DONE_REASON_ABORTED, NET_RX_SUCCESS, NET_RX_DROP,
  PACKET_HOST, PACKET_BROADCAST, PACKET_OTHERHOST, ptr,
} from './mac/defs';
export type {
  Ptr, wpan_phy, wpan_dev, net_device, ieee802154_sub_if_data, cfg802154_scan_request, cfg802154_mac_pkt, ieee802154_coord_desc,
  ieee802154_hw, ieee802154_hw_addr_filt, ieee802154_ops, cfg802154_beacon_request, Nl802154Message, ieee802154_local, Dwell, MacGhost,
  Nl802154Group,
} from './mac/defs';
export { ALL_FIXES, SEED_MAC, FIXED_MAC, macWithFixes, hasFix } from './mac/config';
export type { MacFix, MacConfig } from './mac/config';
export {
  TaskletStruct, tasklet_setup, tasklet_schedule, tasklet_kill, Host, rtnl_lock, rtnl_unlock, ASSERT_RTNL, ListHead, INIT_LIST_HEAD,
  list_add_tail, list_del, list_empty, list_first_entry, list_entries, alloc_skb, skb_get, kfree_skb, skb_pull, skb_trim, SkbQueue,
  skb_queue_tail, skb_dequeue, skb_queue_purge,
} from './mac/kernel';
export type { sk_buff, ieee802154_mac_cb, SkbGhost } from './mac/kernel';
export { drv_start, drv_stop, drv_xmit_async, drv_set_channel, drv_set_promiscuous_mode, drv_set_hw_addr_filt } from './mac/driver-ops';
export {
  ieee802154_hold_queue, ieee802154_release_queue, ieee802154_sync_queue, ieee802154_sync_and_hold_queue, ieee802154_mlme_op_pre,
  ieee802154_mlme_op_post, ieee802154_tx_begin, ieee802154_tx_end,
} from './mac/util';
export { ieee802154_alloc_hw, ieee802154_register_hw, ieee802154_unregister_hw, ieee802154_configure_durations, hw_to_local } from './mac/main';
export type { AllocHwOptions } from './mac/main';
export {
  IEEE802154_WPAN_DEV_TO_SUB_IF, ieee802154_sdata_running, ieee802154_if_add, mac802154_slave_open, mac802154_slave_close, dev_open, dev_close,
} from './mac/iface';
export type { IfAddOptions } from './mac/iface';
export { ieee802154_set_channel, mac802154_trigger_scan, mac802154_abort_scan } from './mac/cfg';
export {
  mac802154_is_scanning, mac802154_check_promiscuous, mac802154_set_promiscuous_mode, mac802154_send_scan_done, mac802154_end_of_scan,
  mac802154_abort_scan_locked, mac802154_scan_get_channel_time, mac802154_flush_queued_beacons, mac802154_scan_worker,
  mac802154_trigger_scan_locked, mac802154_process_beacon, mac802154_rx_beacon_worker,
} from './mac/scan';
export { ieee802154_rx_irqsafe, ieee802154_rx, ieee802154_subif_frame, mac802154_free_mac_pkt } from './mac/rx';
export { IEEE802154_SUCCESS, IEEE802154_SYSTEM_ERROR, ieee802154_tx, ieee802154_xmit_complete, ieee802154_mlme_tx_locked, ieee802154_mlme_tx } from './mac/tx';
export {
  mac802154_is_beaconing, mac802154_send_beacons_locked, mac802154_stop_beacons_locked, mac802154_beacon_worker, mac802154_rx_mac_cmd_worker,
} from './mac/beacon';
export type { BeaconTemplate, BeaconRequest } from './mac/beacon';
export { cfg802154_alloc_coordinator, cfg802154_record_coordinator, cfg802154_flush_known_coordinators } from './mac/pan';
export {
  nl802154_trigger_scan, nl802154_abort_scan, nl802154_set_channel, nl802154_advertise_new_coordinator, nl802154_send_scan_done, wpan_phy_priv,
} from './mac/nl802154';
export type { Nl802154ScanAttrs } from './mac/nl802154';
// The ktrx driver for @k/hw-emu's transceiver.
export { ktrx_ops, ktrx_alloc_priv, ktrx_hw_flags, ktrx_probe } from './driver/ktrx';
export type { ktrx_priv, KtrxOptions } from './driver/ktrx';
// Simulated hosts and networks, the scan API, iwpan output and pcap capture.
export { KTRX_CHANNELS, createWpanNode, nl802154_recv, teardownWpanNode } from './net/node';
export type { WpanNode, WpanNodeOptions } from './net/node';
export { coordBeacon, coordKey, beaconKeyOf, eventKey, buildScanWorld, checkBeaconReports } from './net/world';
export type { CoordSpec, ScanWorld, ScanWorldOptions } from './net/world';
export { WpanScanError } from './net/errors';
export type { WpanScanErrorKind } from './net/errors';
export { parseNetwork, EXAMPLE_NETWORK } from './net/network';
export type { Network, NetworkInput, NetworkCoordinator } from './net/network';
export { scanNetwork } from './net/simulate';
export type { ScanOptions, ScanResult, ScanCoordinator, CapturedFrame } from './net/simulate';
export { formatIwpanScan, formatIwpanCoordinator } from './net/iwpan';
export { pcapOf } from './net/pcap';
