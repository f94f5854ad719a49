"""Bulk work: the I/O around the core's bulk machines (files, workers, progress, Ray)."""
