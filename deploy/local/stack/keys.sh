# shellcheck shell=bash
# stack.sh's local API keys (sourced, not run): one key per principal kind in $STATE/keys, made
# once and kept, and enterprise keys in $STATE/keys/enterprises/<USCC>.key (made by
# `jieshui-simulator keys` for the simulated district's applicants); the services get their
# SHA-256 at every start (services.sh).

# Principal kinds that get a local API key in $KEYS_DIR/<principal>.key ("enterprise" needs a USCC
# per key: those are the files of $ENTERPRISE_KEYS_DIR).
KEY_PRINCIPALS=(water_affairs partner industry development_reform statistics meter_gateway)
KEYS_DIR="$STATE/keys"
ENTERPRISE_KEYS_DIR="$KEYS_DIR/enterprises"

# A new random API key: from tools/apikey when it is built, else 32 random bytes, base64url.
new_api_key() {
  local tool="$BUILD_DIR/tools/apikey/jieshui-apikey" key=""
  if [ -x "$tool" ]; then
    key="$("$tool" "$1" --name "local $1" 2>/dev/null | sed -n 's/^key .*: *//p' | head -n1)" || key=""
  fi
  [ -n "$key" ] || key="js_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  printf '%s' "$key"
}

# Creates the missing $KEYS_DIR/<principal>.key files (mode 600); existing keys are kept.
ensure_keys() {
  local p f made=()
  (umask 077 && mkdir -p "$KEYS_DIR")
  chmod 700 "$KEYS_DIR"
  for p in "${KEY_PRINCIPALS[@]}"; do
    f="$KEYS_DIR/$p.key"
    [ -s "$f" ] && continue
    (umask 077 && new_api_key "$p" >"$f.tmp") && mv -f "$f.tmp" "$f"
    made+=("$p")
  done
  chmod 600 "$KEYS_DIR"/*.key
  [ ${#made[@]} -eq 0 ] || say "keys: created ${made[*]} in $KEYS_DIR (stack.sh keys)"
}

# The SHA-256 (hex) of the key in file $1, surrounding white space left out.
key_file_hash() { tr -d '[:space:]' <"$1" | sha256sum | cut -d' ' -f1; }

# The enterprise key files, one per line: those named <USCC>.key (GB 32100-2015: 18 characters of
# 0-9 and A-Y without I, O, S, V, Z) that hold something; any other file is left out.
enterprise_key_files() {
  local f
  for f in "$ENTERPRISE_KEYS_DIR"/*.key; do
    [ -s "$f" ] && [[ "$(basename "$f" .key)" =~ ^[0-9ABCDEFGHJKLMNPQRTUWXY]{18}$ ]] && echo "$f"
  done
  return 0
}

# The auth.api_keys value for the services: a YAML flow list of every local key's SHA-256, an
# enterprise key's with its USCC (the file's name).
api_keys_yaml() {
  local p f uscc items=()
  for p in "${KEY_PRINCIPALS[@]}"; do
    items+=("{sha256: $(key_file_hash "$KEYS_DIR/$p.key"), principal: $p, name: local $p key}")
  done
  while IFS= read -r f; do
    uscc="$(basename "$f" .key)"
    items+=("{sha256: $(key_file_hash "$f"), principal: enterprise, uscc: $uscc, name: local enterprise $uscc}")
  done < <(enterprise_key_files)
  local joined
  joined="$(printf ', %s' "${items[@]}")"
  echo "[${joined:2}]"
}

# What `stack.sh keys` prints: where the keys are and how to use one.
keys_show() {
  local p
  say "Local API keys (one per principal kind; the services get their SHA-256 at start):"
  for p in "${KEY_PRINCIPALS[@]}"; do
    printf '  %-20s %s\n' "$p" "$KEYS_DIR/$p.key"
  done
  local n
  n="$(enterprise_key_files | wc -l)"
  printf '  %-20s %s\n' "enterprise" "$ENTERPRISE_KEYS_DIR/<USCC>.key ($n; jieshui-simulator keys)"
  say "Use one (gRPC metadata \"authorization: Bearer <key>\"):"
  say "  export JIESHUI_API_KEY=\$(cat $KEYS_DIR/water_affairs.key)"
  say "  grpcurl -plaintext -H \"authorization: Bearer \$JIESHUI_API_KEY\" -d '{}' \\"
  say "    127.0.0.1:${SVC_GRPC_PORT[registry]:-50051} jieshui.registry.v1.RegistryService/ListEnterprises"
  say "docker-compose.yml takes the same keys from JIESHUI_AUTH_API_KEYS:"
  say "  export JIESHUI_AUTH_API_KEYS=\"\$(bash deploy/local/stack.sh keys --yaml)\""
}
