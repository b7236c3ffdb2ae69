#!/usr/bin/env bash
# Forward vs reverse mode as counts of sweeps: n inputs -> n forward sweeps (columns of the
# Jacobian), m outputs -> m reverse sweeps (rows).
source "$(dirname "$0")/_common.sh"

say "R^2 -> R^3: 2 forward sweeps or 3 reverse sweeps for the whole Jacobian."
run jacobian "[x*y, sin(x), x+y]" --at x=2 --at y=3
pause
say "R^8 -> R (a loss): reverse mode needs 1 sweep, forward mode 8."
run jacobian "sum(w*w) / 2" --at "w=[1,2,3,4,5,6,7,8]" --mode reverse
pause
say "Domains: log of a negative number is computed honestly, and named."
run trace "log(x) * x" --at x=-1 --mode reverse
