#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The installed programs' command-line conventions and their man pages, KTAP
# on stdout (make check-native runs it with the other tests/*/run.sh):
#  - every program: --help and -h print usage on stdout and exit 0, with
#    nothing on stderr; --version and -V print "<program> <KSRTP_VERSION of
#    kmod/main.h>" and exit 0; an unknown option, a stray argument or a
#    missing option value exits 2 with a message on stderr and nothing on
#    stdout;
#  - every man page: mandoc -T lint and groff -ww say nothing;
#  - the pages cannot drift: every option each program's --help prints is in
#    its page, every ksrtpctl command and keyword (from ksrtpctl*.c) is in
#    ksrtpctl(8), each command and verb with an entry of its own, every key config.c accepts is in ksrtp-keyd.conf(5), and
#    every key that page documents is one config.c accepts;
#  - keyd's lines carry a syslog priority only when stderr is the journal
#    (JOURNAL_STREAM names its device and inode).
#
#   tests/cli/run.sh        (builds the programs and pages first)
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
BIN=$ROOT/build/bin
MAN=$ROOT/build/man
T=$(mktemp -d /tmp/ksrtp-cli-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
VER=$(sed -n 's/^#define KSRTP_VERSION "\(.*\)"/\1/p' kmod/main.h)
PROGS=(ksrtp-keyd ksrtp-keydctl ksrtpctl)
declare -A PAGE=([ksrtp-keyd]=ksrtp-keyd.8 [ksrtp-keydctl]=ksrtp-keydctl.1 [ksrtpctl]=ksrtpctl.8)
# options that take a value, to check a missing one is a usage error
declare -A NEEDS_ARG=([ksrtp-keyd]=--config [ksrtp-keydctl]=--socket)

RESULTS=()
N=0
FAILED=0
diag() { sed 's/^/# /'; }
pass() { N=$((N + 1)); RESULTS+=("ok $N $1"); }
fail() {	# $1 = name, $2 = why
	N=$((N + 1)); FAILED=1
	RESULTS+=("# $1: $2" "not ok $N $1")
}
check() {	# $1 = name, then a command; its output is the reason on failure
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$(printf '%s' "$out" | tr '\n' '|')"; fi
}

if ! make -s --no-print-directory user man > "$T/build.log" 2>&1; then
	diag < "$T/build.log"
	printf 'TAP version 13\n1..1\nnot ok 1 build the programs and man pages\n'
	exit 1
fi
[ -n "$VER" ] || { printf 'TAP version 13\n1..1\nnot ok 1 KSRTP_VERSION in kmod/main.h\n'; exit 1; }

# A page as plain text, one paragraph per line (no line breaks inside tokens).
page_text() { mandoc -T ascii -O width=1000 "$MAN/$1" | col -bx; }

# $1 = program, $2 = expected status, $3 = stdout empty|nonempty, $4 = stderr
# empty|nonempty, then its arguments; says what differed.
run_expect() {
	local p=$1 want=$2 so=$3 se=$4 rc
	shift 4
	"$BIN/$p" "$@" > "$T/out" 2> "$T/err" < /dev/null
	rc=$?
	[ "$rc" = "$want" ] || { echo "exit $rc, want $want; stderr: $(head -c 200 "$T/err")"; return 1; }
	if [ "$so" = empty ] && [ -s "$T/out" ]; then echo "stdout not empty: $(head -c 200 "$T/out")"; return 1; fi
	if [ "$so" = nonempty ] && ! [ -s "$T/out" ]; then echo "nothing on stdout"; return 1; fi
	if [ "$se" = empty ] && [ -s "$T/err" ]; then echo "stderr not empty: $(head -c 200 "$T/err")"; return 1; fi
	if [ "$se" = nonempty ] && ! [ -s "$T/err" ]; then echo "nothing on stderr"; return 1; fi
	return 0
}

same_as() {	# $1 = program, $2 = file with the wanted stdout, then arguments
	local p=$1 want=$2
	shift 2
	"$BIN/$p" "$@" > "$T/same" 2>&1 < /dev/null || { echo "exit $?"; return 1; }
	cmp -s "$want" "$T/same" || { echo "differs: $(head -c 200 "$T/same")"; return 1; }
}

version_is() {	# $1 = program, then the option
	local p=$1 out
	out=$("$BIN/$p" "$2" 2>&1 < /dev/null) || { echo "exit $?"; return 1; }
	[ "$out" = "$p $VER" ] || { echo "printed '$out', want '$p $VER'"; return 1; }
}

# Every option --help prints (long, and short ones listed as "-x,") is in the page.
options_documented() {	# $1 = program
	local p=$1 o missing=
	"$BIN/$p" --help > "$T/help" 2>&1
	page_text "${PAGE[$p]}" > "$T/page"
	local opts
	opts=$(grep -oE -- '--[a-z][a-z-]*' "$T/help"; grep -oE -- '(^|[[ ])-[A-Za-z]([ ,]|$)' "$T/help" |
		grep -oE -- '-[A-Za-z]')
	[ -n "$opts" ] || { echo "no options found in --help"; return 1; }
	for o in $(echo "$opts" | sort -u); do
		grep -qE -- "(^|[^A-Za-z0-9-])$o([^A-Za-z0-9-]|$)" "$T/page" || missing+=" $o"
	done
	[ -z "$missing" ] || { echo "not in ${PAGE[$p]}:$missing"; return 1; }
}

# ksrtpctl's commands, verbs and keywords, read from its tables.
ksrtpctl_words_documented() {
	local w words missing=
	words=$(grep -ohE '\{ "[a-z-]+", cmd_' userspace-keyd/ksrtpctl*.c | cut -d'"' -f2
		grep -ohE 'KW_(NUM|FN)\("[a-z-]+"' userspace-keyd/ksrtpctl*.c | cut -d'"' -f2)
	[ "$(echo "$words" | wc -l)" -ge 20 ] || { echo "found only: $words"; return 1; }
	page_text ksrtpctl.8 > "$T/page"
	for w in $(echo "$words" | sort -u); do
		grep -qE -- "(^|[^A-Za-z0-9_-])$w([^A-Za-z0-9_-]|$)" "$T/page" || missing+=" $w"
	done
	[ -z "$missing" ] || { echo "not in ksrtpctl.8:$missing"; return 1; }
}

# "info", ..., "ctx add", "key swap", ...: ksrtpctl's command tables.
ksrtpctl_verbs() {
	awk '/^static const struct command [a-z_]*commands\[\] = \{/ {
		g = $5; sub(/_?commands\[\]/, "", g); on = 1; next }
	on && /^\};/ { on = 0 }
	on && match($0, /"[a-z-]+"/) {
		w = substr($0, RSTART + 1, RLENGTH - 2); print (g == "" ? w : g " " w) }' \
		userspace-keyd/ksrtpctl*.c
}

# Each starts a term line ("*ctx add* CTX ...") of the page's source.
ksrtpctl_verbs_documented() {
	local v missing=
	[ "$(ksrtpctl_verbs | wc -l)" -ge 12 ] || { echo "found only: $(ksrtpctl_verbs | tr '\n' ,)"; return 1; }
	while read -r v; do
		grep -qE "^\*$v(\*| )" Documentation/man/ksrtpctl.8.scd || missing+=" '$v'"
	done < <(ksrtpctl_verbs)
	[ -z "$missing" ] || { echo "no COMMANDS entry in ksrtpctl.8.scd:$missing"; return 1; }
}

# Keys config.c compares against (config_set and set_hardening).
config_keys() { grep -oE 'strcmp\(key, "[a-z_]+"\)' userspace-keyd/keyd/config.c | cut -d'"' -f2 | sort -u; }
# Keys the page defines: "*key* = ..." term lines of its source.
page_keys() { sed -nE 's/^\*([a-z_]+)\* = .*/\1/p' Documentation/man/ksrtp-keyd.conf.5.scd | sort -u; }

config_keys_documented() {
	local k missing=
	[ "$(config_keys | wc -l)" -ge 20 ] || { echo "found only: $(config_keys | tr '\n' ' ')"; return 1; }
	page_text ksrtp-keyd.conf.5 > "$T/page"
	for k in $(config_keys); do
		grep -qE "^ *$k = " "$T/page" || missing+=" $k"
	done
	[ -z "$missing" ] || { echo "config.c accepts, ksrtp-keyd.conf.5 does not define:$missing"; return 1; }
}

page_keys_exist() {
	local extra
	extra=$(comm -13 <(config_keys) <(page_keys) | tr '\n' ' ')
	[ "$(page_keys | wc -l)" -ge 20 ] || { echo "page defines only: $(page_keys | tr '\n' ' ')"; return 1; }
	[ -z "$extra" ] || { echo "ksrtp-keyd.conf.5 documents keys config.c does not accept: $extra"; return 1; }
}

# scdoc 1.11 opens every block with .PP, also right after .SH or another .PP;
# mandoc warns that it skips those (the rendering is the same). Nothing else
# is tolerated.
man_lint() {	# $1 = page
	local out
	out=$({ mandoc -T lint -W warning "$MAN/$1" 2>&1 |
		grep -vE 'WARNING: skipping paragraph macro: PP (empty|after SH)$'
		groff -man -ww -z "$MAN/$1"; } 2>&1)
	[ -z "$out" ] || { echo "$out"; return 1; }
}

# keyd's first line on a bad configuration file, with stderr on a file whose
# dev:ino JOURNAL_STREAM names or not.
keyd_priority() {	# $1 = journal|plain|other
	local f=$T/keyd-stderr env line
	: > "$f"
	case $1 in
	journal) env="JOURNAL_STREAM=$(stat -c %d:%i "$f")" ;;
	other) env="JOURNAL_STREAM=$(stat -L -c %d:%i /dev/null)" ;;
	plain) env="KSRTP_UNUSED=1" ;;
	esac
	env -u JOURNAL_STREAM "$env" "$BIN/ksrtp-keyd" -f -c "$T/absent.conf" 2> "$f" < /dev/null
	rc=$?
	[ "$rc" = 2 ] || { echo "exit $rc, want 2: $(cat "$f")"; return 1; }
	line=$(head -n 1 "$f")
	case $1 in
	journal) want="<3>ksrtp-keyd: $T/absent.conf: No such file or directory" ;;
	*) want="ksrtp-keyd: $T/absent.conf: No such file or directory" ;;
	esac
	[ "$line" = "$want" ] || { echo "got '$line', want '$want'"; return 1; }
}

for p in "${PROGS[@]}"; do
	check "$p --help: usage on stdout, exit 0" run_expect "$p" 0 nonempty empty --help
	"$BIN/$p" --help > "$T/help-$p" 2>&1
	check "$p -h: the same as --help" same_as "$p" "$T/help-$p" -h
	check "$p --version: '$p $VER', exit 0" version_is "$p" --version
	check "$p -V: the same" version_is "$p" -V
	check "$p --no-such-option: exit 2, message on stderr" \
		run_expect "$p" 2 empty nonempty --no-such-option
	check "$p -Z: exit 2, message on stderr" run_expect "$p" 2 empty nonempty -Z
	if [ -n "${NEEDS_ARG[$p]:-}" ]; then
		check "$p ${NEEDS_ARG[$p]} without a value: exit 2" \
			run_expect "$p" 2 empty nonempty "${NEEDS_ARG[$p]}"
	fi
	check "$p: every option of --help is in ${PAGE[$p]}" options_documented "$p"
done
check "ksrtp-keyd with a stray argument: exit 2" run_expect ksrtp-keyd 2 empty nonempty -f stray
check "ksrtp-keydctl without a command: exit 2" run_expect ksrtp-keydctl 2 empty nonempty
check "ksrtpctl without a command: exit 2" run_expect ksrtpctl 2 empty nonempty

for page in $(cd "$MAN" && ls); do
	check "man $page: mandoc -T lint and groff -ww are silent" man_lint "$page"
done
check "man pages: the four installed programs' and the config's" \
	test "$(cd "$MAN" && ls | tr '\n' ' ')" = "ksrtp-keyd.8 ksrtp-keyd.conf.5 ksrtp-keydctl.1 ksrtpctl.8 "
check "ksrtpctl.8 names every command and keyword of ksrtpctl" ksrtpctl_words_documented
check "ksrtpctl.8 has a COMMANDS entry for every command and verb" ksrtpctl_verbs_documented
check "ksrtp-keyd.conf.5 defines every key config.c accepts" config_keys_documented
check "ksrtp-keyd.conf.5 defines no key config.c refuses" page_keys_exist

check "keyd, stderr the journal: lines start with <3>" keyd_priority journal
check "keyd, plain stderr: no priority prefix" keyd_priority plain
check "keyd, JOURNAL_STREAM of another file: no prefix" keyd_priority other

printf 'TAP version 13\n1..%d\n' "$N"
printf '%s\n' "${RESULTS[@]}"
exit $FAILED
