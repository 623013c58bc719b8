"""voicebot: an automated insurance callback (回访) bot."""

__version__ = "0.1.0"
