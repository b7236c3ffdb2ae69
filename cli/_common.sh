# Shared helpers for the classroom demos (sourced by the demo_*.sh scripts).
#
#   ./demo_sin.sh                       wait for Enter between parts
#   PAUSE=0 ./demo_sin.sh               run straight through
#   ADVIZ="python -m adviz.cli" ./demo_sin.sh    use another adviz
set -euo pipefail
ADVIZ=${ADVIZ:-adviz}
PAUSE=${PAUSE:-1}

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then BOLD=$'\033[1m'; PLAIN=$'\033[0m'; else BOLD=""; PLAIN=""; fi

# say TEXT: one line of narration for the class
say() { printf '\n%s# %s%s\n' "$BOLD" "$*" "$PLAIN"; }

# run ARGS...: show the command as one would type it, then run it
run() {
    local shown="adviz" arg
    for arg in "$@"; do
        if [[ "$arg" =~ ^[A-Za-z0-9_=.,/-]+$ ]]; then shown+=" $arg"; else shown+=" \"$arg\""; fi
    done
    printf '\n$ %s\n' "$shown"
    $ADVIZ "$@"
}

# pause: wait for Enter (skipped with PAUSE=0 or when not on a terminal)
pause() {
    if [ "$PAUSE" != "0" ] && [ -t 0 ]; then
        read -r -p "[Enter]" _
    fi
}
