#!/usr/bin/env bash
# The main job, end to end: installs what is missing, builds the contracts, starts the local
# consortium node (scripts/node.sh), deploys, and runs the story through the `tracepass` CLI:
# governors admit an inspection agency and customs, whitelist a merchant; the merchant registers
# a factory, a product and a 10,000-item lot; a sampling epoch is committed and revealed; the
# agency inspects, customs clears; a consumer verifies one item.
#
# Uses the well-known development keys of chain-spec/README.md: for local chains only.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
T0=$(date +%s)
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "setup (installs only what is missing)"
scripts/setup.sh

say "building the contracts"
scripts/build-contracts.sh
"${CARGO[@]}" build --quiet -p tracepass
TP="$ROOT/target/debug/tracepass"

say "starting the consortium node"
scripts/node.sh start
URL="ws://127.0.0.1:${TRACEPASS_RPC_PORT:-9944}"
DEMO="$ROOT/.tracepass/demo"
mkdir -p "$DEMO"
export TRACEPASS_URL="$URL" TRACEPASS_DEPLOYMENT="$DEMO/tracepass-deployment.json"
# as KEY ARGS...: run tracepass signing with KEY (passed in the environment, never on the command line)
as() { local key="$1"; shift; TRACEPASS_SURI="$key" "$TP" "$@"; }
addr() { "$TP" account --suri-file <(printf '%s' "$1") ; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

BOB=$(addr //Bob); CHARLIE=$(addr //Charlie); DAVE=$(addr //Dave)
EVE=$(addr //Eve); FERDIE=$(addr //Ferdie); MERCHANT=$(addr //MerchantA)

say "the operator deploys the suite: governors Bob, Charlie, Dave; 2 of 3 must approve"
as //Alice deploy --governor "$BOB" --governor "$CHARLIE" --governor "$DAVE" --threshold 2 \
  --epoch 15s --reveal-window 15s

say "governors admit an inspection agency (infant formula, category 1001) and customs"
id=$(as //Bob --json member propose add "$EVE" --role agency --name "NZ Food Testing Lab" --categories 1001 | json '["proposal"]')
echo "Bob proposed $id: admit the agency; Bob's approval counts, one more is needed"
as //Charlie member approve "$id"
as //Bob member execute "$id"
id=$(as //Charlie --json member propose add "$FERDIE" --role customs --name "Shanghai Customs" | json '["proposal"]')
echo "Charlie proposed $id: admit customs"
as //Dave member approve "$id"
as //Charlie member execute "$id"
say "governors decide every infant-formula lot is sampled (rule: category 1001 -> 10000 bps)"
id=$(as //Bob --json sampling rule set --category 1001 --rate 10000 | json '["proposal"]')
echo "Bob proposed $id: the sampling rule"
as //Dave member approve "$id"
as //Bob member execute "$id"
as //Bob sampling rule list
as //Bob member list

say "governors onboard the merchant by vote, under its GS1 company prefix and for its brand"
id=$(as //Bob --json merchant add "$MERCHANT" --name "Aroha Dairy Ltd" --country NZ --gs1-prefix 0614141 \
  --brand "Aroha Infant Formula 900g" --tier standard | json '["proposal"]')
echo "Bob proposed $id: onboard the merchant; one more approval is needed"
as //Charlie member approve "$id"
as //Charlie member execute "$id"
as //Bob merchant show "$MERCHANT"

say "the merchant registers its factory and product"
factory=$(as //MerchantA --json factory register --name "Aroha Dairy Factory 1, Hamilton" --country NZ | json '["factory"]')
echo "factory $factory registered"
as //MerchantA product register --gtin 10614141000415 --brand "Aroha Infant Formula 900g" --category 1001 \
  --origin NZ --factory "$factory" --hs-code 190110

say "a sampling epoch: Bob and the agency commit to secrets before it opens"
epoch=$(( $("$TP" --json sampling status | json '["current_epoch"]') + 2 ))
as //Bob sampling commit --epoch "$epoch" --secret-file "$DEMO/bob-epoch-$epoch.secret"
as //Eve sampling commit --epoch "$epoch" --secret-file "$DEMO/eve-epoch-$epoch.secret"
advance_to() { # wait for chain time $1 (ms) and seal a block there (instant seal)
  as //Alice -q chain advance --until-time "$1"
}
advance_to "$("$TP" --json sampling status --epoch "$epoch" | json '["opens_at"]')"
"$TP" sampling status --epoch "$epoch"

say "the merchant registers a lot of 10,000 items in one transaction"
seq -f "AROHA%08g" 1 10000 >"$DEMO/serials.txt"
t=$(date +%s.%N)
as //MerchantA lot register --gtin 10614141000415 --lot L2026-11A --serials "$DEMO/serials.txt" \
  --out "$DEMO/L2026-11A.proofs.jsonl" --produced 20261101 --expires 20281031
LOT_SECONDS=$(python3 -c "print(f'{$(date +%s.%N) - $t:.2f}')")

say "the epoch closes; committers reveal; anyone finalises the seed"
advance_to "$("$TP" --json sampling status --epoch "$epoch" | json '["closes_at"]')"
as //Bob sampling reveal --epoch "$epoch" --secret-file "$DEMO/bob-epoch-$epoch.secret"
as //Eve sampling reveal --epoch "$epoch" --secret-file "$DEMO/eve-epoch-$epoch.secret"
as //Alice sampling finalize --epoch "$epoch"
"$TP" query selection --gtin 10614141000415 --lot L2026-11A

say "the journey: packing and shipping (merchant), arrival at Shanghai (customs)"
as //MerchantA event add --gtin 10614141000415 --lot L2026-11A --step packing --country NZ --location NZHLZ
as //MerchantA event add --gtin 10614141000415 --lot L2026-11A --step shipping --country NZ --location NZAKL
as //Ferdie event add --gtin 10614141000415 --lot L2026-11A --step arriving --country CN --location CNSHA

say "the agency certifies the factory and inspects the selected lot; customs clears it"
as //Eve attest certification --factory "$factory" --category 1001 --standard "ISO 22000" --certificate "NZ-ISO22000-0042"
printf 'Inspection report L2026-11A: 20 units tested against GB 10765-2021; all parameters within limits.\n' >"$DEMO/report.txt"
as //Eve attest inspection --gtin 10614141000415 --lot L2026-11A --result pass --report "$DEMO/report.txt" \
  --standard "GB 10765-2021" --items 20 --report-uri "https://lab.example/reports/L2026-11A"
printf 'Customs declaration 2026-SHA-77812\n' >"$DEMO/declaration.txt"
as //Ferdie attest customs --gtin 10614141000415 --lot L2026-11A --port CNSHA --declaration "$DEMO/declaration.txt"

say "unauthorised attempts are refused (nothing changes)"
as //MerchantB factory register --name "Not whitelisted" --country FR || true
as //MerchantA attest inspection --gtin 10614141000415 --lot L2026-11A --result pass --report "$DEMO/report.txt" || true

say "a consumer scans item 42's QR code"
URI=$(sed -n 42p "$DEMO/L2026-11A.proofs.jsonl" | json '["uri"]')
echo "$URI"
"$TP" verify "$URI"

say "and a forged serial"
FORGED=$(echo "$URI" | sed 's#/21/AROHA00000042#/21/AROHA99999999#')
"$TP" verify "$FORGED" || echo "(exit status $?: not genuine)"

say "the item's QR code (GS1 Digital Link with its proof)"
as //Alice qr --serial AROHA00000042 --proofs "$DEMO/L2026-11A.proofs.jsonl" --out "$DEMO/item-AROHA00000042.png"

say "the page the phone opens: tracepass serve, the read-only GS1 Digital Link resolver"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"$TP" serve --listen "127.0.0.1:$PORT" >"$DEMO/serve.log" 2>&1 &
SERVE_PID=$!
stop_serve() { kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; }
trap stop_serve EXIT
PAGE="http://127.0.0.1:$PORT/${URI#https://*/}"
echo "item page: $PAGE"
python3 - "$PAGE" <<'PY'
import html, re, sys, time, urllib.error, urllib.request
url = sys.argv[1]
base = url.split("/01/")[0]
deadline = time.time() + 30
while True:  # until the resolver answers (any status)
    try:
        urllib.request.urlopen(base + "/healthz", timeout=2)
        break
    except urllib.error.HTTPError:
        break
    except Exception:
        if time.time() > deadline:
            sys.exit("the resolver did not come up; see .tracepass/demo/serve.log")
        time.sleep(0.2)
try:
    r = urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "text/html"}), timeout=30)
    status, body = r.status, r.read()
except urllib.error.HTTPError as e:
    status, body = e.code, e.read()
page = body.decode("utf-8", "replace")
find = lambda pat: html.unescape(m.group(1)) if (m := re.search(pat, page)) else "?"
print(f"HTTP {status}, {len(body)} bytes of HTML")
headline, reason = find(r'id="verdict-headline">(.*?)</h1>'), find(r'id="verdict-reason">(.*?)</p>')
print(f"verdict: {headline} ({reason})")
PY
head -n 1 "$DEMO/serve.log"
stop_serve
trap - EXIT

say "done in $(( $(date +%s) - T0 )) s (the 10,000-item lot registration took ${LOT_SECONDS} s)"
echo "proofs file: $DEMO/L2026-11A.proofs.jsonl"
echo "deployment:  $DEMO/tracepass-deployment.json"
echo "the node keeps running: scripts/node.sh stop"
