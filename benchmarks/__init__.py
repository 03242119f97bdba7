"""Performance benchmarks: `comptoir bench NAME` runs benchmarks/NAME.run(container)."""
