# SPDX-License-Identifier: GPL-2.0
"""The UDP datagrams of a pcap capture (Ethernet, IPv4), for the demos'
checks of what crossed the wire."""
import struct


def udp_payloads(path):
    """(src, dst, UDP payload) of each IPv4 UDP frame of a pcap file"""
    data = open(path, "rb").read()
    end = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    assert struct.unpack(end + "I", data[20:24])[0] == 1, "not Ethernet"
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        if frame[12:14] != b"\x08\x00" or frame[23] != 17:
            continue
        ip = frame[14:]
        udp = ip[4 * (ip[0] & 15):]
        ulen = int.from_bytes(udp[4:6], "big")
        yield ".".join(map(str, ip[12:16])), ".".join(map(str, ip[16:20])), udp[8:ulen]
