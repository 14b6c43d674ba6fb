"""Benchmark harness for coprod (not part of the test run): extraction accuracy and speed."""
