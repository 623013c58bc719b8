"""Callback scripts as data, and the state machine that runs them."""
