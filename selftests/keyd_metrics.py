#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Helpers of selftests/keyd_metrics.sh: read a Prometheus text scrape.

  keyd_metrics.py get SCRAPE 'name{l="v",...}'     print the sample's value
  keyd_metrics.py cmp SCRAPE KSRTPCTL_JSON METHOD  every socket and context
      counter of the scrape equals the sum over `ksrtpctl -j show`; prints
      the packet totals; exit 1 (with the differences) if any differs
"""
import json
import re
import sys

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$')
POSITIONS = {"highest_index", "rtcp_index"}   # not counters: never exported


def samples(path):
    out = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            m = LINE.match(line)
            if not m:
                sys.exit("unparsable line: %r" % line)
            out[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return out


def cmp(scrape, show, method):
    got = samples(scrape)
    with open(show) as f:
        socks = json.load(f)
    sock_sum, ctx_sum = {}, {}
    for s in socks:
        for k, v in s.get("stats", {}).items():
            sock_sum[k] = sock_sum.get(k, 0) + v
        for c in s.get("contexts", []):
            for k, v in c.get("stats", {}).items():
                key = (c["suite"], c["dir"], k)
                ctx_sum[key] = ctx_sum.get(key, 0) + v
    bad = []
    for k, v in sock_sum.items():
        name = 'ksrtp_socket_%s_total{method="%s"}' % (k, method)
        if got.get(name) != v:
            bad.append("%s: scraped %s, ksrtpctl %s" % (name, got.get(name), v))
    for (suite, d, k), v in ctx_sum.items():
        if k in POSITIONS:
            continue
        name = 'ksrtp_ctx_%s_total{method="%s",suite="%s",direction="%s"}' % (
            k, method, suite, d)
        if got.get(name) != v:
            bad.append("%s: scraped %s, ksrtpctl %s" % (name, got.get(name), v))
    # and nothing scraped that the kernel does not have
    for name, v in got.items():
        m = re.match(r'ksrtp_ctx_(\w+)_total\{method="%s",suite="(\w+)",direction="(\w+)"\}'
                     % method, name)
        if m and (m.group(2), m.group(3), m.group(1)) not in ctx_sum and v != 0:
            bad.append("%s = %s: no such context in ksrtpctl" % (name, v))
    if not sock_sum or not ctx_sum:
        bad.append("ksrtpctl showed no counters")
    tx = sum(v for (s, d, k), v in ctx_sum.items() if d == "tx" and k == "packets")
    rx = sum(v for (s, d, k), v in ctx_sum.items() if d == "rx" and k == "packets")
    print("tx_packets=%d rx_packets=%d sock_counters=%d ctx_counters=%d" %
          (tx, rx, len(sock_sum), len(ctx_sum)))
    for b in bad:
        print(b)
    return 1 if bad or not tx or not rx else 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "get":
        v = samples(sys.argv[2]).get(sys.argv[3])
        if v is None:
            print("missing")
            return 1
        print("%d" % v if v == int(v) else v)
        return 0
    if len(sys.argv) == 5 and sys.argv[1] == "cmp":
        return cmp(sys.argv[2], sys.argv[3], sys.argv[4])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
