#!/usr/bin/python3
"""Independent twin of testcases/progs/gen_golden.c: build every golden capture with scapy.

Usage: /usr/bin/python3 pcaps/scapy_golden.py OUTDIR [SCENARIO...]

Nothing here comes from the project's encoders. Packets are made of scapy's own
Ether/IPv6/IP/UDP/GRE/ICMP layers, its MIP6MH_* messages, MIP6OptMNID,
MIP6OptMsgAuth, MIP6OptUnknown and MobileIP* classes, and -- for the options,
extensions and messages scapy lacks -- small Packet classes defined below from
shared/wire-facts.md (section numbers in the comments). Lengths, alignment
padding (scapy's own _OptionsField autopad), MH/IP/UDP/ICMP/GRE checksums are
computed by scapy. Authenticators and keygen tokens are computed with Python's
hmac/hashlib from the RFC formulas; the HAARO prefix/realm compression is a
separate Python implementation of wire-facts §10.5.

Conventions shared with gen_golden.c (frames must be byte-identical):
  timestamps 1700000000 + n s; MAC 02:00:00:00:00:XX with XX = the last octet of the
  frame's IP source / destination; IPv4 id = n + 1 (n = 0-based packet number), TTL 64.
"""
import hashlib
import hmac
import os
import struct
import sys

from scapy.all import (GRE, ICMP, IP, UDP, Ether, IPv6, IPv6ExtHdrDestOpt, Packet, Raw,
                       wrpcap)
from scapy.fields import (BitField, ByteField, ConditionalField, FieldLenField,
                          FieldListField, IntField, IPField, IP6Field, LongField,
                          ShortField, StrLenField, XIntField,
                          XShortField)
from scapy.layers.inet6 import (HAO, MIP6MH_BA, MIP6MH_BE, MIP6MH_BRR, MIP6MH_BU,
                                MIP6MH_CoT, MIP6MH_CoTI, MIP6MH_Generic, MIP6MH_HoT,
                                MIP6MH_HoTI, MIP6OptMNID, MIP6OptMsgAuth, MIP6OptUnknown,
                                _MIP6OptAlign, in6_chksum)
from scapy.layers.mobileip import MobileIP, MobileIPRRP, MobileIPRRQ, MobileIPTunnelData

TS_BASE = 1700000000
MNHA_KEY = b"1234567812345678"
MNHA_SPI = 0x100
KRM = bytes.fromhex("4ab3be1f5e861247041584e7df9b98996d9a9ee2")
KCR = bytes(range(16))
RR_NONCE = 0x0102030405060708


# ---------------------------------------------------------------------------
# Mobility options scapy does not have (wire-facts §4-§6). x, y: alignment xn+y.

class OptVSM(_MIP6OptAlign):  # 19, RFC 5094
    name = "Vendor-Specific"
    fields_desc = [ByteField("otype", 19),
                   FieldLenField("olen", None, length_of="data", fmt="B",
                                 adjust=lambda pkt, x: x + 5),
                   IntField("vendor", 0), ByteField("subtype", 0),
                   StrLenField("data", b"", length_from=lambda pkt: pkt.olen - 5)]
    x, y = 4, 2


class OptHNP(_MIP6OptAlign):  # 22, RFC 5213 §8.3
    name = "Home Network Prefix"
    fields_desc = [ByteField("otype", 22), ByteField("olen", 18), ByteField("reserved", 0),
                   ByteField("plen", 0), IP6Field("prefix", "::")]
    x, y = 8, 4


class OptHI(_MIP6OptAlign):  # 23
    fields_desc = [ByteField("otype", 23), ByteField("olen", 2), ByteField("reserved", 0),
                   ByteField("hi", 0)]
    x, y = 0, 0


class OptATT(_MIP6OptAlign):  # 24
    fields_desc = [ByteField("otype", 24), ByteField("olen", 2), ByteField("reserved", 0),
                   ByteField("att", 0)]
    x, y = 0, 0


class OptMNLLID(_MIP6OptAlign):  # 25, alignment [D] 4n
    fields_desc = [ByteField("otype", 25),
                   FieldLenField("olen", None, length_of="lli", fmt="B",
                                 adjust=lambda pkt, x: x + 2),
                   ShortField("reserved", 0),
                   StrLenField("lli", b"", length_from=lambda pkt: pkt.olen - 2)]
    x, y = 4, 0


class OptLLA(_MIP6OptAlign):  # 26, 8n+6
    fields_desc = [ByteField("otype", 26), ByteField("olen", 16), IP6Field("addr", "::")]
    x, y = 8, 6


class OptTimestamp(_MIP6OptAlign):  # 27, 48-bit seconds since 1970 + 16-bit fraction, 8n+2
    fields_desc = [ByteField("otype", 27), ByteField("olen", 8),
                   BitField("seconds", 0, 48), BitField("fraction", 0, 16)]
    x, y = 8, 2


class OptNATD(_MIP6OptAlign):  # 31, RFC 5555 §3.2.2, 4n
    fields_desc = [ByteField("otype", 31), ByteField("olen", 6), BitField("F", 0, 1),
                   BitField("reserved", 0, 15), IntField("refresh", 0)]
    x, y = 4, 0


class OptIPv4CoA(_MIP6OptAlign):  # 32, 4n
    fields_desc = [ByteField("otype", 32), ByteField("olen", 6), ShortField("reserved", 0),
                   IPField("coa", "0.0.0.0")]
    x, y = 4, 0


class OptGREKey(_MIP6OptAlign):  # 33, RFC 5845 §6.1: Length 2 (no key) or 6, 4n
    fields_desc = [ByteField("otype", 33), ByteField("olen", 6), ShortField("reserved", 0),
                   ConditionalField(XIntField("key", 0), lambda pkt: pkt.olen == 6)]
    x, y = 4, 0


class OptIPv4HoAReq(_MIP6OptAlign):  # 36, RFC 5844 §3.3.1, 4n
    fields_desc = [ByteField("otype", 36), ByteField("olen", 6), BitField("plen", 0, 6),
                   BitField("reserved", 0, 10), IPField("hoa", "0.0.0.0")]
    x, y = 4, 0


class OptIPv4HoARep(_MIP6OptAlign):  # 37, 4n
    fields_desc = [ByteField("otype", 37), ByteField("olen", 6), ByteField("status", 0),
                   BitField("plen", 0, 6), BitField("reserved", 0, 2), IPField("hoa", "0.0.0.0")]
    x, y = 4, 0


class OptIPv4DRA(_MIP6OptAlign):  # 38, 4n
    fields_desc = [ByteField("otype", 38), ByteField("olen", 6), ShortField("reserved", 0),
                   IPField("dra", "0.0.0.0")]
    x, y = 4, 0


class OptIPv4DSM(_MIP6OptAlign):  # 39: Reserved(15), S = the last bit
    fields_desc = [ByteField("otype", 39), ByteField("olen", 2), BitField("reserved", 0, 15),
                   BitField("S", 0, 1)]
    x, y = 0, 0


class OptMMB(_MIP6OptAlign):  # 63, RFC 8278 §4.1, no alignment
    fields_desc = [ByteField("otype", 63), ByteField("olen", 6), ByteField("if_att", 0),
                   ByteField("if_label", 0), ByteField("bid", 0), BitField("B", 0, 1),
                   BitField("O", 0, 1), BitField("rsv", 0, 6), ShortField("reserved", 0)]
    x, y = 0, 0


class OptMAGID(_MIP6OptAlign):  # 64, RFC 8278 §4.2, no alignment
    fields_desc = [ByteField("otype", 64),
                   FieldLenField("olen", None, length_of="id", fmt="B",
                                 adjust=lambda pkt, x: x + 2),
                   ByteField("subtype", 1), ByteField("reserved", 0),
                   StrLenField("id", b"", length_from=lambda pkt: pkt.olen - 2)]
    x, y = 0, 0


class OptPrevMAAR(_MIP6OptAlign):  # 67 (IANA, RFC 8885), Len 34, 8n+4 on send
    fields_desc = [ByteField("otype", 67), ByteField("olen", 34), ByteField("reserved", 0),
                   ByteField("plen", 0), IP6Field("pmaar", "::"), IP6Field("hnp", "::")]
    x, y = 8, 4


class OptServMAAR(_MIP6OptAlign):  # 68 (IANA, RFC 8885), Len 16, 8n+6 on send
    fields_desc = [ByteField("otype", 68), ByteField("olen", 16), IP6Field("smaar", "::")]
    x, y = 8, 6


class OptFlowIdent(_MIP6OptAlign):  # 45, RFC 6089 §4.2: FID, FID-PRI, Reserved, Status, sub-options
    fields_desc = [ByteField("otype", 45),
                   FieldLenField("olen", None, length_of="subopts", fmt="B",
                                 adjust=lambda pkt, x: x + 6),
                   ShortField("fid", 0), ShortField("fid_pri", 0), ByteField("reserved", 0),
                   ByteField("status", 0),
                   StrLenField("subopts", b"", length_from=lambda pkt: pkt.olen - 6)]
    x, y = 2, 0


class OptFlowSummary(_MIP6OptAlign):  # 44, RFC 6089 §4.2.2, 2n (not in the registry)
    fields_desc = [ByteField("otype", 44),
                   FieldLenField("olen", None, count_of="fids", fmt="B",
                                 adjust=lambda pkt, x: 2 * x),
                   FieldListField("fids", [], ShortField("fid", 0),
                                  count_from=lambda pkt: pkt.olen // 2)]
    x, y = 2, 0


# ---------------------------------------------------------------------------
# Mobile IPv4 (wire-facts §8-§10): messages and extensions scapy lacks.

class MIP4Revocation(Packet):  # type 7, RFC 3543
    fields_desc = [ByteField("type", 7), ByteField("reserved", 0), BitField("A", 0, 1),
                   BitField("I", 0, 1), BitField("res", 0, 14), IPField("hoa", "0.0.0.0"),
                   IPField("hda", "0.0.0.0"), IPField("fda", "0.0.0.0"), IntField("rev_id", 0)]


class MIP4RevocationAck(Packet):  # type 15
    fields_desc = [ByteField("type", 15), ByteField("reserved", 0), BitField("I", 0, 1),
                   BitField("res", 0, 15), IPField("hoa", "0.0.0.0"), IntField("rev_id", 0)]


class HAAROTestInit(Packet):  # HoTI 24 / CoTI 25 (RFC 6521 §5.6-5.7)
    fields_desc = [ByteField("type", 24), ByteField("reserved", 0), LongField("cookie", 0)]


class HAAROTest(Packet):  # HoT 26 / CoT 27 (RFC 6521 §5.8-5.9)
    fields_desc = [ByteField("type", 26), ByteField("reserved", 0), ShortField("index", 0),
                   LongField("cookie", 0), LongField("token", 0)]


class ExtTLV(Packet):  # generic TLV (unknown extensions)
    fields_desc = [ByteField("type", 0),
                   FieldLenField("len", None, length_of="data", fmt="B"),
                   StrLenField("data", b"", length_from=lambda pkt: pkt.len)]


class ExtMNHA(Packet):  # 32, RFC 5944 §3.5.2
    fields_desc = [ByteField("type", 32),
                   FieldLenField("len", None, length_of="auth", fmt="B",
                                 adjust=lambda pkt, x: x + 4),
                   XIntField("spi", MNHA_SPI),
                   StrLenField("auth", b"\0" * 16, length_from=lambda pkt: pkt.len - 4)]


class ExtUDPTunReq(Packet):  # 144, RFC 3519 §3.1
    fields_desc = [ByteField("type", 144), ByteField("len", 6), ByteField("subtype", 0),
                   ByteField("reserved1", 0), BitField("F", 0, 1), BitField("R", 0, 1),
                   BitField("reserved2", 0, 6), ByteField("encap", 0), ShortField("reserved3", 0)]


class ExtUDPTunRep(Packet):  # 44, RFC 3519 §3.2
    fields_desc = [ByteField("type", 44), ByteField("len", 6), ByteField("subtype", 0),
                   ByteField("code", 0), BitField("F", 0, 1), BitField("reserved", 0, 15),
                   ShortField("keepalive", 0)]


class ExtRevSupport(Packet):  # 137, RFC 3543 §3.2
    fields_desc = [ByteField("type", 137), ByteField("len", 6), BitField("I", 0, 1),
                   BitField("reserved", 0, 15), XIntField("timestamp", 0)]


class ExtMobNetReq(Packet):  # 148/0, RFC 5177 §4
    fields_desc = [ByteField("type", 148), ByteField("len", 6), ByteField("subtype", 0),
                   ByteField("plen", 0), IPField("prefix", "0.0.0.0")]


class ExtMobNetAck(Packet):  # 148/1 explicit, 148/2 implicit
    fields_desc = [ByteField("type", 148), ByteField("len", 8), ByteField("subtype", 1),
                   ByteField("code", 0), ByteField("plen", 0), ByteField("reserved", 0),
                   IPField("prefix", "0.0.0.0")]


class ExtMRROCAP(Packet):  # 153 sub 1, RFC 6521 §5.1: Len 2, or 6 with S
    fields_desc = [ByteField("type", 153), ByteField("len", None), ByteField("subtype", 1),
                   BitField("A", 0, 1), BitField("R", 0, 1), BitField("S", 0, 1),
                   BitField("O", 0, 1), BitField("reserved", 0, 4),
                   ConditionalField(IPField("hoa", "0.0.0.0"), lambda pkt: pkt.S == 1)]

    def post_build(self, p, pay):
        if self.len is None:
            p = p[:1] + bytes([len(p) - 2]) + p[2:]
        return p + pay


class ExtROR(Packet):  # 49 sub 1, RFC 6521 §5.2: O N S + 5-bit code
    fields_desc = [ByteField("type", 49), ByteField("len", 2), ByteField("subtype", 1),
                   BitField("O", 0, 1), BitField("N", 0, 1), BitField("S", 0, 1),
                   BitField("code", 0, 5)]


class ExtMCAuth(Packet):  # 49 sub 2, RFC 6521 §5.3
    fields_desc = [ByteField("type", 49),
                   FieldLenField("len", None, length_of="auth", fmt="B",
                                 adjust=lambda pkt, x: x + 6),
                   ByteField("subtype", 2), ByteField("reserved", 0), ShortField("hni", 0),
                   ShortField("cni", 0),
                   StrLenField("auth", b"\0" * 16, length_from=lambda pkt: pkt.len - 6)]


class ExtCoA(Packet):  # 49 sub 3, RFC 6521 §5.4: Len 2 + 4n
    fields_desc = [ByteField("type", 49),
                   FieldLenField("len", None, count_of="coas", fmt="B",
                                 adjust=lambda pkt, x: 2 + 4 * x),
                   ByteField("subtype", 3), ByteField("reserved", 0),
                   FieldListField("coas", [], IPField("coa", "0.0.0.0"),
                                  count_from=lambda pkt: (pkt.len - 2) // 4)]


class ExtPfxAdv(Packet):  # 50 sub 1, long format, RFC 6521 §5.5
    fields_desc = [ByteField("type", 50), ByteField("subtype", 1),
                   FieldLenField("len", None, length_of="data", fmt="!H"),
                   StrLenField("data", b"", length_from=lambda pkt: pkt.len)]


class MinEncap(Packet):  # RFC 2004 §3 minimal forwarding header
    fields_desc = [ByteField("proto", 17), BitField("S", 0, 1), BitField("reserved", 0, 7),
                   XShortField("chksum", None), IPField("dst", "0.0.0.0"),
                   ConditionalField(IPField("src", "0.0.0.0"), lambda pkt: pkt.S == 1)]

    def post_build(self, p, pay):
        if self.chksum is None:
            s = 0
            for i in range(0, len(p), 2):
                s += (p[i] << 8) | p[i + 1]
            while s >> 16:
                s = (s & 0xffff) + (s >> 16)
            c = ~s & 0xffff
            p = p[:2] + struct.pack("!H", c) + p[4:]
        return p + pay


# ---------------------------------------------------------------------------
# HAARO prefix advertisement encoder (wire-facts §10.5), written from the text.

class RealmDict:
    def __init__(self):
        self.slots = [None] * 128
        self.next = 0

    def find(self, s):
        for i, v in enumerate(self.slots):
            if v == s:
                return i
        return None

    def add(self, s):
        self.slots[self.next] = s
        self.next = (self.next + 1) % 128


def realm_encode(d, realm):
    labels = realm.split(".") if realm else []
    out = b""
    lnms = []
    i = 0
    while i < len(labels):
        hit = None
        for j in range(len(labels), i, -1):
            idx = d.find(".".join(labels[i:j]))
            if idx is not None:
                hit = (idx, j)
                break
        if hit:
            out += bytes([0x80 | hit[0]])
            i = hit[1]
            lnms = []
        else:
            lab = labels[i].encode()
            out += bytes([len(lab)]) + lab
            d.add(labels[i])
            lnms.append(labels[i])
            i += 1
    out += b"\0"
    for k in range(len(lnms) - 1):
        d.add(".".join(lnms[k:]))
    return out


def ip4int(s):
    return struct.unpack("!I", bytes(int(x) for x in s.split(".")))[0]


def pfx_encode(items):
    """items: ('hoa', addr, info) or ('pfx', prefix, plen, realm)."""
    d = RealmDict()
    master = None
    out = b""
    for it in items:
        if it[0] == "hoa":
            out += bytes([0x40 | it[2]]) + struct.pack("!I", ip4int(it[1]))
            master = None
            continue
        _, prefix, plen, realm = it
        p = ip4int(prefix)
        if (master is not None and plen >= 8
                and (p >> (32 - plen + 8) if plen > 8 else 0) ==
                (master >> (32 - plen + 8) if plen > 8 else 0)):
            out += bytes([0x80 | plen, (p >> (32 - plen)) & 0xff])
        else:
            master = p
            n = (plen + 7) // 8
            out += bytes([plen]) + struct.pack("!I", p)[:n]
        out += realm_encode(d, realm)
    return out


PFX_VECTOR = [("hoa", "192.0.2.1", 0), ("pfx", "192.0.2.0", 28, "foo.example.com"),
              ("pfx", "192.0.2.64", 26, "bar.foo.example.com"), ("pfx", "192.0.2.128", 25, "")]


# ---------------------------------------------------------------------------
# helpers

def mac(last):
    return "02:00:00:00:00:%02x" % last



class Capture:
    def __init__(self):
        self.pkts = []

    def add(self, frame):
        frame.time = TS_BASE + len(self.pkts)
        self.pkts.append(frame)

    @property
    def n(self):
        return len(self.pkts)


def eth(src_last, dst_last):
    return Ether(src=mac(src_last), dst=mac(dst_last))


def v6last(a):
    import socket
    return socket.inet_pton(socket.AF_INET6, a)[15]


def v4last(a):
    return int(a.split(".")[3])


def mh_frame(cap, src, dst, mh, hoa=None):
    ip = IPv6(src=src, dst=dst)
    if hoa:
        ip = ip / IPv6ExtHdrDestOpt(nh=135, options=[HAO(hoa=hoa)])
    cap.add(eth(v6last(src), v6last(dst)) / ip / mh)


def ts(v):
    return OptTimestamp(seconds=v >> 16, fraction=v & 0xffff)


def nai(s, subtype=1):
    return MIP6OptMNID(subtype=subtype, id=s if isinstance(s, bytes) else s.encode())


def bu(seq, flags, lifetime, options, reserved=0, **kw):
    """flags: the 16-bit BU flags word (A 0x8000 ... D 0x0010)."""
    return MIP6MH_BU(seq=seq, flags=flags >> 9, reserved=flags & 0x1ff, mhtime=lifetime,
                     options=options, res=0, **kw)


def ba(status, flags, seq, lifetime, options, **kw):
    """flags: the BA flags octet (K 0x80 R 0x40 P 0x20 T 0x10 B 0x08 S 0x04 D 0x02)."""
    return MIP6MH_BA(status=status, flags=flags >> 5, res2=flags & 0x1f, seq=seq,
                     mhtime=lifetime, options=options, res=0, **kw)


A, H, L, K, M, R, P, F, T, B, S, D = (0x8000, 0x4000, 0x2000, 0x1000, 0x0800, 0x0400, 0x0200,
                                      0x0100, 0x0080, 0x0040, 0x0020, 0x0010)
BA_K, BA_R, BA_P, BA_T, BA_B, BA_S, BA_D = 0x80, 0x40, 0x20, 0x10, 0x08, 0x04, 0x02

MAG1, LMA, MAG1_IF2 = "2001:db8::1", "2001:db8::2", "2001:db8:0:1::1"
HNP1 = "2001:db8:aaaa:1::"


def vector_pbu():
    return bu(7, A | P, 100, [nai("mn1@example.com"), OptHNP(plen=0, prefix="::"), OptHI(hi=1),
                              OptATT(att=4), ts(0x00006553F1008000),
                              OptMMB(if_att=4, if_label=9, bid=1), OptMAGID(id=b"mag1@example.com")])


def pmip_opts(mnid, hnp, plen, hi, att, stamp=None):
    o = [nai(mnid) if isinstance(mnid, str) else mnid, OptHNP(plen=plen, prefix=hnp),
         OptHI(hi=hi), OptATT(att=att)]
    if stamp is not None:
        o.append(ts(stamp))
    return o


# ---------------------------------------------------------------------------
# scenarios (same order and content as gen_golden.c)

def scn_pbu_multipath():
    c = Capture()
    mh_frame(c, MAG1, LMA, vector_pbu())
    mh_frame(c, MAG1_IF2, LMA, bu(8, A | P, 100, pmip_opts("mn1@example.com", HNP1, 64, 1, 8, 0x00006553F1010000)
                                  + [OptMMB(if_att=8, if_label=11, bid=2), OptMAGID(id=b"mag1@example.com")]))
    mh_frame(c, MAG1, LMA, bu(9, A | P, 100, pmip_opts("mn1@example.com", HNP1, 64, 5, 4, 0x00006553F1020000)
                              + [OptMMB(if_att=4, if_label=9, bid=1, B=1), OptMAGID(id=b"mag1@example.com")]))
    mh_frame(c, MAG1_IF2, LMA, bu(10, A | H | P, 100, pmip_opts("mn1@example.com", HNP1, 64, 2, 8, 0x00006553F1030000)
                                  + [OptMMB(if_att=8, if_label=11, bid=2, O=1), OptMAGID(id=b"mag1@example.com")]))
    mh_frame(c, MAG1_IF2, LMA, bu(11, A | P, 0, pmip_opts("mn1@example.com", HNP1, 64, 4, 8, 0x00006553F1040000)
                                  + [OptMMB(if_att=8, if_label=11, bid=2), OptMAGID(id=b"mag1@example.com")]))
    return {"pbu_multipath": c}


def scn_pba_multipath():
    c = Capture()
    mh_frame(c, LMA, MAG1, ba(0, BA_P, 7, 100, pmip_opts("mn1@example.com", HNP1, 64, 1, 4, 0x00006553F1008000)
                              + [OptMMB(if_att=4, if_label=9, bid=1)]))
    mh_frame(c, LMA, MAG1_IF2, ba(0, BA_P, 8, 100, pmip_opts("mn1@example.com", HNP1, 64, 1, 8, 0x00006553F1010000)
                                  + [OptMMB(if_att=8, if_label=11, bid=2)]))
    mh_frame(c, LMA, MAG1, ba(0, BA_P, 7, 100, pmip_opts("mn1@example.com", HNP1, 64, 1, 4, 0x00006553F1008000)))
    return {"pba_multipath": c}


def scn_pba_status180():
    c = Capture()
    mh_frame(c, LMA, MAG1, ba(180, BA_P, 7, 0, pmip_opts("mn1@example.com", "::", 0, 1, 4, 0x00006553F1008000)
                              + [OptMMB(if_att=4, if_label=9, bid=1)]))
    return {"pba_status180": c}


def scn_pbu_pmipv6_options():
    c = Capture()
    vsm = bytes([0xde, 0xad, 0xbe, 0xef, 0x01])
    mac48 = bytes([0x00, 0x11, 0x22, 0x33, 0x44, 0x55])
    opts = pmip_opts("mn2@example.com", "::", 0, 1, 3, 0x00006553F2000000) + [
        OptMNLLID(lli=mac48), OptLLA(addr="fe80::211:22ff:fe33:4455"), OptGREKey(olen=6, key=0x1234),
        OptIPv4HoAReq(plen=0, hoa="0.0.0.0"), OptIPv4DSM(S=1),
        OptVSM(vendor=32473, subtype=1, data=vsm), OptVSM(vendor=32473, subtype=2, data=vsm[:2])]
    mh_frame(c, MAG1, LMA, bu(20, A | P | T, 900, opts))
    import socket
    v6id = socket.inet_pton(socket.AF_INET6, "2001:db8:aaaa:1::5")
    opts = pmip_opts(MIP6OptMNID(subtype=2, id=v6id), HNP1, 64, 3, 5, 0x00006553F2010000) + [
        OptGREKey(olen=2), OptIPv4HoAReq(plen=24, hoa="10.0.0.5"), OptIPv4DSM(S=0)]
    mh_frame(c, MAG1, LMA, bu(21, A | P, 900, opts))
    ids = [(3, 8, bytes([0x21, 0x43, 0x65, 0x87, 0x09, 0x21, 0x43, 0xf5])),
           (4, 6, bytes([0xc0, 0x01, 0x02, 0x03])),
           (5, 4, mac48),
           (6, 13, bytes([0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55])),
           (7, 8, bytes([0x02, 0xf8, 0x39, 0x80, 0x01, 0x01, 0xc0, 0x00, 0x00, 0x01])),
           (8, 9, bytes([0x00, 0x03, 0x00, 0x01, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55]))]
    for i, (sub, att, ident) in enumerate(ids):
        mh_frame(c, MAG1, LMA, bu(22 + i, A | P, 900,
                                  pmip_opts(MIP6OptMNID(subtype=sub, id=ident), "::", 0, 1, att)))
    mh_frame(c, MAG1, LMA, bu(28, A | P, 900, [
        nai("mn2@example.com"), OptFlowSummary(fids=[1, 2]),
        OptFlowIdent(fid=1, fid_pri=10, status=0, subopts=bytes([2, 2, 0, 1])),
        OptHNP(plen=64, prefix=HNP1), OptHI(hi=5), OptATT(att=4)]))
    return {"pbu_pmipv6_options": c}


def scn_pba_ipv4_options():
    c = Capture()
    mh_frame(c, MAG1, LMA, bu(30, A | P | F, 150, pmip_opts("mn3@example.com", "::", 0, 1, 4) + [
        OptIPv4CoA(coa="192.0.2.10"), OptIPv4HoAReq(plen=0)]))
    mh_frame(c, LMA, MAG1, ba(0, BA_P, 30, 150, pmip_opts("mn3@example.com", "2001:db8:bbbb:3::", 64, 1, 4) + [
        OptIPv4HoARep(status=0, plen=24, hoa="10.0.0.5"), OptIPv4DRA(dra="10.0.0.1"),
        OptNATD(F=1, refresh=110), OptIPv4CoA(coa="192.0.2.10")]))
    mh_frame(c, LMA, MAG1, ba(171, BA_P, 31, 0, pmip_opts("mn3@example.com", "::", 0, 1, 4) + [
        OptIPv4HoARep(status=129, plen=0), OptNATD(F=0, refresh=0)]))
    return {"pba_ipv4_options": c}


def scn_rfc5213_rejects():
    c = Capture()
    statuses = [128, 129, 130, 152, 153, 154, 155, 156, 157, 158, 159, 160, 161, 162, 163, 174]
    for i, st in enumerate(statuses):
        o = [nai(b"") if st == 160 else nai("mn1@example.com"),
             OptHNP(plen=0, prefix="::") if st == 158 else OptHNP(plen=64, prefix=HNP1),
             OptHI(hi=0 if st == 161 else 1), OptATT(att=0 if st == 162 else 4),
             ts(0x00006553F1FF0000 if st in (156, 157) else 0x00006553F1008000)]
        mh_frame(c, LMA, MAG1, ba(st, BA_P, 100 + i, 0, o))
    for st in (1, 2, 3):
        mh_frame(c, LMA, MAG1, ba(st, BA_P | (0 if st == 3 else BA_T), 200 + st, 100,
                                  pmip_opts("mn1@example.com", HNP1, 64, 1, 4)))
    return {"rfc5213_rejects": c}


CMD, SMAAR, PMAAR, PMAAR2 = "2001:db8::c", "2001:db8:2::1", "2001:db8:1::1", "2001:db8:3::1"
PREF1, PREF2, PREF3 = "2001:db8:aaaa:1::", "2001:db8:bbbb:1::", "2001:db8:cccc:1::"


def dmm_flow(rfc8885, smaar_type=68, pmaar_type=67):
    c = Capture()
    dbu = D if rfc8885 else 0
    dba = BA_D if rfc8885 else 0
    mh_frame(c, SMAAR, CMD, bu(40, A | P | dbu, 100, pmip_opts("mn1@example.com", PREF2, 64, 3, 4, 0x00006553F3000000)))
    mh_frame(c, CMD, PMAAR, bu(41, A | P | dbu, 100, pmip_opts("mn1@example.com", PREF1, 64, 3, 4, 0x00006553F3000100)
                               + [OptServMAAR(otype=smaar_type, smaar=SMAAR)]))
    mh_frame(c, PMAAR, CMD, ba(0, BA_P | dba, 41, 100, pmip_opts("mn1@example.com", PREF1, 64, 3, 4, 0x00006553F3000100)
                               + [OptServMAAR(otype=smaar_type, smaar=SMAAR)]))
    mh_frame(c, CMD, SMAAR, ba(0, BA_P | dba, 40, 100, pmip_opts("mn1@example.com", PREF2, 64, 3, 4, 0x00006553F3000000)
                               + [OptPrevMAAR(otype=pmaar_type, plen=64, pmaar=PMAAR, hnp=PREF1),
                                  OptPrevMAAR(otype=pmaar_type, plen=64, pmaar=PMAAR2, hnp=PREF3)]))
    return c


def scn_dmm_relay_mode():
    return {"dmm_relay_mode": dmm_flow(False), "dmm_rfc8885_dflag": dmm_flow(True),
            "dmm_mad_profile": dmm_flow(False, smaar_type=28, pmaar_type=29)}


MN_COA, MN_HOA, HA6, CN6 = "2001:db8:77::10", "2001:db8:aaaa:1::10", "2001:db8::2", "2001:db8:cc::20"


def q(v):
    return struct.pack("!Q", v)


def scn_mipv6_messages():
    c = Capture()
    mh_frame(c, HA6, MN_HOA, MIP6MH_BRR(res=0, res2=0))
    mh_frame(c, MN_HOA, CN6, MIP6MH_HoTI(res=0, cookie=q(0x1122334455667788)))
    mh_frame(c, MN_COA, CN6, MIP6MH_CoTI(res=0, cookie=q(0x99aabbccddeeff00)))
    mh_frame(c, CN6, MN_HOA, MIP6MH_HoT(res=0, index=5, cookie=q(0x1122334455667788), token=q(0x111ee49850f4e508)))
    mh_frame(c, CN6, MN_COA, MIP6MH_CoT(res=0, index=6, cookie=q(0x99aabbccddeeff00), token=q(0x9e68ce3122fc6696)))
    mh_frame(c, MN_COA, HA6, bu(1000, A | H | L | K, 250, []), hoa=MN_HOA)
    mh_frame(c, MN_COA, HA6, bu(1001, M | R | F | T | B | S | D, 0, []), hoa=MN_HOA)
    mh_frame(c, HA6, MN_COA, ba(0, BA_K | BA_R, 1000, 250, []))
    mh_frame(c, HA6, MN_COA, ba(135, BA_T | BA_B | BA_S | BA_D, 1001, 0, []))
    mh_frame(c, HA6, MN_COA, MIP6MH_BE(status=2, ha=MN_HOA))
    mh_frame(c, CN6, MN_COA, MIP6MH_BE(status=1, ha=MN_HOA))
    return {"mipv6_messages": c}


def mh_auth_msg(msg, coa, hoa):
    """RFC 4285 §5.1: Authentication Data = First(96, HMAC_SHA1(key, CoA | HoA | MH Data)),
    MH Data = the MH up to and including the SPI of the option, with the checksum 0."""
    import socket
    mh = bytes(msg)
    mh = mh[:4] + b"\0\0" + mh[6:]
    spi_end = mh.index(bytes([9, 17, 1]) + struct.pack("!I", MNHA_SPI)) + 7
    data = socket.inet_pton(socket.AF_INET6, coa) + socket.inet_pton(socket.AF_INET6, hoa) + mh[:spi_end]
    return hmac.new(MNHA_KEY, data, hashlib.sha1).digest()[:12]


def scn_mh_auth():
    """PBU and PBA with the MN-HA option; [D] of lib/mh.h: CoA = the MAG's Proxy-CoA,
    HoA = the LMAA, whichever direction the message travels."""
    c = Capture()
    for make, src, dst in (
            (lambda a: bu(2000, A | P, 150, pmip_opts("mn1@example.com", "::", 0, 1, 4)
                          + [MIP6OptMsgAuth(subtype=1, mspi=MNHA_SPI, authdata=a)], cksum=0), MAG1, LMA),
            (lambda a: ba(0, BA_P, 2000, 150, pmip_opts("mn1@example.com", HNP1, 64, 1, 4)
                          + [MIP6OptMsgAuth(subtype=1, mspi=MNHA_SPI, authdata=a)], cksum=0), LMA, MAG1)):
        auth = mh_auth_msg(make(b"\0" * 12), MAG1, LMA)
        m = make(auth)
        m.cksum = None
        mh_frame(c, src, dst, m)
    return {"mh_auth": c}


def udp4(c, src, dst, sport, dport, payload, ip_id=None):
    ip = IP(src=src, dst=dst, id=c.n + 1 if ip_id is None else ip_id, ttl=64)
    c.add(eth(v4last(src), v4last(dst)) / ip / UDP(sport=sport, dport=dport) / payload)


def scn_pmipv6_udp5436():
    c = Capture()
    m = bu(50, A | P | F, 75, pmip_opts("mn4@example.com", "::", 0, 1, 4, 0x00006553F4000000) + [
        OptIPv4CoA(coa="198.51.100.10"), OptIPv4HoAReq(plen=0), OptGREKey(olen=6, key=0xabcd)], cksum=0)
    udp4(c, "198.51.100.10", "198.51.100.20", 49152, 5436, Raw(bytes(m)))
    m = ba(0, BA_P, 50, 75, pmip_opts("mn4@example.com", "2001:db8:dddd:1::", 64, 1, 4, 0x00006553F4000000) + [
        OptIPv4HoARep(plen=24, hoa="10.0.4.5"), OptIPv4DRA(dra="10.0.4.1"), OptGREKey(olen=6, key=0xdcba)], cksum=0)
    udp4(c, "198.51.100.20", "198.51.100.10", 5436, 49152, Raw(bytes(m)))
    # RFC 5844 §4 data plane: UDP 5437 directly followed by the inner IPv4 packet
    udp4(c, "198.51.100.10", "198.51.100.20", 49153, 5437,
         IP(src="10.0.4.5", dst="192.0.2.99", id=0x5437, ttl=64) / ICMP(type=8, id=0x5437, seq=1) / KEEPALIVE)
    return {"pmipv6_udp5436": c}


# --- MIPv4 ---

MR_HOA, HA4, MR_COA = "192.0.2.1", "198.51.100.1", "203.0.113.7"
CR_HOA, CR_COA, CR_COA2 = "198.51.100.129", "203.0.113.9", "192.0.2.222"
MNP = "10.1.1.0"
RQ_IDENT = 0xe1d2c3b400000001


def mip4(fixed, exts, mcauth_hdr=8):
    """Serialise fixed part + extensions, computing MN-HA (HMAC-MD5, RFC 5944 §3.5.1) and
    MC-Auth (First(128, HMAC-SHA1(KRm, ...)), RFC 6521 §5.3) over everything before them."""
    msg = bytes(fixed)
    for e in exts:
        if isinstance(e, ExtMNHA) and e.auth == b"SIGN":
            e = e.copy()
            e.auth = b"\0" * 16
            hdr = bytes(e)[:6]
            e.auth = hmac.new(MNHA_KEY, msg + hdr, hashlib.md5).digest()
        elif isinstance(e, ExtMCAuth) and e.auth == b"SIGN":
            e = e.copy()
            e.auth = b"\0" * 16
            raw = bytes(e)
            hdr = raw[:8] if mcauth_hdr == 8 else raw[:2] + raw[4:8]
            e.auth = hmac.new(KRM, msg + hdr, hashlib.sha1).digest()[:16]
        msg += bytes(e)
    return Raw(msg)


def rrq(flags, lifetime, hoa, ha, coa, ident):
    return MobileIP(type=1) / MobileIPRRQ(flags=flags, lifetime=lifetime, homeaddr=hoa, haaddr=ha,
                                          coaddr=coa, id=ident)


def rrp(code, lifetime, hoa, ha, ident):
    return MobileIP(type=3) / MobileIPRRP(code=code, lifetime=lifetime, homeaddr=hoa, haaddr=ha, id=ident)


MNHA = lambda: ExtMNHA(spi=MNHA_SPI, auth=b"SIGN")  # noqa: E731
MCAUTH = lambda h, cc: ExtMCAuth(hni=h, cni=cc, auth=b"SIGN")  # noqa: E731
F_D, F_T = 0x20, 0x02


def vector_mr_ha_request():
    return mip4(rrq(F_D | F_T, 600, MR_HOA, HA4, MR_COA, RQ_IDENT),
                [ExtMobNetReq(plen=24, prefix=MNP), ExtMRROCAP(A=1, R=1), ExtUDPTunReq(F=1, encap=4), MNHA()])


def scn_mip4_mr_ha():
    c = Capture()
    udp4(c, MR_COA, HA4, 434, 434, vector_mr_ha_request())
    udp4(c, HA4, MR_COA, 434, 434, mip4(rrp(0, 600, MR_HOA, HA4, RQ_IDENT), [
        ExtUDPTunRep(code=0, keepalive=110), ExtMobNetAck(subtype=1, code=0, plen=24, prefix=MNP),
        ExtROR(code=0), ExtPfxAdv(data=pfx_encode(PFX_VECTOR)), MNHA()]))
    udp4(c, MR_COA, HA4, 434, 434, mip4(rrq(F_D | F_T, 600, MR_HOA, HA4, MR_COA, 0xe1d2c3b500000002), [
        ExtMobNetReq(plen=24, prefix=MNP), ExtMRROCAP(A=1, S=1, O=1, hoa=CR_HOA), ExtUDPTunReq(R=1, encap=0),
        MNHA()]))
    udp4(c, HA4, MR_COA, 434, 434, mip4(rrp(0, 600, MR_HOA, HA4, 0xe1d2c3b500000002), [
        ExtUDPTunRep(code=0, F=1, keepalive=0), ExtMobNetAck(subtype=2, code=0, plen=24, prefix=MNP),
        ExtROR(O=1, N=1, S=1, code=16), MNHA()]))
    udp4(c, HA4, MR_COA, 434, 434, mip4(rrp(147, 0, MR_HOA, HA4, 0xe1d2c3b600000003), [
        ExtMobNetAck(subtype=1, code=1, plen=24, prefix=MNP), MNHA()]))
    udp4(c, HA4, MR_COA, 434, 434, mip4(rrp(148, 0, MR_HOA, HA4, 0xe1d2c3b700000004), [MNHA()]))
    udp4(c, HA4, MR_COA, 434, 434, mip4(rrp(142, 0, MR_HOA, HA4, 0xe1d2c3b800000005), [
        ExtUDPTunRep(code=64), MNHA()]))
    udp4(c, MR_COA, HA4, 434, 434, mip4(rrq(F_T, 0, MR_HOA, HA4, MR_COA, 0xe1d2c3b900000006), [
        ExtMRROCAP(A=1), MNHA()]))
    return {"mip4_mr_ha": c}


def keygen_token(addr, nonce, careof):
    import socket
    data = socket.inet_aton(addr) + struct.pack("!Q", nonce) + bytes([1 if careof else 0])
    return struct.unpack("!Q", hmac.new(KCR, data, hashlib.sha1).digest()[:8])[0]


def scn_haaro_rr():
    c = Capture()
    htok = keygen_token(MR_HOA, RR_NONCE, False)
    ctok = keygen_token(MR_COA, RR_NONCE, True)
    udp4(c, MR_HOA, CR_HOA, 50000, 434, HAAROTestInit(type=24, cookie=0x1122334455667788))
    udp4(c, MR_COA, CR_HOA, 50001, 434, HAAROTestInit(type=25, cookie=0x99aabbccddeeff00))
    udp4(c, CR_HOA, MR_HOA, 434, 50000, HAAROTest(type=26, index=5, cookie=0x1122334455667788, token=htok))
    udp4(c, CR_HOA, MR_COA, 434, 50001, HAAROTest(type=27, index=6, cookie=0x99aabbccddeeff00, token=ctok))
    return {"haaro_rr": c}


def haaro_mr_cr(hdr):
    c = Capture()
    udp4(c, MR_COA, CR_HOA, 434, 434, mip4(rrq(F_D | F_T, 600, MR_HOA, HA4, MR_COA, RQ_IDENT),
                                           [ExtMobNetReq(plen=24, prefix=MNP), MCAUTH(5, 6)], hdr))
    for code, mna in ((0, 0), (2, 0), (201, 0), (202, 0), (203, 0), (0, 2)):
        exts = []
        if code < 128:
            exts = [ExtMobNetAck(subtype=1, code=mna, plen=24, prefix=MNP), ExtCoA(coas=[CR_COA, CR_COA2])]
        udp4(c, CR_HOA, MR_COA, 434, 434,
             mip4(rrp(code, 600 if code < 128 else 0, MR_HOA, HA4, RQ_IDENT), exts + [MCAUTH(5, 6)], hdr))
    udp4(c, MR_COA, CR_HOA, 434, 434, mip4(rrq(F_D | F_T, 600, MR_HOA, HA4, MR_COA, 0xe1d2c3b400000002), [
        ExtMobNetReq(plen=24, prefix=MNP), ExtMobNetReq(plen=23, prefix="10.1.2.0"), ExtUDPTunReq(),
        MCAUTH(0, 0)], hdr))
    return c


def scn_haaro_mr_cr():
    return {"haaro_mr_cr": haaro_mr_cr(8), "haaro_mcauth6": haaro_mr_cr(6)}


def scn_mip4_revocation():
    c = Capture()
    udp4(c, MR_COA, HA4, 434, 434, mip4(rrq(F_T, 1800, MR_HOA, HA4, MR_COA, 0xe1d2c3c000000001), [
        ExtRevSupport(I=1, timestamp=0x65530000), MNHA()]))
    udp4(c, HA4, MR_COA, 434, 434, mip4(rrp(0, 1800, MR_HOA, HA4, 0xe1d2c3c000000001), [
        ExtRevSupport(I=1, timestamp=0x65530001), MNHA()]))
    udp4(c, HA4, MR_COA, 434, 434, MIP4Revocation(A=1, I=1, hoa=MR_HOA, hda=HA4, fda=MR_COA, rev_id=0x65530002))
    udp4(c, MR_COA, HA4, 434, 434, MIP4RevocationAck(I=1, hoa=MR_HOA, rev_id=0x65530002))
    # RFC 4064 experimental message type 255 with an opaque body
    udp4(c, MR_COA, HA4, 434, 434, MobileIP(type=255) / Raw(bytes([0, 0, 0, 0x2a, 0xde, 0xad, 0xbe, 0xef])))
    return {"mip4_revocation": c}


KEEPALIVE = b"dmm-bench keepalive"


def tunnel_data(c, osrc, odst, sport, dport, isrc, idst, icmp_type, seq):
    inner = IP(src=isrc, dst=idst, id=0x100 + seq, ttl=64) / ICMP(type=icmp_type, id=0x3519, seq=seq) / KEEPALIVE
    udp4(c, osrc, odst, sport, dport, MobileIP(type=4) / MobileIPTunnelData(nexthdr=4) / inner)


def scn_mip4_tunnel_data():
    c = Capture()
    tunnel_data(c, MR_COA, HA4, 434, 434, MR_HOA, HA4, 8, 1)
    tunnel_data(c, HA4, MR_COA, 434, 434, HA4, MR_HOA, 0, 1)
    tunnel_data(c, MR_COA, CR_COA, 40000, 434, MR_HOA, CR_HOA, 8, 2)
    tunnel_data(c, CR_COA, MR_COA, 434, 40000, CR_HOA, MR_HOA, 0, 2)
    return {"mip4_tunnel_data": c}


def scn_tunnels():
    c = Capture()
    # 1: IPv6-in-IPv6 carrying the §12 PBU
    c.add(eth(1, 2) / IPv6(src="2001:db8:ffff::1", dst="2001:db8:ffff::2") / IPv6(src=MAG1, dst=LMA) / vector_pbu())
    # 2: GRE (key 0x1234) over IPv4 carrying a PBA
    c.add(eth(20, 10) / IP(src="198.51.100.20", dst="198.51.100.10", id=c.n + 1, ttl=64)
          / GRE(key_present=1, key=0x1234, proto=0x86dd)
          / IPv6(src=LMA, dst=MAG1) / ba(0, BA_P, 7, 100, pmip_opts("mn1@example.com", HNP1, 64, 1, 4)))
    # 3: IPv4-in-IPv4 (FA -> HA) carrying the §12 request
    rq = vector_mr_ha_request()
    c.add(eth(1, 1) / IP(src="203.0.113.1", dst=HA4, id=c.n + 1, ttl=64)
          / IP(src=MR_COA, dst=HA4, id=0x2003, ttl=64) / UDP(sport=434, dport=434) / rq)
    # 4: minimal encapsulation, S = 1 (original source kept)
    orig = bytes(IP(src=MR_COA, dst=HA4, id=c.n + 1, ttl=64) / UDP(sport=434, dport=434) / rq)
    c.add(eth(1, 1) / IP(src="203.0.113.1", dst=HA4, id=c.n + 1, ttl=64, proto=55)
          / MinEncap(proto=17, S=1, dst=HA4, src=MR_COA) / Raw(orig[20:]))
    # 5: minimal encapsulation, S = 0
    orig = bytes(IP(src="203.0.113.1", dst=HA4, id=c.n + 1, ttl=64) / UDP(sport=434, dport=434) / rq)
    c.add(eth(1, 1) / IP(src="203.0.113.1", dst=HA4, id=c.n + 1, ttl=64, proto=55)
          / MinEncap(proto=17, S=0, dst=HA4) / Raw(orig[20:]))
    # 6: IPv4-in-IPv6 carrying an ICMP echo
    c.add(eth(2, 1) / IPv6(src=LMA, dst=MAG1, nh=4) / IP(src="10.0.0.1", dst="10.0.0.5", id=0x2473, ttl=64)
          / ICMP(type=8, id=0x2473, seq=1) / KEEPALIVE)
    return {"tunnels": c}


def scn_malformed():
    c = Capture()
    # 1: bad MH checksum (the correct one inverted)
    good = bytes(IPv6(src=MAG1, dst=LMA) / vector_pbu())[40:]
    bad = good[:4] + struct.pack("!H", ~struct.unpack("!H", good[4:6])[0] & 0xffff) + good[6:]
    c.add(eth(1, 2) / IPv6(src=MAG1, dst=LMA, nh=135) / Raw(bad))
    # 2: truncated: the first 40 of 104 octets
    c.add(eth(1, 2) / IPv6(src=MAG1, dst=LMA, nh=135) / Raw(good[:40]))
    # 3: unknown MH type 42
    mh_frame(c, MAG1, LMA, MIP6MH_Generic(mhtype=42, res=0, msg=bytes(range(1, 11))))
    # 4: unknown option 200 in a PBU
    mh_frame(c, MAG1, LMA, bu(60, A | P, 100, [nai("mn1@example.com"),
                                               MIP6OptUnknown(otype=200, odata=bytes([0xca, 0xfe, 0xba, 0xbe])),
                                               OptHNP(), OptHI(hi=1), OptATT(att=4)]))
    # 5: bad MN-HA authenticator
    udp4(c, MR_COA, HA4, 434, 434, mip4(rrq(F_D | F_T, 600, MR_HOA, HA4, MR_COA, RQ_IDENT), [
        ExtMobNetReq(plen=24, prefix=MNP), ExtMNHA(spi=MNHA_SPI, auth=bytes([0xba, 0xad] * 8))]))
    # 6: unknown non-skippable extension 100
    udp4(c, MR_COA, HA4, 434, 434, mip4(rrq(F_D | F_T, 600, MR_HOA, HA4, MR_COA, RQ_IDENT), [
        ExtTLV(type=100, data=bytes([1, 2, 3, 4])), MNHA()]))
    # 7: realm index 5 (an empty dictionary slot)
    udp4(c, HA4, MR_COA, 434, 434, mip4(rrp(0, 600, MR_HOA, HA4, RQ_IDENT), [
        ExtPfxAdv(data=bytes([0x40, 192, 0, 2, 1, 0x18, 10, 1, 1, 0x85, 0x00])), MNHA()]))
    # 8: ten nested IPv6 headers (tunnel depth 9)
    p = IPv6(src=MAG1, dst=LMA) / vector_pbu()
    for _ in range(9):
        p = IPv6(src="2001:db8:ffff::1", dst="2001:db8:ffff::2") / p
    c.add(eth(1, 2) / p)
    # 9: Payload Proto 6
    pbu = vector_pbu()
    pbu.nh = 6
    mh_frame(c, MAG1, LMA, pbu)
    # 10: Header Len 0 (8 octets) for a BU
    mh8 = bytes(bu(61, A | P, 100, [], len=0, cksum=0))[:8]
    ck = in6_chksum(135, IPv6(src=MAG1, dst=LMA, nh=135), mh8)
    c.add(eth(1, 2) / IPv6(src=MAG1, dst=LMA, nh=135) / Raw(mh8[:4] + struct.pack("!H", ck) + mh8[6:]))
    # 11: HNP with Length 17 (the 18-octet body is still there)
    mh_frame(c, MAG1, LMA, bu(62, A | P, 100, [nai("mn1@example.com"), OptHNP(olen=17), OptHI(hi=1), OptATT(att=4)]))
    # 12: registration request truncated to 16 octets
    udp4(c, MR_COA, HA4, 434, 434, Raw(bytes(rrq(F_D | F_T, 600, MR_HOA, HA4, MR_COA, RQ_IDENT))[:16]))
    return {"malformed": c}


SCENARIOS = [scn_pbu_multipath, scn_pba_multipath, scn_pba_status180, scn_pbu_pmipv6_options,
             scn_pba_ipv4_options, scn_rfc5213_rejects, scn_dmm_relay_mode, scn_mipv6_messages,
             scn_mh_auth, scn_pmipv6_udp5436, scn_mip4_mr_ha, scn_haaro_rr, scn_haaro_mr_cr,
             scn_mip4_revocation, scn_mip4_tunnel_data, scn_tunnels, scn_malformed]


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    out = argv[1]
    wanted = set(argv[2:])
    os.makedirs(out, exist_ok=True)
    for fn in SCENARIOS:
        for name, cap in fn().items():
            if wanted and name not in wanted:
                continue
            wrpcap(os.path.join(out, name + ".pcap"), cap.pkts, linktype=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
