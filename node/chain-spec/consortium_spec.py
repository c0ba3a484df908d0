#!/usr/bin/env python3
"""Generates tracepass-node's consortium chain spec from a consortium description (DRAFT).

Usage:
  consortium_spec.py check CONSORTIUM.json           validate only; print the genesis patch
  consortium_spec.py build CONSORTIUM.json OUT.json  plain spec (OUT.json) and raw (OUT.raw.json)
  consortium_spec.py keys CONSORTIUM.json KIND I     public keys of validators/candidates entry I
                                                     (0-based), JSON: account, aura, grandpa, node_id,
                                                     node_id_hex
      [--node PATH]                                  tracepass-node binary (default: on PATH)

The description is chain-spec/consortium.json's format (name, id, chain_type, token_*,
endowment, accounts with roles) plus:

  "governance": { "threshold": M }
      M of the council: the same M as the whitelist contract's governors. The council is the
      accounts with role "governor" (N of them); 1 <= M <= N.
  "validators": [ { "name": ..., "account": SS58, "aura": SS58 (sr25519), "grandpa": SS58
      (ed25519), "node_id": "12D3KooW..." } ]
      Each member validator. A development description may give "dev_suri" (e.g. "//Alice")
      instead of account/aura/grandpa (derived with `tracepass-node key inspect`) and
      "dev_node_key" (64 hex digits) instead of node_id; a real member gives public keys only
      (generated with `tracepass-node key generate --scheme sr25519` / `--scheme ed25519` and
      `tracepass-node key generate-node-key`), never a secret.
  "full_nodes": [ { "node_id": ..., "owner": SS58 } ]   (optional)
      Non-validating nodes that may peer (pallet-node-authorization's well-known nodes); a
      development description may give "dev_node_key" instead of node_id.
  "candidates": [ same fields as a validator ]   (optional)
      Members that may join later by council vote (scripts/consortium.sh join I): checked and
      kept unique like validators, but not in the genesis (neither validator nor peer).

Malformed input is refused with the field named (exit 2): a missing or undecodable key or node
ID, a duplicate account / key / node ID, M > N, a Development chain type or the name
"Development" (either selects the node's instant-seal service).

The genesis it writes (tracepass-runtime's GenesisConfig, camelCase):
  balances.balances            every account and every validator account, `endowment` each
  validatorSet.validators      the validators' accounts; multipleBlocksPerSlot false
  session.keys                 [account, account, {aura, grandpa}] per validator
  councilMembership.members    the governors; governance.threshold M
  nodeAuthorization.nodes      [[peer id bytes], owner] per validator and full node
No sudo key: the runtime has no Sudo pallet.
"""
import hashlib
import json
import os
import subprocess
import sys

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
SS58_PREFIX = 42


class Refused(Exception):
    pass


def b58decode(text, field):
    n = 0
    for ch in text:
        i = B58.find(ch)
        if i < 0:
            raise Refused(f"{field}: not base58 (character {ch!r})")
        n = n * 58 + i
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\0" * pad + raw


def ss58_decode(text, field):
    """The 32-byte public key of a generic-prefix (42) SS58 address, checksum verified."""
    if not isinstance(text, str) or not text:
        raise Refused(f"{field}: missing (an SS58 address)")
    raw = b58decode(text, field)
    if len(raw) != 35:
        raise Refused(f"{field}: not a 32-byte SS58 address ({len(raw)} bytes decoded)")
    if raw[0] != SS58_PREFIX:
        raise Refused(f"{field}: SS58 prefix {raw[0]}, expected {SS58_PREFIX}")
    check = hashlib.blake2b(b"SS58PRE" + raw[:33], digest_size=64).digest()[:2]
    if check != raw[33:]:
        raise Refused(f"{field}: bad SS58 checksum")
    return raw[1:33]


def peer_id_bytes(text, field):
    """A libp2p ed25519 peer ID ("12D3KooW...") as the bytes pallet-node-authorization stores."""
    if not isinstance(text, str) or not text:
        raise Refused(f"{field}: missing (a node ID, `tracepass-node key inspect-node-key`)")
    raw = b58decode(text, field)
    # identity multihash (0x00, length 0x24) of the protobuf PublicKey { Ed25519, 32 bytes }
    if len(raw) != 38 or raw[:6] != bytes([0x00, 0x24, 0x08, 0x01, 0x12, 0x20]):
        raise Refused(f"{field}: not an ed25519 libp2p peer ID")
    return raw


def peer_id_from_node_key(hexkey, field):
    """The peer ID of a node key file's secret (64 hex digits), as `key inspect-node-key`."""
    try:
        secret = bytes.fromhex(hexkey)
    except (TypeError, ValueError):
        raise Refused(f"{field}: not hex")
    if len(secret) != 32:
        raise Refused(f"{field}: {len(secret)} bytes, expected 32")
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives import serialization
    pub = Ed25519PrivateKey.from_private_bytes(secret).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    raw = bytes([0x00, 0x24, 0x08, 0x01, 0x12, 0x20]) + pub
    n = int.from_bytes(raw, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


def dev_key(node, suri, scheme, field):
    """SS58 public key of a dev SURI, from `tracepass-node key inspect` (no secret leaves it)."""
    try:
        out = subprocess.run([node, "key", "inspect", "--scheme", scheme, "--output-type", "json", suri],
                             check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise Refused(f"{field}: could not derive with `{node} key inspect`: {e}")
    return json.loads(out)["ss58PublicKey"]


def member_keys(node, v, f):
    """A validator's (or candidate's) account, aura, grandpa and node_id, checked; derived
    from dev_suri / dev_node_key where a development description gives those."""
    if not isinstance(v, dict):
        raise Refused(f"{f}: expected an object")
    v = dict(v)
    if "dev_suri" in v:
        suri = v["dev_suri"]
        v.setdefault("account", dev_key(node, suri, "sr25519", f"{f}.dev_suri"))
        v.setdefault("aura", dev_key(node, suri, "sr25519", f"{f}.dev_suri"))
        v.setdefault("grandpa", dev_key(node, suri, "ed25519", f"{f}.dev_suri"))
    if "dev_node_key" in v and "node_id" not in v:
        v["node_id"] = peer_id_from_node_key(v["dev_node_key"], f"{f}.dev_node_key")
    for key in ("account", "aura", "grandpa"):
        ss58_decode(v.get(key), f"{f}.{key}")
    peer_id_bytes(v.get("node_id"), f"{f}.node_id")
    return v


def genesis(cfg, node):
    def need(obj, key, path, kind):
        if key not in obj:
            raise Refused(f"{path}.{key}: missing")
        if not isinstance(obj[key], kind):
            raise Refused(f"{path}.{key}: expected {kind.__name__}")
        return obj[key]

    if cfg.get("chain_type") == "Development":
        raise Refused("chain_type: Development selects tracepass-node's instant-seal service; use Local or Live")
    if cfg.get("name") == "Development":
        raise Refused("name: Development selects tracepass-node's instant-seal service (as substrate-contracts-node's)")
    endowment = need(cfg, "endowment", "consortium", int)
    accounts = need(cfg, "accounts", "consortium", list)
    governance = need(cfg, "governance", "consortium", dict)
    validators = need(cfg, "validators", "consortium", list)
    full_nodes = cfg.get("full_nodes", [])

    seen = {}


    def unique(kind, value, field):
        key = (kind, value)
        if key in seen:
            raise Refused(f"{field}: duplicate of {seen[key]}")
        seen[key] = field

    funded = []
    governors = []
    for i, a in enumerate(accounts):
        f = f"accounts[{i}]"
        addr = need(a, "address", f, str)
        ss58_decode(addr, f"{f}.address")
        unique("account", addr, f"{f}.address")
        funded.append(addr)
        if a.get("role") == "governor":
            governors.append(addr)

    vals, keys, nodes = [], [], []
    for i, v in enumerate(validators):
        f = f"validators[{i}]"
        v = member_keys(node, v, f)
        for key in ("account", "aura", "grandpa"):
            unique(key if key != "account" else "validator", v[key], f"{f}.{key}")
        peer = peer_id_bytes(v["node_id"], f"{f}.node_id")
        unique("node", v["node_id"], f"{f}.node_id")
        vals.append(v["account"])
        keys.append([v["account"], v["account"], {"aura": v["aura"], "grandpa": v["grandpa"]}])
        nodes.append([list(peer), v["account"]])
        if v["account"] not in funded:
            funded.append(v["account"])  # a validator pays for its own set_keys
    if not vals:
        raise Refused("validators: empty (at least one validator)")
    for i, c in enumerate(cfg.get("candidates", [])):
        # checked like a validator, but not in the genesis: a candidate joins by council vote
        f = f"candidates[{i}]"
        c = member_keys(node, c, f)
        for key in ("account", "aura", "grandpa", "node_id"):
            unique({"account": "validator", "node_id": "node"}.get(key, key), c[key], f"{f}.{key}")
    for i, n in enumerate(full_nodes):
        f = f"full_nodes[{i}]"
        if not isinstance(n, dict):
            raise Refused(f"{f}: expected an object")
        if "dev_node_key" in n and "node_id" not in n:
            n = dict(n, node_id=peer_id_from_node_key(n["dev_node_key"], f"{f}.dev_node_key"))
        peer = peer_id_bytes(n.get("node_id"), f"{f}.node_id")
        unique("node", n["node_id"], f"{f}.node_id")
        ss58_decode(n.get("owner"), f"{f}.owner")
        nodes.append([list(peer), n["owner"]])

    m = need(governance, "threshold", "governance", int)
    if not governors:
        raise Refused("accounts: no account with role governor (the council)")
    if not 1 <= m <= len(governors):
        raise Refused(f"governance.threshold: {m} is not between 1 and the {len(governors)} governors")

    return {
        "balances": {"balances": [[a, endowment] for a in funded]},
        "validatorSet": {"validators": vals, "multipleBlocksPerSlot": False},
        "session": {"keys": keys},
        "councilMembership": {"members": governors},
        "governance": {"threshold": m},
        "nodeAuthorization": {"nodes": nodes},
    }


def build(cfg, node, out):
    patch = genesis(cfg, node)
    plain = json.loads(subprocess.run([node, "build-spec", "--chain", "local", "--disable-default-bootnode"],
                                      check=True, capture_output=True, text=True).stdout)
    plain["name"] = cfg["name"]
    plain["id"] = cfg["id"]
    plain["chainType"] = cfg.get("chain_type", "Live")
    plain["bootNodes"] = []
    plain["protocolId"] = cfg["id"]  # the network protocol: nodes of other chains do not talk to these
    plain["properties"] = {"tokenSymbol": cfg["token_symbol"], "tokenDecimals": cfg["token_decimals"], "ss58Format": SS58_PREFIX}
    rt = plain["genesis"]["runtimeGenesis"]
    rt.pop("config", None)
    rt["patch"] = patch  # replaces the local spec's patch whole: nothing of it survives
    tmp = f"{out}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        json.dump(plain, f, indent=1)
    os.replace(tmp, out)
    raw = out[:-5] + ".raw.json" if out.endswith(".json") else out + ".raw"
    with open(f"{raw}.{os.getpid()}.tmp", "w") as f:
        subprocess.run([node, "build-spec", "--chain", out, "--raw", "--disable-default-bootnode"],
                       check=True, stdout=f, stderr=subprocess.DEVNULL)
    os.replace(f"{raw}.{os.getpid()}.tmp", raw)
    print(f"consortium spec: {out} (plain), {raw} (raw: freeze this one; its genesis is the chain)")


def main(argv):
    node = "tracepass-node"
    if "--node" in argv:
        i = argv.index("--node")
        node = argv[i + 1]
        del argv[i:i + 2]
    if (len(argv) < 2 or argv[0] not in ("check", "build", "keys") or (argv[0] == "build" and len(argv) != 3)
            or (argv[0] == "keys" and (len(argv) != 4 or argv[2] not in ("validators", "candidates")))):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        try:
            cfg = json.load(open(argv[1]), object_pairs_hook=no_duplicate_keys)
        except json.JSONDecodeError as e:
            raise Refused(f"{argv[1]}: not JSON ({e})")
        if argv[0] == "check":
            print(json.dumps(genesis(cfg, node), indent=1))
        elif argv[0] == "keys":
            genesis(cfg, node)  # the whole description must be valid
            entries = cfg.get(argv[2], [])
            i = int(argv[3]) if argv[3].isdigit() else -1
            if not 0 <= i < len(entries):
                raise Refused(f"{argv[2]}[{argv[3]}]: no such entry ({len(entries)} given)")
            v = member_keys(node, entries[i], f"{argv[2]}[{i}]")
            out = {k: v[k] for k in ("account", "aura", "grandpa", "node_id")}
            out["node_id_hex"] = peer_id_bytes(v["node_id"], "node_id").hex()  # PeerId's bytes on chain
            print(json.dumps(out))
        else:
            build(cfg, node, argv[2])
    except Refused as e:
        print(f"error: {argv[1]}: {e}", file=sys.stderr)
        return 2
    return 0


def no_duplicate_keys(pairs):
    """A JSON object with a key twice is refused (json.load would keep the last silently)."""
    out = {}
    for k, v in pairs:
        if k in out:
            raise Refused(f"duplicate key {k!r} in one object")
        out[k] = v
    return out


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
