#!/usr/bin/env bash
# The seed example, y = sin(x**2 + 1) at x = 3: the tape, forward mode, reverse mode.
# Ends with dy/dx = cos(10)*6 = -5.034429174458714 from both sweeps.
source "$(dirname "$0")/_common.sh"

say "A program is a chain of primitives. adviz records them as a tape."
run trace "sin(x**2+1)" --at x=3 --mode forward
pause
say "Reverse mode runs the same chain rule backwards, one adjoint update per edge."
run trace "sin(x**2+1)" --at x=3 --mode reverse
pause
say "The gradient in one line, and as JSON for other programs."
run grad "sin(x**2+1)" --at x=3
run grad "sin(x**2+1)" --at x=3 --json
