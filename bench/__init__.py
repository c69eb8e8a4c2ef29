"""The portal's load benchmark: bench/run drives it, bench/RESULTS.md holds the last results."""
