"""Tests of `enhancer/media/`: images, the safe fetcher, storage."""
