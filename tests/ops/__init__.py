"""Tests of `enhancer/ops/`: health for operators."""
