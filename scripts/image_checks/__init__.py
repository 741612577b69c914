"""The parts of `make image-test` (scripts/image_test.py), one job each."""
