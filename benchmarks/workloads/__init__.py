"""The benchmark workloads, one module each (W1–W5, memory, big traces, start-up, --expand), in the issue's order."""

from . import big, expand, memory, startup, w1_scalar, w2_array, w3_mlp, w4_jacobian, w5_hvp

#: key -> module with ``run(ctx) -> Result``
WORKLOADS = {
    "W1": w1_scalar,
    "W2": w2_array,
    "W3": w3_mlp,
    "W4": w4_jacobian,
    "W5": w5_hvp,
    "MEM": memory,
    "BIG": big,
    "START": startup,
    "EXPAND": expand,
}
