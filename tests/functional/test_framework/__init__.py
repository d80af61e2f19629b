"""Tiny stdlib-only framework for minibit functional tests."""
