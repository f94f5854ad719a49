"""Tests of the emulator's routes layer (meshapi/testing/_routes/)."""
