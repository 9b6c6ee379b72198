#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Signalling for selftests/webrtc.sh: a small HTTP server that serves the
call page to headless Chromium, turns its SDP offer into our answer and
drives webrtc_app (the media server, one command per line) for it.

  webrtc_signal.py ADDR PORT MEDIA_ADDR MEDIA_PORT DIR -- APP_COMMAND...

GET /            the page (webrtc_page.html)
POST /offer      the browser's offer -> our answer (ICE-lite, one host
                 candidate, keyd's a=fingerprint and a=setup, Opus only)
POST /stats      the page's getStats() summary -> DIR/stats.json
POST /log        a line from the page -> stderr
POST /app        one webrtc_app command -> its answer line (the test
                 script's way to the app while the browser holds the call)
The offer and answer go to DIR/offer.sdp and DIR/answer.sdp. The server
listens at once; the app starts at the first offer, and that waits until
DIR/go exists (the test's word that keyd and its capture run), so Chromium
can start while they do.
"""
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
MID_EXT = "urn:ietf:params:rtp-hdrext:sdes:mid"
ECHO_SSRC = 0x6b737270		# "ksrp": the SSRC our echo is sent with


class App:
    """webrtc_app behind a lock: the page and the test script share it."""

    def __init__(self, argv, go):
        self.argv, self.go, self.proc = argv, go, None
        self.lock = threading.Lock()

    def start(self, seconds=120):
        """Once DIR/go is there: keyd answers, the capture runs."""
        end = time.monotonic() + seconds
        while not os.path.exists(self.go):
            if time.monotonic() > end:
                raise RuntimeError(f"no {self.go} after {seconds} s")
            time.sleep(0.1)
        with self.lock:
            if self.proc is None:
                self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, text=True, bufsize=1)

    def cmd(self, line):
        with self.lock:
            if self.proc is None:
                raise RuntimeError("webrtc_app not started: no offer yet")
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
            out = self.proc.stdout.readline().rstrip("\n")
        if not out:
            raise RuntimeError(f"webrtc_app gave no answer to {line.split()[0]}")
        return out

    def ok(self, line):
        out = self.cmd(line)
        if not out.startswith("ok"):
            raise RuntimeError(f"webrtc_app: {line.split()[0]}: {out}")
        return out[3:]


def parse_offer(sdp):
    """What the answer needs from the offer's (single) audio section."""
    lines = [ln.strip() for ln in sdp.splitlines() if ln.strip()]
    first_m = next((i for i, ln in enumerate(lines) if ln.startswith("m=")), None)
    if first_m is None or not lines[first_m].startswith("m=audio "):
        raise ValueError("no audio section first in the offer")
    media = lines[first_m:]
    if any(ln.startswith("m=") for ln in media[1:]):
        raise ValueError("more than one media section (the page offers audio only)")
    dtls = [ln for ln in lines if ln.startswith(("a=fingerprint:", "a=setup:"))]
    opus = [m.group(1) for ln in media
            if (m := re.match(r"a=rtpmap:(\d+) opus/48000/2$", ln, re.I))]
    ext = {m.group(2): int(m.group(1)) for ln in media
           if (m := re.match(r"a=extmap:(\d+)(?:/\w+)? (\S+)", ln))}
    mid = next((ln[6:] for ln in media if ln.startswith("a=mid:")), None)
    fmtp = next((ln for ln in media if opus and ln.startswith(f"a=fmtp:{opus[0]} ")), None)
    if not opus or AUDIO_LEVEL not in ext or mid is None:
        raise ValueError(f"offer lacks Opus, {AUDIO_LEVEL} or a=mid")
    return {"dtls": dtls, "pt": int(opus[0]), "ext": ext, "mid": mid, "fmtp": fmtp}


def answer_sdp(offer, dtls_attrs, ufrag, pwd, addr, port):
    pt, mid = offer["pt"], offer["mid"]
    exts = [f"a=extmap:{offer['ext'][uri]} {uri}" for uri in (AUDIO_LEVEL, MID_EXT)
            if uri in offer["ext"]]
    lines = ["v=0", f"o=- {secrets.randbits(62)} 2 IN IP4 {addr}", "s=ksrtp", "t=0 0",
             f"a=group:BUNDLE {mid}", "a=ice-lite", "a=msid-semantic: WMS ksrtp",
             f"m=audio {port} UDP/TLS/RTP/SAVPF {pt}", f"c=IN IP4 {addr}",
             f"a=ice-ufrag:{ufrag}", f"a=ice-pwd:{pwd}", *dtls_attrs,
             f"a=mid:{mid}", *exts, "a=sendrecv", "a=rtcp-mux",
             "a=msid:ksrtp echo", f"a=rtpmap:{pt} opus/48000/2",
             *([offer["fmtp"]] if offer["fmtp"] else []),
             f"a=ssrc:{ECHO_SSRC} cname:ksrtp-echo",
             f"a=ssrc:{ECHO_SSRC} msid:ksrtp echo",
             f"a=candidate:1 1 udp 2130706431 {addr} {port} typ host",
             "a=end-of-candidates"]
    return "\r\n".join(lines) + "\r\n"


def make_handler(app, page, args):
    addr, port, out = args["media_addr"], args["media_port"], args["dir"]

    def offer_to_answer(sdp):
        with open(os.path.join(out, "offer.sdp"), "w") as f:
            f.write(sdp)
        offer = parse_offer(sdp)
        app.start()
        app.ok("create")
        app.ok("remote " + json.dumps(offer["dtls"]))
        dtls_attrs = json.loads(app.ok("local"))
        ufrag, pwd = secrets.token_hex(4), secrets.token_hex(16)
        app.ok(f"ice {ufrag} {pwd}")
        app.ok(f"echo {offer['pt']} {ECHO_SSRC} {offer['ext'][AUDIO_LEVEL]}")
        sdp = answer_sdp(offer, dtls_attrs, ufrag, pwd, addr, port)
        with open(os.path.join(out, "answer.sdp"), "w") as f:
            f.write(sdp)
        with open(os.path.join(out, "negotiated"), "w") as f:
            f.write(f"pt={offer['pt']} ext={offer['ext'][AUDIO_LEVEL]} ssrc={ECHO_SSRC}\n")
        return sdp

    class Handler(BaseHTTPRequestHandler):
        def send(self, code, body, ctype="text/plain"):
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path in ("/", "/index.html"):
                self.send(200, page, "text/html")
            else:
                self.send(404, "no such page")

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            try:
                if self.path == "/offer":
                    self.send(200, offer_to_answer(body), "application/sdp")
                elif self.path == "/app":
                    self.send(200, app.cmd(body.strip()))
                elif self.path in ("/stats", "/log"):
                    name = "stats.json" if self.path == "/stats" else "page.log"
                    with open(os.path.join(out, name), "a") as f:
                        f.write(body + "\n")
                    self.send(200, "ok")
                else:
                    self.send(404, "no such endpoint")
            except (ValueError, RuntimeError) as e:
                print(f"webrtc_signal: {self.path}: {e}", file=sys.stderr, flush=True)
                self.send(400, str(e))

        def log_message(self, fmt, *a):
            print("webrtc_signal: " + fmt % a, file=sys.stderr, flush=True)

    return Handler


def main():
    if len(sys.argv) < 8 or sys.argv[6] != "--":
        sys.exit(__doc__)
    addr, port, maddr, mport, out = sys.argv[1:6]
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "webrtc_page.html")) as f:
        page = f.read()
    app = App(sys.argv[7:], os.path.join(out, "go"))
    args = {"media_addr": maddr, "media_port": int(mport), "dir": out}
    srv = ThreadingHTTPServer((addr, int(port)), make_handler(app, page, args))
    print("webrtc_signal: ready", file=sys.stderr, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
