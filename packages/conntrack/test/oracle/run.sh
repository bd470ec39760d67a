#!/bin/bash
# One oracle experiment in a network namespace of its own, loopback only:
#   run.sh EXPERIMENT OUTDIR
# writes OUTDIR/EXPERIMENT.pcap (the traffic as captured on lo),
# OUTDIR/EXPERIMENT.conntrack and OUTDIR/EXPERIMENT.expect (conntrack -L and
# conntrack -L expect, stdout then the summary line of stderr) and deletes the
# namespace on exit. Needs root, ip, nft, conntrack and python3.
set -u
EXP=$1; OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
NS=k-ct-oracle-$EXP-$$
ip netns add "$NS" || exit 3
BG=
cleanup() { [ -n "$BG" ] && kill "$BG" 2>/dev/null; wait 2>/dev/null; ip netns del "$NS" 2>/dev/null; }
trap cleanup EXIT
X="ip netns exec $NS"
$X ip link set lo up || exit 3
$X nft -f "$HERE/ruleset.nft" || exit 3
HOLD=1.5 $X python3 "$HERE/traffic.py" "$EXP" "$OUT/$EXP.pcap" > "$OUT/$EXP.log" 2>&1 & BG=$!
# wait until the capture file is written (the traffic is over), the sockets are still open
for i in $(seq 1 80); do [ -s "$OUT/$EXP.pcap" ] && grep -q frames "$OUT/$EXP.log" && break; sleep 0.1; done
$X conntrack -L > "$OUT/$EXP.conntrack" 2> "$OUT/$EXP.conntrack.err"
$X conntrack -L expect > "$OUT/$EXP.expect" 2> "$OUT/$EXP.expect.err"
wait "$BG"; BG=
