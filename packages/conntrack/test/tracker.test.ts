import { describe, expect, it } from 'vitest';
import { writePcap } from '@k/hw-emu';
import {
  TraceError, formatConntrack, formatExpect, parseTrace, readPcapTrace, readTrace, runTrace, type Packet,
} from '../src/index';
import { TcpSession, ftpControl, portCommand, sipRegister, sipRegisterOk } from '../src/internal/world';

const lines = (trace: unknown, at?: number) => {
  const r = runTrace(trace, { at });
  return { ct: r.conntracks.map((e) => formatConntrack(e)), exp: r.expectations.map(formatExpect), r };
};
const timed = (ps: Packet[], dt = 0.01): Packet[] => ps.map((p, i) => ({ ...p, t: i * dt }));

describe('runTrace: the FTP helper on a recorded session', () => {
  it('lists the control connection and the expectation of its last PORT command, as conntrack -L prints them', () => {
    const s = new TcpSession('127.0.0.1', 50000, '127.0.0.1', 2121);
    const packets = timed([...ftpControl(s), s.seg('c', 'PA', portCommand('127.0.0.1', 40000)), s.seg('s', 'PA', '200 ok\r\n'),
      s.seg('c', 'PA', portCommand('127.0.0.1', 40001)), s.seg('s', 'PA', '200 ok\r\n')]);
    const { ct, exp, r } = lines({ helpers: [{ helper: 'ftp', dport: 2121 }], packets, at: 2 });
    expect(ct).toEqual(['tcp      6 431998 ESTABLISHED src=127.0.0.1 dst=127.0.0.1 sport=50000 dport=2121 src=127.0.0.1 dst=127.0.0.1 sport=2121 dport=50000 [ASSURED] mark=0 helper=ftp use=1']);
    expect(exp).toEqual(['298 proto=6 src=127.0.0.1 dst=127.0.0.1 sport=0 dport=40001 mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 master-src=127.0.0.1 master-dst=127.0.0.1 sport=50000 dport=2121 class=0 helper=ftp']);
    expect(r.stats).toMatchObject({ expect_create: 2, expect_delete: 1 });
  });

  it('gives the data connection its master (use=2) and consumes the expectation', () => {
    const s = new TcpSession('127.0.0.1', 50000, '127.0.0.1', 2121);
    const d = new TcpSession('127.0.0.1', 20020, '127.0.0.1', 40002);
    const packets = timed([...ftpControl(s), s.seg('c', 'PA', portCommand('127.0.0.1', 40002)), s.seg('s', 'PA', '200 ok\r\n'), ...d.handshake()]);
    const { ct, exp, r } = lines({ helpers: [{ helper: 'ftp', dport: 2121 }], packets });
    expect(exp).toEqual([]);
    expect(ct).toContain('tcp      6 432000 ESTABLISHED src=127.0.0.1 dst=127.0.0.1 sport=20020 dport=40002 src=127.0.0.1 dst=127.0.0.1 sport=40002 dport=20020 [ASSURED] mark=0 use=1');
    expect(r.conntracks.find((e) => e.original.sport === 50000)!.use).toBe(2);
    expect(r.conntracks.find((e) => e.original.sport === 20020)!.master).toEqual({ src: '127.0.0.1', dst: '127.0.0.1', sport: 50000, dport: 2121 });
  });

  it('reads EPRT on IPv6 into an IPv6 expectation', () => {
    const s = new TcpSession('2001:db8::1', 50000, '2001:db8::2', 21);
    const packets = timed([...ftpControl(s), s.seg('c', 'PA', 'EPRT |2|2001:db8::1|6275|\r\n')]);
    const { exp } = lines({ helpers: [{ helper: 'ftp', dport: 21 }], packets });
    expect(exp).toEqual(['300 proto=6 src=2001:db8::2 dst=2001:db8::1 sport=0 dport=6275 mask-src=ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff mask-dst=ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff sport=0 dport=65535 master-src=2001:db8::1 master-dst=2001:db8::2 sport=50000 dport=21 class=0 helper=ftp']);
  });
});

describe('runTrace: SIP, zones, timeouts, TCP states', () => {
  it('turns a REGISTER into a permanent inactive expectation and its 200 OK into an active one', () => {
    const reg = { ...sipRegister('127.0.0.1', 5062, '127.0.0.1', 1, 3600), t: 0 };
    const ok = { ...sipRegisterOk('127.0.0.1', 5062, '127.0.0.1', 1, 1800), t: 0.1 };
    expect(lines({ helpers: [{ helper: 'sip', dport: 5060 }], packets: [reg] }).exp[0]).toMatch(/^180 proto=17 .* PERMANENT,INACTIVE class=0 helper=sip$/);
    const after = lines({ helpers: [{ helper: 'sip', dport: 5060 }], packets: [reg, ok] });
    expect(after.exp[0]).toMatch(/^1800 proto=17 src=127.0.0.1 dst=127.0.0.1 sport=0 dport=5062 .* PERMANENT class=0 helper=sip$/);
    expect(after.ct[0]).toMatch(/^udp {6}17 3600 .* mark=0 helper=sip use=1$/);
  });

  it('puts connections in a zone and prints zone=', () => {
    const r = runTrace({ zones: [{ proto: 'udp', dport: 7777, zone: 5 }], packets: [{ t: 0, proto: 'udp', src: '127.0.0.1', dst: '127.0.0.1', sport: 7000, dport: 7777 }] });
    expect(formatConntrack(r.conntracks[0]!)).toBe('udp      17 30 src=127.0.0.1 dst=127.0.0.1 sport=7000 dport=7777 [UNREPLIED] src=127.0.0.1 dst=127.0.0.1 sport=7777 dport=7000 mark=0 zone=5 use=1');
  });

  it('counts down a UDP conntrack and removes it when its timer fires', () => {
    const p: Packet = { t: 0, proto: 'udp', src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2 };
    expect(runTrace([p], { at: 29.5 }).conntracks[0]!.timeout).toBe(0);
    expect(runTrace([p], { at: 12 }).conntracks[0]!.timeout).toBe(18);
    expect(runTrace([p], { at: 31 }).conntracks).toEqual([]);
  });

  it('assures a UDP stream on the first packet after a reply, with the 180 s timeout (v3.14)', () => {
    const a: Packet = { t: 0, proto: 'udp', src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2 };
    const b: Packet = { t: 1, proto: 'udp', src: '10.0.0.2', dst: '10.0.0.1', sport: 2, dport: 1 };
    const e1 = runTrace([a, b]).conntracks[0]!;
    expect([e1.unreplied, e1.assured, e1.timeout]).toEqual([false, false, 30]);
    const e2 = runTrace([a, b, { ...a, t: 2 }]).conntracks[0]!;
    expect([e2.unreplied, e2.assured, e2.timeout]).toEqual([false, true, 180]);
  });

  it('follows a TCP connection through the state table to TIME_WAIT', () => {
    const s = new TcpSession('10.0.0.1', 1234, '10.0.0.2', 80);
    const states: string[] = [];
    const all = [s.seg('c', 'S'), s.seg('s', 'SA'), s.seg('c', 'A'), s.seg('c', 'FA'), s.seg('s', 'A'), s.seg('s', 'FA'), s.seg('c', 'A')];
    for (let i = 1; i <= all.length; i++) {
      const e = runTrace(timed(all.slice(0, i))).conntracks[0]!;
      states.push(`${e.state}:${e.timeout}`);
    }
    expect(states).toEqual(['SYN_SENT:120', 'SYN_RECV:60', 'ESTABLISHED:432000', 'FIN_WAIT:120', 'CLOSE_WAIT:60', 'LAST_ACK:30', 'TIME_WAIT:120']);
  });

  it('does not create a conntrack for a TCP segment that cannot start one (a SYN-ACK)', () => {
    const r = runTrace([{ t: 0, proto: 'tcp', src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 1234, flags: 'SA' }]);
    expect(r.conntracks).toEqual([]);
    expect(r.stats.invalid).toBe(1);
  });
});

describe('traces', () => {
  it('names what is wrong with an invalid trace', () => {
    expect(() => parseTrace([{ t: 0, proto: 'icmp', src: '1.2.3.4', dst: '1.2.3.4', sport: 1, dport: 2 }])).toThrow(TraceError);
    expect(() => parseTrace([{ t: 0, proto: 'udp', src: '1.2.3.4', dst: '1.2.3.4', sport: 1, dport: 70000 }])).toThrow(/0\.dport/);
    expect(() => parseTrace({ packets: [], extra: 1 })).toThrow(/not a packet trace/);
    expect(() => parseTrace([{ t: 1, proto: 'udp', src: 'a', dst: 'b', sport: 1, dport: 2 }, { t: 0, proto: 'udp', src: 'a', dst: 'b', sport: 1, dport: 2 }])).toThrow(/time goes backwards/);
    expect(() => runTrace([{ t: 0, proto: 'udp', src: 'nope', dst: '1.2.3.4', sport: 1, dport: 2 }])).toThrow(/src 'nope' is not an IPv4 or IPv6 address/);
    expect(() => readTrace(new TextEncoder().encode('{not json'))).toThrow(/neither a pcap capture nor JSON/);
  });

  it('reads a pcap of Ethernet, IPv4/IPv6, TCP/UDP and skips what is not TCP or UDP over IP', () => {
    const eth = (type: number, payload: number[]) => Uint8Array.from([...new Array(12).fill(0), type >> 8, type & 255, ...payload]);
    const udp4 = [0x45, 0, 0, 33, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0x9c, 0x40, 0x13, 0x88, 0, 13, 0, 0, 104, 101, 108, 108, 111];
    const frag = [...udp4];
    frag[6] = 0x20; // more fragments
    const tcp6 = [0x60, 0, 0, 0, 0, 20, 6, 64, ...new Array(15).fill(0), 1, ...new Array(15).fill(0), 1,
      0x04, 0xd2, 0x00, 0x50, 0, 0, 0, 7, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0];
    const arp = new Array(28).fill(0);
    const bytes = writePcap({ linktype: 1, resolution: 'us' }, [
      { timestampNs: 1_000_000_000, data: eth(0x0800, udp4) },
      { timestampNs: 1_500_000_000, data: eth(0x86dd, tcp6) },
      { timestampNs: 1_600_000_000, data: eth(0x0806, arp) },
      { timestampNs: 1_700_000_000, data: eth(0x0800, frag) },
    ]);
    const imp = readPcapTrace(bytes);
    expect(imp.frames).toBe(4);
    expect(imp.skipped).toEqual({ 'not-ip': 1, fragment: 1 });
    expect(imp.trace.packets).toEqual([
      { t: 0, proto: 'udp', src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 5000, payloadHex: '68656c6c6f' },
      { t: 0.5, proto: 'tcp', src: '::1', dst: '::1', sport: 1234, dport: 80, flags: 'S', seq: 7, ack: 0, window: 65535, payloadHex: '' },
    ]);
    expect(runTrace(imp.trace).conntracks.map((e) => e.proto)).toEqual(expect.arrayContaining(['udp', 'tcp']));
  });
});
