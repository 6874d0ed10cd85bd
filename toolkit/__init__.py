"""Clientcare: branch plans, client proposals and the monthly batch for bank relationship teams."""

__version__ = "0.1.0"
