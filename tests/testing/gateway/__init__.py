"""Tests of the emulator's gateway layer (meshapi/testing/_gateway/)."""
