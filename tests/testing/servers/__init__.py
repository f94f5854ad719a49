"""Tests of the emulator's servers layer (meshapi/testing/_servers/)."""
