"""System exports: Annex A lists, workforce list (or census XML), allocation history, fostering households, benchmarks."""
