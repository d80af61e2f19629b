#!/usr/bin/env bash
# Fails when an #include points upward against the layers of DESIGN.md §1.
#
#   contrib/devtools/check-layering.sh [ROOT]
#
# ROOT defaults to the repository holding this script. Project headers are
# included by their path below ROOT or ROOT/src (<consensus/x.h>, <util/x.h>,
# <wallet/x.h>); anything else in <...> is a system or third-party header and
# is ignored. "x.h" includes that resolve next to the including file stay in
# its own folder and are always allowed. One grep and one awk pass keep this
# fast enough to run on every test invocation.
set -euo pipefail

ROOT=${1:-"$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"}
cd "$ROOT"

# Folders whose includes are checked, as "folder:allowed modules".
# src/node and src/bin are the composition root and may include everything.
RULES='
consensus:consensus util
src/util:util
src/common:consensus util common
src/storage:consensus util storage
src/kernel:consensus common storage util kernel
src/net:consensus common util net
wallet:consensus common storage util interfaces rpc wallet
src/interfaces:consensus util interfaces
rpc:consensus util common interfaces rpc
'

dirs=()
for d in consensus src/util src/common src/storage src/kernel src/net src/interfaces wallet rpc; do
    [[ -d $d ]] && dirs+=("$d")
done
[[ ${#dirs[@]} -eq 0 ]] && { echo "check-layering: nothing to check under $ROOT"; exit 0; }

# Every project file, so <net/if.h> (system) and <net/socket.h> (project) can be told apart.
files_list=$(find consensus src wallet rpc interfaces -type f \( -name '*.h' -o -name '*.hpp' -o -name '*.cpp' -o -name '*.c' \) 2>/dev/null || true)

includes=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"][^>"]+[>"]' \
    --include='*.h' --include='*.hpp' --include='*.cpp' --include='*.c' "${dirs[@]}" || true)

awk -v rules="$RULES" -v files="$files_list" -v includes="$includes" '
function module_of(path,    top) {
    # Module (layer) a project path belongs to, or "" for non-project paths.
    split(path, parts, "/")
    top = parts[1]
    if (top == "src") top = parts[2]
    if (top in modules) return top
    return ""
}
function dirname(p,    i) {
    i = match(p, /\/[^\/]*$/)
    return i ? substr(p, 1, i - 1) : "."
}
BEGIN {
    split("consensus util common storage kernel net node wallet rpc interfaces bin", m, " ")
    for (i in m) modules[m[i]] = 1
    n = split(files, fl, "\n")
    for (i = 1; i <= n; i++) if (fl[i] != "") exists[fl[i]] = 1
    n = split(rules, rl, "\n")
    for (i = 1; i <= n; i++) {
        if (rl[i] == "") continue
        split(rl[i], kv, ":")
        nrules++
        rule_dir[nrules] = kv[1]
        allowed_text[kv[1]] = kv[2]
        split(kv[2], al, " ")
        for (j in al) allowed[kv[1], al[j]] = 1
    }
    bad = 0
    n = split(includes, lines, "\n")
    for (i = 1; i <= n; i++) {
        line = lines[i]
        if (line == "") continue
        # file:line:#include <path>
        file = line; sub(/:.*/, "", file)
        rest = substr(line, length(file) + 2)
        lineno = rest; sub(/:.*/, "", lineno)
        text = substr(rest, length(lineno) + 2)
        quoted = text ~ /include[[:space:]]*"/
        target = text; sub(/^[^<"]*[<"]/, "", target); sub(/[>"].*$/, "", target)

        # Longest matching rule folder for the including file.
        layer = ""
        for (r = 1; r <= nrules; r++) {
            d = rule_dir[r]
            if (index(file, d "/") == 1 && length(d) > length(layer)) layer = d
        }
        if (layer == "") continue
        if (quoted && ((dirname(file) "/" target) in exists)) continue

        mod = module_of(target)
        if (mod == "") continue
        # A path under a module name that names no project file is a system
        # header (<net/if.h>), unless the module is surely ours.
        if (!(target in exists) && !(("src/" target) in exists) && mod == "net") continue
        if ((layer, mod) in allowed) continue
        printf "%s:%s: %s may not include <%s> (module %s); it may use: %s (DESIGN.md section 1)\n", file, lineno, layer, target, mod, allowed_text[layer]
        bad++
    }
    if (bad) {
        printf "check-layering: %d upward include(s)\n", bad
        exit 1
    }
    print "check-layering: ok"
}'
