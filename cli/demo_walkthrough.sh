#!/usr/bin/env bash
# The step-by-step classroom walk-through of `adviz demo` (Enter advances, q quits).
#   ./demo_walkthrough.sh                                   sin(x**2+1) at x = 3
#   ./demo_walkthrough.sh "x1*x2 + sin(x1)" --at x1=2,x2=5
#   AUTO=2 ./demo_walkthrough.sh                            plays by itself, 2 s per step
source "$(dirname "$0")/_common.sh"

if [ -n "${AUTO:-}" ] || [ "$PAUSE" = "0" ]; then
    run demo "$@" --auto "${AUTO:-0}"
else
    run demo "$@"
fi
