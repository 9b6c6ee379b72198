#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Assertions of selftests/webrtc.sh on what the call left behind. Each
prints what it saw and exits 1 with the reasons when something is off.

  webrtc_check.py stats STATS_JSON SUITE MIN
      the page's getStats(): connected, the SRTP cipher keyd reported, MIN
      echoed packets received, a second of them decoded (samples that were
      not concealed), MIN sent
  webrtc_check.py kernel SHOW_JSON PORT BROWSER_SSRC ECHO_SSRC MIN
      `ksrtpctl -j show`: MIN packets through the browser's RX context and
      the TX context of the echo SSRC, no authentication failure, replay or
      malformed drop on any context
  webrtc_check.py wire TSHARK_FIELDS PACKET_LOG SUITE MIN
      the capture (tshark -T fields -e frame.protocols -e udp.payload, RTP
      heuristics on): only STUN, DTLS and SRTP/SRTCP. Each RTP-shaped datagram
      is matched to the plain packet webrtc_app read or sent (SSRC,
      sequence number): same header, payload different, longer by the
      suite's tag; SRTCP has its E flag set.
"""
import json
import sys

TAG = {"AES_CM_128_HMAC_SHA1_80": 10, "AES_CM_128_HMAC_SHA1_32": 4,
       "AEAD_AES_128_GCM": 16, "AEAD_AES_256_GCM": 16}

# Chromium's srtpCipher: OpenSSL/BoringSSL's profile names
CHROMIUM_NAMES = {"AES_CM_128_HMAC_SHA1_80": ("SRTP_AES128_CM_SHA1_80", "SRTP_AES128_CM_HMAC_SHA1_80"),
                  "AES_CM_128_HMAC_SHA1_32": ("SRTP_AES128_CM_SHA1_32", "SRTP_AES128_CM_HMAC_SHA1_32"),
                  "AEAD_AES_128_GCM": ("SRTP_AEAD_AES_128_GCM",),
                  "AEAD_AES_256_GCM": ("SRTP_AEAD_AES_256_GCM",)}


def check_stats(path, suite, minimum):
    with open(path) as f:
        s = json.loads(f.read().splitlines()[-1])
    errs = []
    if "error" in s:
        return [f"the page failed: {s['error']}"]
    inb, outb, tr = s.get("inbound") or {}, s.get("outbound") or {}, s.get("transport") or {}
    decoded = inb.get("totalSamplesReceived", 0) - inb.get("concealedSamples", 0)
    print(f"page after {s.get('seconds', 0):.1f} s: {s.get('connectionState')}; "
          f"inbound packetsReceived={inb.get('packetsReceived')} "
          f"packetsLost={inb.get('packetsLost')} samples={inb.get('totalSamplesReceived')} "
          f"concealed={inb.get('concealedSamples')} ssrc={inb.get('ssrc')}; "
          f"outbound packetsSent={outb.get('packetsSent')} ssrc={outb.get('ssrc')}; "
          f"transport dtlsState={tr.get('dtlsState')} tlsVersion={tr.get('tlsVersion')} "
          f"srtpCipher={tr.get('srtpCipher')} dtlsRole={tr.get('dtlsRole')}")
    if s.get("connectionState") != "connected":
        errs.append("connection not connected")
    if tr.get("dtlsState") != "connected":
        errs.append("DTLS not connected")
    if tr.get("srtpCipher") not in CHROMIUM_NAMES.get(suite, ()):
        errs.append(f"keyd says {suite}, Chromium {tr.get('srtpCipher')}")
    if inb.get("packetsReceived", 0) < minimum:
        errs.append(f"Chromium received {inb.get('packetsReceived', 0)} < {minimum} packets")
    # a second at 48 kHz from real packets, not concealment: what the page
    # waits for (under TCG most of the echo's playout is concealed)
    if decoded < 48000:
        errs.append(f"Chromium decoded {decoded} samples from packets < 48000")
    if outb.get("packetsSent", 0) < minimum:
        errs.append(f"Chromium sent {outb.get('packetsSent', 0)} < {minimum} packets")
    return errs


def check_kernel(path, port, browser_ssrc, echo_ssrc, minimum):
    with open(path) as f:
        socks = [s for s in json.load(f) if s.get("local_port") == port]
    if len(socks) != 1:
        return [f"{len(socks)} sockets on port {port}"]
    st, ctxs = socks[0].get("stats", {}), socks[0].get("contexts", [])
    errs = []
    rx = sum(c.get("stats", {}).get("packets", 0) for c in ctxs
             if c.get("dir") == "rx" and c.get("ssrc") == browser_ssrc)
    tx = sum(c.get("stats", {}).get("packets", 0) for c in ctxs
             if c.get("dir") == "tx" and c.get("ssrc") == echo_ssrc)
    print(f"kernel: rx_srtp={st.get('rx_srtp')} rx_srtcp={st.get('rx_srtcp')} "
          f"tx_srtp={st.get('tx_srtp')} tx_passthrough={st.get('tx_passthrough')} "
          f"rx_no_ctx={st.get('rx_no_ctx')}; SSRC {browser_ssrc} accepted {rx}, "
          f"SSRC {echo_ssrc} protected {tx}; {len(ctxs)} contexts")
    if rx < minimum or tx < minimum:
        errs.append(f"fewer than {minimum} packets through the contexts")
    for c in ctxs:
        for k in ("auth_fail", "rtcp_auth_fail", "replay_drop", "malformed"):
            if c.get("stats", {}).get(k, 0):
                errs.append(f"{c.get('dir')} context {c.get('ssrc', 'any')}: "
                            f"{k}={c['stats'][k]}")
    return errs


def rtp_header_len(p):
    n = 12 + 4 * (p[0] & 0x0f)
    if p[0] & 0x10:
        n += 4 + 4 * int.from_bytes(p[n + 2:n + 4], "big")
    return n


def check_wire(fields, pktlog, suite, minimum):
    plain = {}
    with open(pktlog) as f:
        for ln in f:
            d, ssrc, seq, length, head = ln.split() + [""] * (5 - len(ln.split()))
            plain[(int(ssrc), int(seq))] = (int(length), head)
    tag, errs = TAG[suite], []
    count = {"stun": 0, "dtls": 0, "srtp": 0, "srtcp": 0, "matched": 0}
    with open(fields) as f:
        for n, ln in enumerate(f, 1):
            protos, _, hexp = ln.rstrip("\n").partition("\t")
            p = bytes.fromhex(hexp)
            layers = protos.split(":")
            if "stun" in layers:
                count["stun"] += 1
            elif "dtls" in layers:
                count["dtls"] += 1
            elif "rtcp" in layers or "srtcp" in layers:
                count["srtcp"] += 1
                trailer = len(p) - 4 - (0 if tag == 16 else tag)
                if len(p) < 12 or not p[trailer] & 0x80:
                    errs.append(f"datagram {n}: RTCP without SRTCP's E flag")
            elif "rtp" in layers or "srtp" in layers:
                count["srtp"] += 1
                key = (int.from_bytes(p[8:12], "big"), int.from_bytes(p[2:4], "big"))
                if key not in plain:
                    continue
                length, head = plain[key]
                hl = rtp_header_len(p)
                wire_head = p[hl:hl + 16].hex()
                if len(p) != length + tag or wire_head == head:
                    errs.append(f"datagram {n}: SSRC {key[0]} seq {key[1]}: {len(p)} bytes, "
                                f"plain {length} + tag {tag}; payload {wire_head} vs {head}")
                count["matched"] += 1
            else:
                errs.append(f"datagram {n}: {protos}: not STUN, DTLS, SRTP or SRTCP")
    print("wire: " + " ".join(f"{k}={v}" for k, v in count.items()))
    if count["stun"] < 2 or count["dtls"] < 4 or count["matched"] < minimum:
        errs.append(f"too little of the call on the wire (matched < {minimum})")
    return errs[:20]


def main():
    what, args = sys.argv[1], sys.argv[2:]
    if what == "stats":
        errs = check_stats(args[0], args[1], int(args[2]))
    elif what == "kernel":
        errs = check_kernel(args[0], int(args[1]), int(args[2]), int(args[3]), int(args[4]))
    elif what == "wire":
        errs = check_wire(args[0], args[1], args[2], int(args[3]))
    else:
        sys.exit(__doc__)
    for e in errs:
        print("FAIL: " + e)
    sys.exit(1 if errs else 0)


if __name__ == "__main__":
    main()
