// @k/conntrack: netfilter connection tracking with expectations, under the
// lock design before seed 001 (`global`: everything under nf_conntrack_lock)
// and after it (`split`: expectations under nf_conntrack_expect_lock), as a
// model the core-sync explorer checks; a packet-trace runner that prints the
// tables as conntrack-tools does; and a plain fast table for speed figures.
// The one public door of the package.

// ---- structures and constants ---------------------------------------------------------
export {
  IP_CT_ESTABLISHED, IP_CT_RELATED, IP_CT_NEW, IP_CT_IS_REPLY, IP_CT_ESTABLISHED_REPLY, IP_CT_RELATED_REPLY, CTINFO2DIR,
  IPS_EXPECTED_BIT, IPS_SEEN_REPLY_BIT, IPS_ASSURED_BIT, IPS_CONFIRMED_BIT, IPS_DYING_BIT, IPS_HELPER_BIT, IPS_EXPECTED, IPS_SEEN_REPLY,
  IPS_ASSURED, IPS_CONFIRMED, IPS_DYING, IPS_HELPER, NF_CT_EXPECT_PERMANENT, NF_CT_EXPECT_INACTIVE, NF_CT_EXPECT_USERSPACE,
  NF_CT_MAX_EXPECT_CLASSES, NF_CT_EXPECT_CLASS_DEFAULT, NF_DROP, NF_ACCEPT, NF_REPEAT, NO_FIXES, ZERO_COST,
} from './internal/types';
export type {
  nf_conn, nf_conn_help, nf_conntrack_expect, nf_conntrack_expect_policy, nf_conntrack_helper, nf_conntrack_tuple_hash, nf_ct_helper_expectfn,
  expectfn_t, helpfn_t, sk_buff, tcphdr, ct_template, net, netns_ct, ct_pcpu, ip_conntrack_stat, NfConntrack, ConntrackConfig, Fixes,
  LockDesign, CostModel, ProtoTimeouts, nf_conntrack_l4proto, CtList,
} from './internal/types';
export {
  AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP, IP_CT_DIR_ORIGINAL, IP_CT_DIR_REPLY, mkTuple, nf_ct_tuple_equal, nf_ct_tuple_mask_cmp,
  nf_ct_tuple_src_mask_cmp, nf_ct_invert_tuple, nf_inet_addr_cmp, parseIPv4, parseIPv6, parseAddr, formatIPv4, formatIPv6, formatAddr,
  tupleToString,
} from './internal/tuple';
export type { nf_conntrack_tuple, nf_conntrack_tuple_mask, nf_inet_addr } from './internal/tuple';
export { jhash2, reciprocal_scale } from './internal/jhash';
export { FastConntrackTable } from './internal/fast-table';
export type { FastTuple } from './internal/fast-table';

// ---- the model: module init, core, expectations, helpers, ctnetlink ----------------------
export {
  nf_conntrack_init, nf_conntrack_pernet_init, DEFAULT_CONFIG, DEFAULT_TIMEOUTS, NF_CT_STAT_INC, sumStats, expect_lock,
  expect_count_lockless, expect_count_locked, linkedExpectations,
} from './internal/net';
export {
  nf_ct_net, nfct_help, nf_ct_zone, nf_ct_is_confirmed, nf_ct_is_dying, hash_conntrack_raw, nf_conntrack_get, nf_ct_put,
  nf_ct_add_to_dying_list, nf_ct_add_to_unconfirmed_list, nf_ct_del_from_dying_or_unconfirmed_list, destroy_conntrack, nf_ct_delete, nf_ct_kill,
  nf_conntrack_find_get, __nf_conntrack_alloc, nf_conntrack_alloc, nf_conntrack_free, init_conntrack, nf_ct_get_tuple, nf_conntrack_in,
  __nf_conntrack_confirm, nf_conntrack_confirm, nf_conntrack_hash_check_insert, nf_ct_refresh, nf_conntrack_helper_hook, nf_conntrack_packet,
} from './internal/core';
export {
  nf_ct_exp_net, nf_ct_expect_dst_hash, nf_ct_unlink_expect_report, nf_ct_unlink_expect, __nf_ct_expect_find, nf_ct_expect_find_get,
  nf_ct_find_expectation, nf_ct_remove_expectations, expect_clash, expect_matches, nf_ct_unexpect_related, nf_ct_expect_alloc, nf_ct_expect_init,
  nf_ct_expect_put, nf_ct_expect_related_report, nf_ct_expect_related,
} from './internal/expect';
export {
  nf_ct_helper_ext_add, __nf_ct_helper_find, __nf_conntrack_helper_find, __nf_ct_try_assign_helper, nf_ct_helper_expectfn_register,
  nf_ct_helper_expectfn_unregister, nf_ct_helper_expectfn_find_by_name, nf_ct_helper_expectfn_find_by_symbol, nf_conntrack_helper_register,
  nf_conntrack_helper_unregister, request_module,
} from './internal/helper';
export {
  NLM_F_CREATE, NLM_F_EXCL, ctnetlink_change_helper, ctnetlink_new_conntrack, ctnetlink_del_conntrack, ctnetlink_nfqueue_parse, nfqnl_recv_verdict,
  ctnetlink_new_expect, ctnetlink_del_expect, ctnetlink_flush_expect,
} from './internal/netlink';
export type { CtAttrs, ExpAttrs } from './internal/netlink';
export {
  TCP_CONNTRACK_NONE, TCP_CONNTRACK_SYN_SENT, TCP_CONNTRACK_SYN_RECV, TCP_CONNTRACK_ESTABLISHED, TCP_CONNTRACK_FIN_WAIT, TCP_CONNTRACK_CLOSE_WAIT,
  TCP_CONNTRACK_LAST_ACK, TCP_CONNTRACK_TIME_WAIT, TCP_CONNTRACK_CLOSE, TCP_CONNTRACK_SYN_SENT2, tcp_conntrack_names, tcpNewState, l4proto_find,
} from './internal/proto';

// ---- helpers that create expectations ---------------------------------------------------------
export { ftp_help, ftpParse, try_rfc959, try_eprt, try_epsv_response, nf_conntrack_helper_ftp, NF_CT_FTP_PORT, NF_CT_FTP_PASV, NF_CT_FTP_EPRT, NF_CT_FTP_EPSV } from './internal/ftp';
export type { FtpMatch, nf_ct_ftp_master } from './internal/ftp';
export {
  sip_help_udp, parseSip, refresh_signalling_expectation, flush_expectations, nf_conntrack_helper_sip, SIP_EXPECT_SIGNALLING, SIP_EXPECT_AUDIO,
  SIP_EXPECT_VIDEO, SIP_EXPECT_IMAGE, SIP_PORT,
} from './internal/sip';
export type { SipMessage, SipUri, nf_ct_sip_master } from './internal/sip';
export { process_rrq, process_rcf, expect_q931, nf_conntrack_helper_ras, nf_conntrack_helper_q931, default_rrq_ttl } from './internal/h323';
export type { RegistrationRequest, RegistrationConfirm, TransportAddress, nf_ct_h323_master } from './internal/h323';

// ---- traces, the runner and conntrack-tools output ---------------------------------------------
export { decodePacket, makeSkb, packetFromIp, ipFromFrame, PacketError, LINKTYPES } from './internal/packet';
export type { Packet, DecodedPacket, SkipReason } from './internal/packet';
export { PacketSchema, HelperRuleSchema, ZoneRuleSchema, TraceSchema, parseTrace, readTrace, readPcapTrace, isPcap, TraceError } from './internal/trace';
export type { Trace, HelperRule, ZoneRule, PcapImport } from './internal/trace';
export { runTrace, TrackerError } from './internal/tracker';
export type { TrackerOptions, TraceResult } from './internal/tracker';
export { dumpConntracks, dumpExpectations, formatConntrack, formatExpect, summaryLine } from './internal/format';
export type { ConntrackEntry, ExpectEntry, TupleText } from './internal/format';
