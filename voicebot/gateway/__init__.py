"""The gateway side of a live call: one codec per telephony protocol and the WebSocket server."""
