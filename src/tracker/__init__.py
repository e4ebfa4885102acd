"""Responsibility tracker (责任制台账): a township's ideology-work responsibility system."""

__version__ = "0.1.0"
