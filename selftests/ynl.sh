#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own ynl CLI (tools/net/ynl/cli.py of Debian's linux-source-6.12,
# unpacked under build/ynl by make) drives ksrtp through netlink/ksrtp.yaml:
# info-get, sock-attach of UDP sockets this shell holds, sock-get and ctx-get
# (do and dump), ctx-new, key-add, key-swap, key-del, policy and lookup errors
# with their extack, and a --subscribe events listener (as ovpn's selftests
# run one) whose notifications of a sock-detach and of a socket's close are
# compared as JSON. Values are checked against the UAPI header, /proc, sysfs
# and ksrtpctl; no reply carries key material.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
TREE=$SRC/build/ynl
CTL=$BIN/ksrtpctl
T=$(mktemp -d /tmp/ynl-test.XXXXXX)
SUB=
trap '[ -z "$SUB" ] || kill "$SUB" 2>/dev/null; rm -rf "$T"' EXIT
YNL=("$PY" "$TREE/tools/net/ynl/cli.py" --spec "$SRC/netlink/ksrtp.yaml" --output-json)

ktap_plan 11

if [ ! -f "$TREE/tools/net/ynl/cli.py" ]; then
	echo "Bail out! no ynl under $TREE (make selftests unpacks it from linux-source-6.12)"
	exit 1
fi

# ynl OUT ARGS...: the CLI's JSON on OUT, its stderr on OUT.err; its status.
# The spec is checked against the schema once (info-get; natively by make
# spec-check): jsonschema costs seconds a call under TCG.
ynl() {
	out=$1; shift
	"${YNL[@]}" --no-schema "$@" > "$T/$out" 2> "$T/$out.err"
}

# pyq NAME FILE EXPR: a test point that EXPR holds, with d = FILE's last JSON
# line (ynl prints the reply, then with --subscribe the notifications)
pyq() {
	name=$1 file=$T/$2 expr=$3
	if "$PY" - "$file" "$expr" > "$T/pyq.out" 2>&1 <<'EOF'
import json, sys, yaml
lines = [l for l in open(sys.argv[1]) if l.strip()]
d = json.loads(lines[-1]) if lines else None
env = {'d': d, 'lines': lines, 'json': json, 'yaml': yaml, 'env': __import__('os').environ}
ok = eval('(' + sys.argv[2] + ')', env)
if not ok:
    print('expected:', sys.argv[2])
    print('got:', ''.join(lines))
sys.exit(0 if ok else 1)
EOF
	then
		ktap_ok "$name"
	else
		sed 's/^/# /' "$T/pyq.out" "$file.err" 2>/dev/null | head -n 30
		ktap_fail "$name"
	fi
}

# Key material this test installs: no reply may carry it (ynl prints binary
# attributes as hex).
K1=a1a2a3a4a5a6a7a8a9aaabacadaeafb0
S1=c1c2c3c4c5c6c7c8c9cacbcccdce
K2=d1d2d3d4d5d6d7d8d9dadbdcdddedfe0
S2=e1e2e3e4e5e6e7e8e9eaebecedee
K3=f1f2f3f4f5f6f7f8f9fafbfcfdfeff00
S3=919293949596979899a9abac

# 1. info-get against the UAPI header, sysfs and ksrtpctl
export API=$(sed -n 's/^#define KSRTP_FAMILY_VERSION\t\([0-9]*\)$/\1/p' "$SRC/include/uapi/linux/ksrtp.h")
export MODVER=$(cat /sys/module/ksrtp/version 2>/dev/null)
"$CTL" -j info > "$T/ctl-info"
export CTL_INFO=$(cat "$T/ctl-info")
"${YNL[@]}" --schema "$TREE/Documentation/netlink/genetlink-legacy.yaml" \
	--do info-get > "$T/info" 2> "$T/info.err"
pyq "info-get: version, module-version, features and suites as the module says" info "
d['version'] == int(env['API']) and d['module-version'] == env['MODVER'] != '' and
sorted(d['features']) == sorted(json.loads(env['CTL_INFO'])['features']) and
{'info', 'sock', 'ctx', 'mki'} <= set(d['features']) and
d['suites'] == sum(1 << i for i, s in enumerate(next(x['entries'] for x in
		   yaml.safe_load(open('$SRC/netlink/ksrtp.yaml'))['definitions']
		   if x['name'] == 'suite'), 1)
		   if s.upper().replace('-', '_') in json.loads(env['CTL_INFO'])['suites'])"

# 2. sock-attach of fd 3, a connected UDP socket of this shell, inherited
PORT=$((30000 + $$ % 20000))
exec 3<>/dev/udp/127.0.0.1/$PORT
ino=$(readlink /proc/$$/fd/3 | sed 's/[^0-9]//g')
hexport=$(awk -v i="$ino" '$10 == i { split($2, a, ":"); print a[2] }' /proc/net/udp)
export LPORT=$((0x${hexport:-0}))
ynl attach --do sock-attach --json '{"fd": 3, "max-learned": 77}'
export COOKIE=$("$PY" -c 'import json,sys; print(json.load(sys.stdin)["cookie"])' < "$T/attach" 2>/dev/null)
"$CTL" -j show > "$T/ctl-show"
pyq "sock-attach: a cookie, the one ksrtpctl shows" ctl-show "
int(env['COOKIE']) > 0 and any(s['cookie'] == int(env['COOKIE']) for s in
	(d['sockets'] if isinstance(d, dict) else d))"

# 3. sock-get dump and do: the socket as /proc sees it
ynl sockdump --dump sock-get
ynl sockget --do sock-get --json "{\"cookie\": $COOKIE}"
export SOCKGET=$(cat "$T/sockget")
pyq "sock-get dump: family, local port, max-learned, no contexts; do says the same" sockdump "
[s for s in d if s['cookie'] == int(env['COOKIE'])] == [json.loads(env['SOCKGET'])] and
[(s['family'], s['local-port'], s['max-learned'], s['n-ctx'], s['stats']['tx-packets'])
 for s in d if s['cookie'] == int(env['COOKIE'])] == [(2, int(env['LPORT']), 77, 0, 0)]"

# 4. ctx-new: an RX context and a TX template, keys in nests
ynl rx --do ctx-new --json "{\"sock-cookie\": $COOKIE, \"dir\": \"rx\", \"ssrc\": 287454020,
	\"suite\": \"aes-cm-128-hmac-sha1-80\", \"window\": 256,
	\"key\": {\"id\": 1, \"master-key\": \"$K1\", \"master-salt\": \"$S1\"}}" &&
ynl tx --do ctx-new --json "{\"sock-cookie\": $COOKIE, \"dir\": \"tx\", \"ssrc-any\": true,
	\"suite\": \"aead-aes-128-gcm\",
	\"key\": {\"id\": 7, \"master-key\": \"$K3\", \"master-salt\": \"$S3\", \"mki\": \"2a\"}}"
check "ctx-new: RX context and TX template installed" sh -c 'grep -qx null "$1" && grep -qx null "$2"' _ "$T/rx" "$T/tx"

# 5. key-add, then key-del of the first key
ynl keyadd --do key-add --json "{\"sock-cookie\": $COOKIE, \"dir\": \"rx\", \"ssrc\": 287454020,
	\"key\": {\"id\": 2, \"master-key\": \"$K2\", \"master-salt\": \"$S2\"}}"
rc=$?
ynl ctx2 --do ctx-get --json "{\"sock-cookie\": $COOKIE, \"dir\": \"rx\", \"ssrc\": 287454020}"
pyq "key-add: the RX context holds keys 1 and 2 (rc $rc)" ctx2 "
[k['id'] for k in d['key']] == [1, 2]"

# 6. ctx-get dump: both contexts as installed
ynl ctxdump --dump ctx-get --json "{\"sock-cookie\": $COOKIE}"
pyq "ctx-get dump: both contexts with their suites, SSRC, window, origin and keys" ctxdump "
sorted([(c['dir'], c.get('ssrc'), c.get('ssrc-any', False), c['suite'], c['origin'],
	 [k['id'] for k in c['key']]) for c in d]) ==
[('rx', 287454020, False, 'aes-cm-128-hmac-sha1-80', 'explicit', [1, 2]),
 ('tx', None, True, 'aead-aes-128-gcm', 'template', [7])] and
[c['window'] for c in d if c['dir'] == 'rx'] == [256] and
[k['mki'] for c in d if c['dir'] == 'tx' for k in c['key']] == ['2a']"

# the active key cannot go (EBUSY): swap to key 2 first
ynl keyswap --do key-swap --json "{\"sock-cookie\": $COOKIE, \"dir\": \"rx\", \"ssrc\": 287454020, \"key-id\": 2}"
rc1=$?
ynl keydel --do key-del --json "{\"sock-cookie\": $COOKIE, \"dir\": \"rx\", \"ssrc\": 287454020, \"key-id\": 1}"
rc2=$?
ynl ctx3 --do ctx-get --json "{\"sock-cookie\": $COOKIE, \"dir\": \"rx\", \"ssrc\": 287454020}"
pyq "key-swap to 2, key-del of 1: key 2 left, active (rc $rc1 $rc2)" ctx3 "
[(k['id'], k.get('active', False)) for k in d['key']] == [(2, True)]"

# 7. no reply carries key material: no key or salt attribute, no key bytes
ynl sockdump2 --dump sock-get
if cat "$T"/ctx* "$T"/sockdump* "$T"/sockget | grep -Eiq "master-(key|salt)|$K1|$S1|$K2|$S2|$K3|$S3"; then
	grep -Ei "master-|${K1:0:8}" "$T"/ctx* "$T"/sockdump* | sed 's/^/# /'
	ktap_fail "no dump or reply carries key material"
else
	ktap_ok "no dump or reply carries key material"
fi

# 8. errors: the policy's range with its extack, and a socket that is not there
ynl badwin --do ctx-new --json "{\"sock-cookie\": $COOKIE, \"dir\": \"rx\", \"ssrc\": 5,
	\"suite\": \"aes-cm-128-hmac-sha1-80\", \"window\": 10,
	\"key\": {\"id\": 1, \"master-key\": \"$K1\", \"master-salt\": \"$S1\"}}"
rc1=$?
ynl nosock --do sock-get --json '{"cookie": 18446744073709551615}'
rc2=$?
if [ $rc1 = 1 ] && grep -q 'Numerical result out of range' "$T/badwin" &&
   grep -q "'bad-attr': '.window'" "$T/badwin" &&
   [ $rc2 = 1 ] && grep -q 'No such file or directory' "$T/nosock"; then
	ktap_ok "errors: window below the minimum (ERANGE at .window), unknown cookie (ENOENT)"
else
	sed 's/^/# /' "$T/badwin" "$T/badwin.err" "$T/nosock" "$T/nosock.err"
	ktap_fail "errors: window below the minimum (ERANGE at .window), unknown cookie (ENOENT) (rc $rc1 $rc2)"
fi

# 9. a listener on events (6.12's ynl prints what it got after --sleep; with
# --do beside --subscribe it trips over a notification that arrives before
# the ack) while one socket is detached by ynl and another closed
exec 4<>/dev/udp/127.0.0.1/$((PORT + 1))
ynl attach2 --do sock-attach --json '{"fd": 4}'
export COOKIE2=$("$PY" -c 'import json,sys; print(json.load(sys.stdin)["cookie"])' < "$T/attach2" 2>/dev/null)
"${YNL[@]}" --no-schema --subscribe events --sleep 30 > "$T/events" 2> "$T/events.err" 3>&- 4>&- &
SUB=$!
# subscribed once it sleeps: in clock_nanosleep (230) or nanosleep (35)
i=0
until read -r nr _ < "/proc/$SUB/syscall" 2>/dev/null && { [ "$nr" = 230 ] || [ "$nr" = 35 ]; }; do
	i=$((i + 1))
	[ $i -lt 600 ] && kill -0 "$SUB" 2>/dev/null || break
	sleep 0.1
done
ynl detach --do sock-detach --json "{\"cookie\": $COOKIE}"
rc=$?
exec 4>&-
wait "$SUB"
SUB=
pyq "subscribe events: exactly {cookie, request} of the detach and {cookie, closed} of the close (rc $rc)" events "
d == [{'name': 'sock-detach-ntf', 'msg': {'cookie': int(env['COOKIE']), 'reason': 'request'}},
      {'name': 'sock-detach-ntf', 'msg': {'cookie': int(env['COOKIE2']), 'reason': 'closed'}}]"

ynl sockdump3 --dump sock-get
pyq "sock-get dump: the detached and the closed socket are gone" sockdump3 "
all(s['cookie'] not in (int(env['COOKIE']), int(env['COOKIE2'])) for s in d)"
exec 3>&-

# what ynl printed, for the record (Documentation/netlink-api.md quotes it)
for f in info attach sockget rx ctxdump badwin events; do
	echo "# ynl $f: $(tr '\n' ' ' < "$T/$f")"
done

ktap_finish
