#!/usr/bin/env bash
# Checks the Promela models with spin (Debian package "spin") and gcc:
#
#   docs/models/check.sh
#
# Each configuration must verify with no errors, except those that show
# why a step is needed (the ring's and the queue's barrier, the ring's
# zeroed next header and walk, the queue's wake hand-over),
# which must fail.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp ./*.pml "$work"
cd "$work"

status=0
check() { # model, "pass" or "fail", spin -D flags...
	local model=$1 want=$2
	shift 2
	rm -f pan pan.* ./*.trail
	spin -a "$@" "$model" >/dev/null
	gcc -w -O1 -o pan pan.c -DSAFETY
	local out errors states
	out=$(./pan -m1000000)
	errors=$(grep -o 'errors: [0-9]*' <<<"$out" | grep -o '[0-9]*')
	states=$(grep -o '[0-9]* states, stored' <<<"$out" | grep -o '^[0-9]*')
	local got=pass
	[ "$errors" = 0 ] || got=fail
	printf '%-10s %-22s %-5s %9s states  %s\n' "$model" "${*:-(default)}" "$got" "$states" \
		"$([ "$got" = "$want" ] && echo ok || echo "UNEXPECTED: want $want")"
	[ "$got" = "$want" ] || { status=1; grep -E 'pan:|assert' <<<"$out" | head -5; }
}

check ring.pml pass
check ring.pml pass -DBATCH
check ring.pml pass -DRELAXED -DBARRIER
check ring.pml pass -DRELAXED -DBARRIER -DBATCH
check ring.pml fail -DRELAXED
check ring.pml fail -DNOZERO
check ring.pml fail -DNOZERO -DBATCH
check ring.pml fail -DNOWALK
check mutex.pml pass
check mutex.pml pass -DCRASHES
check queuewake.pml pass
check queuewake.pml pass -DLOOP
check queuewake.pml fail -DNOPASSON
check queuewake.pml fail -DNOTAKEOVER
check queuewake.pml pass -DRELAXED -DBARRIER
check queuewake.pml pass -DRELAXED -DBARRIER -DLOOP
check queuewake.pml fail -DRELAXED
check queuewake.pml fail -DRELAXED -DBARRIER -DNOPASSBARRIER
exit $status
