#!/usr/bin/env bash
# f(x1, x2) = x1*x2 + sin(x1) at (2, 5): forward mode needs one sweep per input,
# reverse mode gets the whole gradient (5 + cos 2, 2) in one sweep.
source "$(dirname "$0")/_common.sh"

say "Two inputs: forward mode runs once per input (seed x1, then x2)."
run trace "x1*x2 + sin(x1)" --at x1=2 --at x2=5 --mode forward
pause
say "A forward sweep along any direction: here (1, 1), a directional derivative."
run trace "x1*x2 + sin(x1)" --at x1=2,x2=5 --mode forward --seed x1=1 --seed x2=1
pause
say "One reverse sweep gives both partial derivatives. Note x1 receives two updates."
run trace "x1*x2 + sin(x1)" --at x1=2,x2=5 --mode reverse
