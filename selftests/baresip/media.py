# SPDX-License-Identifier: GPL-2.0
"""Media helpers for keyd_baresip.sh (Python standard library only).

  media.py tone OUT.wav SECONDS
      baresip's audio source: 8 kHz mono, each 20 ms frame one constant
      level, 16 levels in turn. PCMU turns a frame into 160 copies of one
      byte, and the byte repeats every 16 packets: keyd_app's `fstats`
      checks exactly that on what the kernel decrypted.
  media.py dec DUMP.wav MIN
      baresip's decoded audio (sndfile's *-dec.wav): count the keyd_app
      frames in it, each re-encoded to PCMU byte for byte ("KDAP", a counter,
      then counter + i). Fails with fewer than MIN distinct frames.
  media.py kernel SHOW.json PORT PEER_SSRC MIN [RTCP_TAG_QUIRK]
      `ksrtpctl -j show`: the socket on PORT protected and accepted at least
      MIN packets each way, an RX context for the peer's SSRC accepted at
      least MIN, and no context counted an authentication failure. With
      RTCP_TAG_QUIRK 1, SRTCP authentication failures are expected instead
      (libre's *_32 suites put a 32-bit tag on SRTCP; RFC 5764 §4.1.2: 80).
  media.py call SHOW.json PORT PEER_SSRC MIN RTCP_TAG_QUIRK DUMP.wav
      kernel and dec in one run (a Python start costs seconds under TCG).
"""
import json
import struct
import sys
import wave

LEVELS = 16
MAGIC = b"KDAP"
PAYLOAD = 160


def tone(path, seconds):
    w = wave.open(path, "wb")
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(8000)
    frames = 50 * int(seconds)
    w.writeframes(b"".join(struct.pack("<h", 1000 * ((n % LEVELS) - 8)) * PAYLOAD
                           for n in range(frames)))
    w.close()
    return 0


def lin2ulaw(s):
    """G.711 mu-law of one 16-bit sample."""
    mask = 0xFF
    if s < 0:
        s, mask = -s, 0x7F
    s = min(s, 32635) + 0x84
    seg = min(max(s.bit_length() - 8, 0), 7)
    return ((seg << 4) | ((s >> (seg + 3)) & 0xF)) ^ mask


def norm(b):
    """0x7f and 0xff both decode to (almost) zero: one value for both."""
    return bytes(0xFF if x == 0x7F else x for x in b)


def keyd_app_payload(counter):
    """What keyd_app's send_one() puts after the RTP header."""
    p = MAGIC + struct.pack(">I", counter & 0xFFFFFFFF)
    return p + bytes((counter + i) & 0xFF for i in range(20, 12 + PAYLOAD))


def dec(path, minimum):
    try:
        w = wave.open(path, "rb")
    except (OSError, EOFError, wave.Error) as e:
        print("baresip's decoded audio: %s" % e)
        return 1
    if w.getsampwidth() != 2 or w.getnchannels() != 1:
        print("unexpected wav format: %r" % (w.getparams(),))
        return 1
    raw = w.readframes(w.getnframes())
    samples = struct.unpack("<%dh" % (len(raw) // 2), raw)
    ulaw = norm(bytes(lin2ulaw(s) for s in samples))
    found, bad, pos = set(), 0, ulaw.find(MAGIC)
    while pos >= 0:
        frame = ulaw[pos:pos + PAYLOAD]
        counter = struct.unpack(">I", frame[4:8])[0] if len(frame) >= 8 else 0
        # a counter byte 0xff may have been 0x7f
        cands = [counter] + ([counter - 0x80] if counter & 0xFF == 0xFF else [])
        match = [c for c in cands if frame == norm(keyd_app_payload(c))]
        if len(frame) == PAYLOAD and match:
            found.add(match[0])
        elif len(frame) == PAYLOAD:
            bad += 1
        pos = ulaw.find(MAGIC, pos + 1)
    print("baresip decoded %d samples: %d keyd_app frames intact (counters %s..%s), "
          "%d damaged" % (len(samples), len(found), min(found, default="-"),
                          max(found, default="-"), bad))
    return 0 if len(found) >= minimum and not bad else 1


def kernel(path, port, peer_ssrc, minimum, rtcp_quirk=False):
    socks = json.load(open(path))
    mine = [s for s in socks if s.get("local_port") == port]
    if len(mine) != 1:
        print("sockets on port %d: %d\n%s" % (port, len(mine), json.dumps(socks)))
        return 1
    s = mine[0]
    st = s.get("stats", {})
    ctxs = s.get("contexts", [])
    errs = []
    for k in ("rx_srtp", "tx_srtp"):
        if st.get(k, 0) < minimum:
            errs.append("%s %d < %d" % (k, st.get(k, 0), minimum))
    rx_peer = [c for c in ctxs if c.get("dir") == "rx" and c.get("ssrc") == peer_ssrc]
    rx_pk = sum(c.get("stats", {}).get("packets", 0) for c in rx_peer)
    tx_pk = sum(c.get("stats", {}).get("packets", 0) for c in ctxs if c.get("dir") == "tx")
    if rx_pk < minimum:
        errs.append("RX contexts of SSRC %d accepted %d < %d" % (peer_ssrc, rx_pk, minimum))
    if tx_pk < minimum:
        errs.append("TX contexts protected %d < %d" % (tx_pk, minimum))
    rtcp_fail = 0
    for c in ctxs:
        rtcp_fail += c.get("stats", {}).get("rtcp_auth_fail", 0)
        for k in ("auth_fail", "rtcp_auth_fail", "replay_drop", "malformed"):
            if k == "rtcp_auth_fail" and rtcp_quirk:
                continue
            if c.get("stats", {}).get(k, 0):
                errs.append("%s context %s: %s=%d" % (c.get("dir"), c.get("ssrc", "any"),
                                                      k, c["stats"][k]))
    if rtcp_quirk:
        # this call's RX contexts, not the socket's rx_srtcp: that one counts
        # the earlier calls on the same socket too, and libre may send no
        # RTCP at all in a call this short
        rtcp_ok = sum(c.get("stats", {}).get("rtcp_packets", 0) for c in rx_peer)
        if rtcp_ok:
            errs.append("the peer's SRTCP authenticated (%d): libre's 32-bit SRTCP tag fixed?"
                        % rtcp_ok)
        print("SRTCP from the peer refused: %d (its 32-bit tag)" % rtcp_fail)
    print("kernel: port %d rx_srtp=%d rx_srtcp=%d tx_srtp=%d tx_srtcp=%d rx_no_ctx=%d; "
          "SSRC %d: %d accepted; %d protected; suites %s" %
          (port, st.get("rx_srtp", 0), st.get("rx_srtcp", 0), st.get("tx_srtp", 0),
           st.get("tx_srtcp", 0), st.get("rx_no_ctx", 0), peer_ssrc, rx_pk, tx_pk,
           ",".join(sorted({c.get("suite", "?") for c in ctxs}))))
    for e in errs:
        print(e)
    return 1 if errs else 0


def main(argv):
    if len(argv) == 4 and argv[1] == "tone":
        return tone(argv[2], argv[3])
    if len(argv) == 4 and argv[1] == "dec":
        return dec(argv[2], int(argv[3]))
    if len(argv) in (6, 7) and argv[1] == "kernel":
        return kernel(argv[2], int(argv[3]), int(argv[4]), int(argv[5]),
                      len(argv) == 7 and argv[6] == "1")
    if len(argv) == 8 and argv[1] == "call":
        k = kernel(argv[2], int(argv[3]), int(argv[4]), int(argv[5]), argv[6] == "1")
        return dec(argv[7], int(argv[5])) or k
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
