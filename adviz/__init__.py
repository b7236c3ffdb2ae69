"""adviz: automatic differentiation you can watch."""
